/** Access managers (HTB, co-HTB, TB), the HTB exception procedure and mandates: all routes of this part. */
import type { FastifyInstance } from 'fastify';
import type { BackendContext } from '../context.js';
import { registerAccessManagementRoutes } from './management.js';
import { registerMandateRoutes } from './mandates.js';
import { registerExceptionRoutes } from './exception.js';
import { registerAccessPages } from './pages.js';
import type { SigningTrust } from './signed-documents.js';

/** `trust`: the certificate authorities a signer's eID must chain to (mandates and the exception form are signed with the eID). */
export function registerAccessRoutes(app: FastifyInstance, ctx: BackendContext, trust: SigningTrust): void {
  registerAccessManagementRoutes(app, ctx);
  registerMandateRoutes(app, ctx, trust);
  registerExceptionRoutes(app, ctx, trust);
  registerAccessPages(app, ctx);
}
