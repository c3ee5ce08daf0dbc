/**
 * The reference backend: the government login service (eID and password +
 * code keys), the digital-keys API for the extension popup, and the
 * registration office (LRA). One Fastify server over https (a local
 * self-signed certificate) or plain http://localhost.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { AddressInfo } from 'node:net';
import { WebEidTokenValidator } from '../shared/token-validator/validator.js';
import { isTokenValidationError } from '../shared/token-validator/errors.js';
import { VERSION } from '../shared/version.js';
import type { BackendConfig } from './config.js';
import { systemClock, type Clock } from './clock.js';
import type { BackendContext } from './context.js';
import { openStore } from './db/open-store.js';
import type { DataStore } from './db/store.js';
import { createDelivery, deliveryConfigProblem } from './delivery/delivery.js';
import { ApiError } from './http/api-error.js';
import { registerRateLimits } from './http/rate-limits.js';
import { schemaError } from './http/schemas.js';
import { LoginThrottle } from './security/throttle.js';
import { loadOrCreateTlsCertificate } from './tls.js';
import { eidCheckOptions, loadEidTrust } from './trust.js';
import { fromExtensionWithoutCookie, registerEidRoutes } from './routes/eid.js';
import { registerLoginRoutes } from './routes/login.js';
import { registerItsmeRoutes } from './routes/itsme.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerLraRoutes } from './routes/lra.js';
import { registerPageRoutes } from './routes/pages.js';
import { registerAccessRoutes } from './access/routes.js';
import { registerPdfVerificationRoutes } from './routes/pdf-verification.js';
import { registerSigningRoutes } from './routes/signing.js';
import { builtInIssuingCas } from '../shared-node/trusted-roots.js';

export interface BackendServer {
  url: string;
  origin: string;
  port: number;
  app: FastifyInstance;
  context: BackendContext;
  /** The https certificate file (https mode), for clients that want to trust it. */
  tlsCertificateFile?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  store?: DataStore;
  /** Trusted CA certificates for eID tokens, instead of the configured or built-in ones (tests). */
  trustedCertificates?: Uint8Array[];
  logger?: boolean;
}

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export async function startBackend(config: BackendConfig, options: StartOptions = {}): Promise<BackendServer> {
  const deliveryProblem = deliveryConfigProblem(config);
  if (deliveryProblem) throw new Error(deliveryProblem);
  const clock = options.clock ?? systemClock;
  const tls = config.http ? undefined : await loadOrCreateTlsCertificate(config.dataDir);
  const trustedCertificates = options.trustedCertificates ?? (await loadEidTrust(config.trustedRoots)).certificates;
  const store = options.store ?? (await openStore(config));

  const app = Fastify({
    logger: options.logger ? { level: 'info' } : false,
    bodyLimit: 64 * 1024,
    // Keep-alive sockets must not hold up a shutdown.
    forceCloseConnections: true,
    // Bodies are checked by each route's schema, strictly: a number is not a string.
    ajv: { customOptions: { coerceTypes: false } },
    schemaErrorFormatter: schemaError,
    // The router's own refusals (an address that does not decode, a path parameter past its length
    // limit) come before any hook or route: they answer in the API's error shape too.
    frameworkErrors: (error, _request, reply) => void (reply as FastifyReply).code(error.statusCode ?? 400).send({ error: { code: 'BAD_REQUEST', message: 'The address is not valid' } }),
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
  });
  // Only JSON bodies: another site's plain form or text/plain POST is refused before any route runs.
  app.removeContentTypeParser('text/plain');
  await app.register(cookie);
  await registerRateLimits(app, store, clock);

  const delivery = createDelivery({ smtpUrl: config.smtpUrl, mailFrom: config.mailFrom, smsGatewayUrl: config.smsGatewayUrl, store, clock });
  const context: BackendContext = {
    config,
    publicUrl: '',
    publicOrigin: '',
    store,
    clock,
    delivery,
    // Set once the port is known: tokens are bound to the public origin.
    validator: undefined as unknown as WebEidTokenValidator,
    throttle: new LoginThrottle(store, clock, config.limits),
    secureCookies: !config.http,
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    // HSTS for a real host name only: on "localhost" it would force https on every local port of the developer's browser.
    if (!config.http && context.publicOrigin && !/^https:\/\/(localhost|\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\])(:\d+)?$/i.test(context.publicOrigin)) {
      reply.header('Strict-Transport-Security', 'max-age=31536000');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && config.extensionOrigins.includes(origin)) {
      // The optional extra: CORS for a listed extension page that the browser holds to CORS (one
      // without host permission for this backend). Without credentials: the popup never sends the
      // cookie, it sends its bearer token.
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Vary', 'Origin');
      if (request.method === 'OPTIONS') {
        reply.header('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
        reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
        reply.header('Access-Control-Max-Age', '600');
        return reply.code(204).send();
      }
    }
    // A change sent from another origin is refused, unless it comes from an extension page and
    // leaves the person's cookie out: then nothing rides on the cookie, and the request is the
    // popup's, authenticated by its bearer token (or anonymous). Browsers put the Origin header on
    // every request that is not GET or HEAD (docs/digital-keys.md, "The popup").
    if (request.method !== 'GET' && request.method !== 'HEAD' && origin !== undefined && origin !== context.publicOrigin && !fromExtensionWithoutCookie(config, request)) {
      throw new ApiError(403, 'ORIGIN_NOT_ALLOWED', `Requests from ${origin} are not allowed`);
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof ApiError) {
      if (error.code === 'TOO_MANY_ATTEMPTS' && typeof error.details.retryAfter === 'number') reply.header('Retry-After', String(error.details.retryAfter));
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, ...error.details } });
    }
    if (isTokenValidationError(error)) {
      return reply.code(error.code === 'CONFIGURATION' ? 500 : 401).send({ error: { code: error.code, message: error.message } });
    }
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { code: e.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: e.message ?? 'Bad request' } });
    }
    request.log.error({ err: error }, 'request failed');
    console.error(`eid-bridge backend: ${e.message ?? String(error)}`);
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on the server' } });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'Not found' } }));

  app.get('/healthz', async () => ({ status: 'ok', version: VERSION, schemaVersion: await store.schemaVersion() }));
  registerEidRoutes(app, context);
  registerLoginRoutes(app, context);
  registerItsmeRoutes(app, context);
  registerKeyRoutes(app, context);
  registerLraRoutes(app, context);
  registerPageRoutes(app, context);
  const signingTrust = { trusted: trustedCertificates, intermediates: builtInIssuingCas().map((c) => new Uint8Array(c.raw)) };
  registerAccessRoutes(app, context, signingTrust);
  registerSigningRoutes(app, context, signingTrust);
  registerPdfVerificationRoutes(app, context, signingTrust);

  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  const scheme = tls ? 'https' : 'http';
  // http://localhost rather than 127.0.0.1: browsers treat localhost as a secure context, so the page APIs work.
  const defaultHost = tls ? (config.host === '0.0.0.0' ? '127.0.0.1' : config.host) : 'localhost';
  const publicUrl = (config.publicUrl ?? `${scheme}://${defaultHost}:${port}`).replace(/\/$/, '');
  context.publicUrl = publicUrl;
  context.publicOrigin = new URL(publicUrl).origin;
  context.validator = new WebEidTokenValidator({
    siteOrigin: context.publicOrigin,
    trustedCertificates,
    ...eidCheckOptions(config, trustedCertificates),
    clock,
  });

  const sweep = setInterval(() => void store.deleteExpired(clock.now()).catch(() => undefined), 10 * 60_000);
  sweep.unref();

  let closed = false;
  return {
    url: publicUrl,
    origin: context.publicOrigin,
    port,
    app,
    context,
    ...(tls ? { tlsCertificateFile: tls.certFile } : {}),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      await app.close();
      delivery.close();
      await store.close();
    },
  };
}
