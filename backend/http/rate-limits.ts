/**
 * Request caps per route and IP address (@fastify/rate-limit). The numbers
 * live in config.ts (DEFAULT_REQUEST_CAPS, EID_BRIDGE_REQUEST_CAPS); a route
 * takes its cap with `config: { rateLimit: requestCap(ctx, 'eidLogin') }`.
 * Routes without that line have no cap. The failure lock-out
 * (security/throttle.ts) is separate: it counts failures, this counts requests.
 *
 * The counts live in the store, not in this process, so instances sharing a
 * database share one cap per address.
 */
import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { CappedRoute } from '../config.js';
import type { BackendContext } from '../context.js';
import type { DataStore } from '../db/store.js';
import { ApiError } from './api-error.js';

/** @fastify/rate-limit's store interface over DataStore.countRequest; each capped route counts apart. */
class StoredRequestCounts implements FastifyRateLimitStore {
  constructor(
    private readonly store: DataStore,
    private readonly clock: Clock,
    private readonly route: string,
  ) {}

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow?: number): void {
    const now = this.clock.now();
    this.store.countRequest(`${this.route} ${key}`, now, timeWindow ?? 60_000).then(
      ({ count, windowEnds }) => callback(null, { current: count, ttl: windowEnds - now }),
      (error: Error) => callback(error),
    );
  }

  child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
    // The plugin passes the route's rate-limit settings with the route itself as routeInfo (its types name only the route).
    const route = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
    return new StoredRequestCounts(this.store, this.clock, `${String(route?.method ?? '')} ${route?.url ?? ''}`);
  }
}

export async function registerRateLimits(app: FastifyInstance, store: DataStore, clock: Clock): Promise<void> {
  await app.register(rateLimit, {
    // Only routes that declare a cap are counted.
    global: false,
    // The plugin constructs its store itself: this one is bound to the backend's data.
    store: class extends StoredRequestCounts {
      constructor() {
        super(store, clock, '');
      }
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'TOO_MANY_REQUESTS', 'Too many requests from this address; try again later', { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  });
}

export function requestCap(ctx: BackendContext, route: CappedRoute): { max: number; timeWindow: number } {
  const cap = ctx.config.limits.requests[route];
  return { max: cap.max, timeWindow: cap.perMs };
}
