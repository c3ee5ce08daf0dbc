/**
 * Runs the stand-in itsme provider as its own process, as a real provider would be:
 *   itsme-provider --client-id ID --client-secret SECRET --redirect-uri URL [--port N] [--claim NAME] [--tamper other-key|other-audience|expired] [--confirm-seconds 180]
 * Prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"}, once it listens; ends on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startItsmeProvider, type Tampering } from './itsme-provider.js';

const TAMPERINGS: Tampering[] = ['other-key', 'other-audience', 'expired'];

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    claim: { type: 'string' },
    tamper: { type: 'string' },
    'confirm-seconds': { type: 'string' },
  },
});

const clientId = values['client-id'];
const clientSecret = values['client-secret'];
const redirectUris = values['redirect-uri'] ?? [];
if (!clientId || !clientSecret || redirectUris.length === 0) {
  console.error('itsme-provider (a stand-in for demos and tests): --client-id, --client-secret and --redirect-uri are required');
  process.exit(2);
}
if (values.tamper !== undefined && !TAMPERINGS.includes(values.tamper as Tampering)) {
  console.error(`itsme-provider: --tamper takes ${TAMPERINGS.join(' or ')}`);
  process.exit(2);
}

const provider = await startItsmeProvider({
  port: Number(values.port),
  host: values.host,
  clientId,
  clientSecret,
  redirectUris,
  ...(values.claim ? { nationalNumberClaim: values.claim } : {}),
  ...(values.tamper ? { tamper: values.tamper as Tampering } : {}),
  ...(values['confirm-seconds'] ? { confirmSeconds: Number(values['confirm-seconds']) } : {}),
});
console.log(JSON.stringify({ issuer: provider.issuer }));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void provider.close().then(() => process.exit(0)));
}
