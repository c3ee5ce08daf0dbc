/**
 * Spawns the real, built eid-bridge-host and speaks the framed protocol to it,
 * as a browser does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FrameDecoder } from '../../native-host/src/framing.js';

/** The project root: the nearest folder up with a package.json (works from sources and from dist/). */
export function projectRoot(from = import.meta.dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
  return dir;
}

export const HOST_BIN = join(projectRoot(), 'dist/eid-bridge-host.mjs');

export function frameMessage(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

export class HostProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stderr: string[] = [];
  private readonly decoder = new FrameDecoder(2 * 1024 * 1024);
  private readonly received: unknown[] = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  /**
   * `env` adds to this process's environment. `packaged` starts a packaged host executable instead of
   * the built script, in the folder and with only the environment given, as a browser would.
   */
  constructor(env: NodeJS.ProcessEnv = {}, packaged?: { executable: string; cwd: string; env: NodeJS.ProcessEnv }) {
    if (packaged) {
      this.child = spawn(packaged.executable, ['chrome-extension://test/'], {
        cwd: packaged.cwd,
        env: { ...packaged.env, EID_BRIDGE_HOST_IDLE_MS: '0', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } else {
      if (!existsSync(HOST_BIN)) throw new Error(`${HOST_BIN} is missing: run "npm run build:node" first`);
      this.child = spawn(process.execPath, [HOST_BIN, 'chrome-extension://test/'], {
        env: { ...process.env, EID_BRIDGE_HOST_IDLE_MS: '0', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    }
    this.child.stdout.on('data', (chunk: Buffer) => {
      for (const f of this.decoder.push(chunk)) {
        if (!f.ok) throw f.error;
        this.received.push(f.message);
      }
      const w = this.waiters;
      this.waiters = [];
      w.forEach((fn) => fn());
    });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((res) => this.child.on('exit', (code) => res(code)));
  }

  writeRaw(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  send(message: unknown): void {
    this.writeRaw(frameMessage(message));
  }

  /** The next message from the host, in order. */
  async next(timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message from the host within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
    return this.received.shift() as Record<string, unknown>;
  }

  /** Sends a request and waits for the reply with the same id (other messages stay queued in order). */
  async request(command: string, args: Record<string, unknown> = {}, id: string | number = `${command}-${Math.random()}`, timeoutMs?: number) {
    this.send({ id, command, arguments: args });
    const reply = await this.next(timeoutMs);
    if (reply.id !== id) throw new Error(`expected reply to ${String(id)}, got ${JSON.stringify(reply)}`);
    return reply as { id: string | number; result?: Record<string, unknown>; error?: { code: string; message: string; [k: string]: unknown } };
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}
