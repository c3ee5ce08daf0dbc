/**
 * Request caps per route and IP address (@fastify/rate-limit). The numbers
 * live in config.ts (DEFAULT_REQUEST_CAPS, EID_BRIDGE_REQUEST_CAPS); a route
 * takes its cap with `config: { rateLimit: requestCap(ctx, 'eidLogin') }`.
 * Routes without that line have no cap. The failure lock-out
 * (security/throttle.ts) is separate: it counts failures, this counts requests.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { CappedRoute } from '../config.js';
import type { BackendContext } from '../context.js';
import { ApiError } from './api-error.js';

export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    // Only routes that declare a cap are counted.
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'TOO_MANY_REQUESTS', 'Too many requests from this address; try again later', { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  });
}

export function requestCap(ctx: BackendContext, route: CappedRoute): { max: number; timeWindow: number } {
  const cap = ctx.config.limits.requests[route];
  return { max: cap.max, timeWindow: cap.perMs };
}
