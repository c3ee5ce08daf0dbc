/**
 * For the itsme tests: the stand-in provider as its own process and a backend configured for it
 * (the backend's port chosen first: the provider must know the redirect URI).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { startTestBackend, type TestBackend } from './helpers.js';
import { freePort } from './postgres-cluster.js';
import { ITSME_CALLBACK_PATH } from '../routes/itsme.js';
import type { Tampering } from '../../devtools/itsme-provider/itsme-provider.js';
import { buildItsmeProviderCli } from '../../devtools/itsme-provider/build.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLIENT = { clientId: 'eid-bridge-test', clientSecret: 'test-client-secret-that-is-long-enough' };

/** The stand-in's first person: phone 0470 12 34 56. */
export const JAN = { phone: '470123456', nationalNumber: '85073000160', name: 'Jan Janssens' };

export class ItsmePairs {
  private providerCli: Promise<string> | undefined;
  private readonly running: { provider: ChildProcess; backend: TestBackend }[] = [];

  /** `confirmSeconds` shortens the stand-in's 3 minutes to confirm in the app. */
  async start(options: { tamper?: Tampering | undefined; confirmSeconds?: number | undefined } = {}): Promise<TestBackend> {
    this.providerCli ??= buildItsmeProviderCli(ROOT);
    const port = await freePort();
    const redirectUri = `http://localhost:${port}${ITSME_CALLBACK_PATH}`;
    const args = [
      await this.providerCli, '--client-id', CLIENT.clientId, '--client-secret', CLIENT.clientSecret, '--redirect-uri', redirectUri,
      ...(options.tamper ? ['--tamper', options.tamper] : []),
      ...(options.confirmSeconds ? ['--confirm-seconds', String(options.confirmSeconds)] : []),
    ];
    const provider = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: provider.stdout! }), 'line')) as [string];
    const { issuer } = JSON.parse(line) as { issuer: string };
    const backend = await startTestBackend({ config: { port, itsme: { issuerUrl: issuer, ...CLIENT, nationalNumberClaim: 'national_number' } } });
    this.running.push({ provider, backend });
    return backend;
  }

  async stopAll(): Promise<void> {
    for (const { provider, backend } of this.running.splice(0)) {
      provider.kill('SIGTERM');
      await backend.stop();
    }
  }
}
