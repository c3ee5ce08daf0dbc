/**
 * eid-bridge backend: runs the reference backend (government login service,
 * digital keys, registration office) until Ctrl+C or SIGTERM, then shuts
 * down cleanly. All data stays in the data directory across restarts.
 */
import { parseArgs } from 'node:util';
import { configFromEnv, DEFAULT_ITSME_NATIONAL_NUMBER_CLAIM, ENV } from '../../backend/config.js';
import { startBackend } from '../../backend/server.js';
import { deliveryConfigProblem } from '../../backend/delivery/delivery.js';
import type { CliCommand } from '../cli-command.js';
import { EXIT_USAGE, exitWith } from '../cli-command.js';

const HELP = `Usage: eid-bridge backend [options]

Options:
  --port N            port to listen on (default 8443; 0 picks a free one)   [${ENV.port}]
  --host ADDRESS      address to listen on (default 127.0.0.1)               [${ENV.host}]
  --data DIR          data directory: database and local certificate
                      (default ~/.eid-bridge/backend)                         [${ENV.dataDir}]
  --public-url URL    the address people use; eID tokens are bound to its origin [${ENV.publicUrl}]
  --http              plain http://localhost instead of https with a local
                      self-signed certificate (the extension's developer setting
                      must allow http://localhost)                            [${ENV.http}=1]
  --admin-token T     staff token for the registration-office API and, in
                      development mode, the outbox                            [${ENV.adminToken}]
  --dev               development mode: e-mail and SMS without a configured
                      server go to the local outbox (read with the staff token);
                      without it, both must be configured or the backend
                      refuses to start                                        [${ENV.devMode}=1]
  --verbose           log every request
Environment only:
  ${ENV.trustedRoots}   PEM/DER file or directory of CA certificates trusted for eID login
                            (default: the built-in Belgian roots; add the Citizen CAs here)
  ${ENV.databaseUrl}  postgres://user:password@host:5432/db keeps every record in
                            PostgreSQL, which several instances can share (default: SQLite in the data directory)
  ${ENV.extensionOrigins}  optional: extension origins (chrome-extension://ID, moz-extension://UUID)
                            that also get CORS answers; the popup needs none
  ${ENV.smtpUrl}   e.g. smtp://user:pass@mail.example:587 (required unless --dev)
  ${ENV.mailFrom}  sender address of e-mails
  ${ENV.smsGatewayUrl}   HTTP endpoint receiving POST {"to","text"} (required unless --dev)
  ${ENV.ocsp}  belgian-roots (default: OCSP for real Belgian cards, no login without a good answer),
                            all (also cards under configured roots) or off
  ${ENV.ocspUrl}  OCSP responder to ask instead of the certificate's own
  ${ENV.fetchIntermediates}=1  fetch a card's issuing CA from the address in its certificate (off by default)
  ${ENV.pkiHosts}  hosts such addresses may name (default: the Belgian eID PKI's)
  ${ENV.itsmeIssuer}  the itsme key: the OpenID Connect provider's issuer URL (https;
                            http only on a loopback address); unset: no "AANMELDEN via itsme"
  ${ENV.itsmeClientId}, ${ENV.itsmeClientSecret}
                            the backend's registration at that provider (all three or none);
                            the provider must accept <public URL>/itsme/callback as redirect URI
  ${ENV.itsmeNationalNumberClaim}  the claim carrying the national number
                            (default ${DEFAULT_ITSME_NATIONAL_NUMBER_CLAIM})`;

export const backendCommand: CliCommand = {
  name: 'backend',
  summary: 'Run the reference backend: eID and code login, digital keys, registration office',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'public-url': { type: 'string' },
        http: { type: 'boolean' },
        'admin-token': { type: 'string' },
        dev: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const config = configFromEnv();
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        console.error('eid-bridge backend: --port must be 0 to 65535');
        return 2;
      }
      config.port = port;
    }
    if (values.host) config.host = values.host;
    if (values.data) config.dataDir = values.data;
    if (values['public-url']) config.publicUrl = values['public-url'];
    if (values.http) config.http = true;
    if (values['admin-token']) config.adminToken = values['admin-token'];
    if (values.dev) config.devMode = true;
    const deliveryProblem = deliveryConfigProblem(config);
    if (deliveryProblem) {
      return exitWith(EXIT_USAGE, 'backend', deliveryProblem);
    }

    const server = await startBackend(config, { logger: values.verbose ?? false });
    const ctx = server.context;
    console.log(`eID Bridge backend listening on ${server.url}`);
    console.log(`  login page:  ${server.url}/login`);
    console.log(`  demo:        ${server.url}/demo`);
    const unconfigured = [config.smtpUrl ? '' : 'e-mail', config.smsGatewayUrl ? '' : 'SMS'].filter(Boolean);
    if (ctx.delivery.usesOutbox) {
      console.log(`  outbox:      ${server.url}/dev/outbox (development mode; ${unconfigured.join(' and ')} not configured; staff token required)`);
    }
    if (server.tlsCertificateFile) console.log(`  certificate: ${server.tlsCertificateFile} (self-signed; trust it or accept it once in the browser)`);
    console.log(`  data:        ${config.dataDir}`);
    if (!config.adminToken) console.log(`  registration-office API off (set ${ENV.adminToken} or --admin-token)`);

    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`eID Bridge backend: ${signal}, shutting down`);
        server.close().then(
          () => resolve(0),
          (e: unknown) => {
            console.error(`eid-bridge backend: ${e instanceof Error ? e.message : String(e)}`);
            resolve(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  },
};
