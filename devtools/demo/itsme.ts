/** The demo's itsme: the stand-in provider as its own process, and the backend settings that point at it. */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildItsmeProviderCli } from '../itsme-provider/build.js';
import type { ProcessGroup } from './processes.js';
import { StepFailure, waitFor } from './steps.js';

/** The stand-in's first person (devtools/itsme-provider): the phone number as typed after BE (+32). */
export const DEMO_ITSME_PHONE = '470123456';

/** Starts the provider for a backend at `backendUrl`; answers the backend's EID_BRIDGE_ITSME_* settings. */
export async function startItsmeProvider(group: ProcessGroup, options: { root: string; stateDir: string; backendUrl: string }): Promise<NodeJS.ProcessEnv> {
  // Built into the demo's folder: its command line then carries the marker by which a later run stops a leftover.
  const cli = await buildItsmeProviderCli(options.root, options.stateDir);
  const clientId = 'eid-bridge-demo';
  const clientSecret = randomBytes(24).toString('base64url');
  const provider = group.start(
    'itsme-provider',
    process.execPath,
    [cli, '--client-id', clientId, '--client-secret', clientSecret, '--redirect-uri', `${options.backendUrl}/itsme/callback`],
    { logFile: join(options.stateDir, 'itsme-provider.log') },
  );
  const issuer = await waitFor(
    'the stand-in itsme provider listening',
    async () => {
      if (provider.child.exitCode !== null) throw new StepFailure(`the provider stopped: ${provider.output().trim().slice(-500)}`, 'see the message above');
      const line = provider.output().split('\n').find((l) => l.startsWith('{"issuer"'));
      return line ? (JSON.parse(line) as { issuer: string }).issuer : undefined;
    },
    30_000,
    `look at ${join(options.stateDir, 'itsme-provider.log')}`,
  );
  return { EID_BRIDGE_ITSME_ISSUER: issuer, EID_BRIDGE_ITSME_CLIENT_ID: clientId, EID_BRIDGE_ITSME_CLIENT_SECRET: clientSecret };
}
