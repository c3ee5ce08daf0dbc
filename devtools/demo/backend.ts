/** Starts the reference backend for the demo and waits until it answers. */
import { createServer } from 'node:net';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ProcessGroup } from './processes.js';
import { StepFailure, waitFor } from './steps.js';

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** GET /healthz over https with the backend's self-signed certificate (this is our own server on loopback). */
function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The address the demo's backend answers on (and names as its public URL). */
export function demoBackendUrl(port: number): string {
  return `https://127.0.0.1:${port}`;
}

export async function startBackend(
  group: ProcessGroup,
  options: { stateDir: string; cli: string; port: number; trustedRoots?: string; extraEnv?: NodeJS.ProcessEnv },
): Promise<string> {
  const host = '127.0.0.1';
  if (!(await portFree(options.port, host))) {
    throw new StepFailure(`port ${options.port} on ${host} is taken`, `stop what uses it (ss -ltnp 'sport = :${options.port}'), or run the demo with --port N`);
  }
  const url = demoBackendUrl(options.port);
  // No extension origins to list: the popup calls the backend as the extension, with its bearer token.
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.extraEnv };
  // The virtual card's test root is trusted only here, for this demo backend; a real card chains to the real roots.
  if (options.trustedRoots) env.EID_BRIDGE_TRUSTED_ROOTS = options.trustedRoots;
  const backend = group.start(
    'backend',
    process.execPath,
    // Development mode: the demo has no mail server or SMS gateway, so unsent messages stay in the local outbox.
    [options.cli, 'backend', '--dev', '--port', String(options.port), '--host', host, '--data', join(options.stateDir, 'backend')],
    { env, logFile: join(options.stateDir, 'backend.log') },
  );
  await waitFor(
    `the backend answering on ${url}/healthz`,
    async () => {
      if (backend.child.exitCode !== null) throw new StepFailure(`the backend stopped: ${backend.output().trim().slice(-500)}`, 'see the message above');
      return (await healthy(url)) ? true : undefined;
    },
    30_000,
    `look at ${join(options.stateDir, 'backend.log')}`,
  );
  return url;
}
