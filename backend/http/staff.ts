/** Staff of the service (registration office, access management): one bearer token, EID_BRIDGE_ADMIN_TOKEN. */
import type { FastifyRequest } from 'fastify';
import type { BackendContext } from '../context.js';
import { constantTimeEqual } from '../security/otp.js';
import { tokenHash } from '../security/tokens.js';
import { ApiError } from './api-error.js';

/** Checks the staff token; returns the name the change log records for the caller. */
export function requireStaff(ctx: BackendContext, request: FastifyRequest, actor: 'lra' | 'staff'): string {
  const configured = ctx.config.adminToken;
  if (!configured) throw new ApiError(404, 'LRA_DISABLED', 'The staff API is off (set EID_BRIDGE_ADMIN_TOKEN)');
  const header = request.headers.authorization ?? '';
  const sent = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  // Hashes first: equal lengths, so the comparison time says nothing about the token.
  if (!constantTimeEqual(tokenHash(sent), tokenHash(configured))) throw new ApiError(401, 'UNAUTHENTICATED', 'Staff token required');
  return actor;
}
