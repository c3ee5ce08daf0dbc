/** Access managers (HTB, co-HTB, TB), the HTB exception procedure and mandates: all routes of this part. */
import type { FastifyInstance } from 'fastify';
import type { BackendContext } from '../context.js';
import { registerAccessManagementRoutes } from './management.js';
import { registerMandateRoutes } from './mandates.js';
import { registerExceptionRoutes } from './exception.js';
import { registerAccessPages } from './pages.js';

export function registerAccessRoutes(app: FastifyInstance, ctx: BackendContext): void {
  registerAccessManagementRoutes(app, ctx);
  registerMandateRoutes(app, ctx);
  registerExceptionRoutes(app, ctx);
  registerAccessPages(app, ctx);
}
