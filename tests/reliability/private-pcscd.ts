/**
 * A pcscd of a check's own, so that stopping it disturbs nobody: it runs in a
 * private mount namespace (its /run/pcscd bound to a folder of the check) with
 * vpcd on ports of its own. Hosts reach it through that folder's socket
 * (PCSCLITE_CSOCK_NAME). Needs root, unshare, and pcscd with vpcd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePcscd {
  /** The socket a host names in PCSCLITE_CSOCK_NAME. */
  readonly socket: string;
  /** vpcd listens here for its first reader (and on the next port for the second). */
  readonly vpcdPort: number;
  start(): Promise<void>;
  /** Stops pcscd (SIGTERM) and waits until it exited; nothing when it is not running. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
}

/** Starts a private pcscd whose vpcd listens on `vpcdPort` (keep away from the shared pcscd's 35963/35964). */
export async function startPrivatePcscd(vpcdPort: number): Promise<PrivatePcscd> {
  const dir = mkdtempSync(join(tmpdir(), 'eid-private-pcscd-'));
  const run = join(dir, 'run');
  mkdirSync(join(dir, 'conf'));
  mkdirSync(run);
  const port = `0x${vpcdPort.toString(16).toUpperCase()}`;
  writeFileSync(join(dir, 'conf', 'vpcd'), `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:${port}\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID ${port}\n`);
  let pcscd: ChildProcess | undefined;

  const start = async () => {
    for (const f of ['pcscd.comm', 'pcscd.pid']) rmSync(join(run, f), { force: true });
    // unshare execs the shell, which execs pcscd: the child's pid is pcscd's.
    const started = spawn('unshare', ['--mount', 'sh', '-c', `mount --bind "${run}" /run/pcscd && exec pcscd --foreground --config "${join(dir, 'conf')}"`], { stdio: 'ignore' });
    pcscd = started;
    const deadline = Date.now() + 10_000;
    while (!existsSync(join(run, 'pcscd.comm'))) {
      if (Date.now() > deadline || started.exitCode !== null) throw new Error('the private pcscd did not start (root, unshare, pcscd and vpcd are needed)');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const running = pcscd;
    pcscd = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    socket: join(run, 'pcscd.comm'),
    vpcdPort,
    start,
    stop,
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
