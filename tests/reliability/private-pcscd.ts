/**
 * A pcscd of a check's own, so that stopping it disturbs nobody: it runs in a
 * private mount namespace (its /run/pcscd bound to a folder of the check) with
 * vpcd on ports of its own. Hosts reach it through that folder's socket
 * (PCSCLITE_CSOCK_NAME). Needs root, unshare, and pcscd with vpcd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Starts a private pcscd whose vpcd listens on `vpcdPort` and the port after
 * it. The ports must lie below Linux's ephemeral range (32768 and up by
 * default): vpcd binds its port once, when pcscd starts, and gives up the
 * reader for good if any connection of the machine holds that port as its
 * local end at that moment (seen in CI: the service-faults check's pcscd
 * found its port 36100 taken and the card never got a reader).
 */
export async function startPrivatePcscd(vpcdPort: number): Promise<PrivatePcscd> {
  const [ephemeralLow = 32768, ephemeralHigh = 60999] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  if (vpcdPort + 1 >= ephemeralLow && vpcdPort <= ephemeralHigh) {
    throw new Error(`vpcd port ${vpcdPort} lies in the ephemeral port range ${ephemeralLow}-${ephemeralHigh}: an outgoing connection could hold it when pcscd starts`);
  }
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
    const waitFor = async (ready: () => boolean, failure: string) => {
      while (!ready()) {
        if (Date.now() > deadline || started.exitCode !== null) {
          await stop();
          throw new Error(failure);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(() => existsSync(join(run, 'pcscd.comm')), 'the private pcscd did not start (root, unshare, pcscd and vpcd are needed)');
    // pcscd opens its socket before it loads the readers; a card dialling in before vpcd listens would only wait.
    await waitFor(() => tcpListening(vpcdPort), `the private pcscd started but vpcd does not listen on port ${vpcdPort} (is the port taken?)`);
  };
  const stop = async () => {
    const running = pcscd;
    pcscd = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    await exited;
  };
  try {
    await start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
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

/** Whether an IPv4 socket listens on `port` on this machine (the namespace shares the network). */
function tcpListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  // Lines: "sl local_address rem_address st ...", addresses as HEXIP:HEXPORT, state 0A = LISTEN.
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return state === '0A' && local?.endsWith(`:${hexPort}`);
    });
}
