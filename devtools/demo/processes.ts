/**
 * The processes a command starts, and only those, stopped together: on
 * Ctrl-C, on SIGTERM, at the end of a run, and on failure.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, createWriteStream, readFileSync, rmSync } from 'node:fs';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Output so far (also written to the log file). */
  output(): string;
  exited: Promise<number | null>;
}

export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  private stopping: Promise<void> | undefined;

  /**
   * @param pidFile where the process groups started are recorded, so that a
   *   run killed before it could clean up (SIGKILL, power loss) has its
   *   leftovers stopped by the next run.
   */
  constructor(private readonly pidFile?: string) {}

  start(name: string, command: string, args: string[], options: SpawnOptions & { logFile?: string } = {}): ManagedProcess {
    const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let output = '';
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-64 * 1024);
      log?.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        log?.end();
        resolve(code);
      });
      child.on('error', (e) => {
        collect(Buffer.from(String(e)));
        resolve(-1);
      });
    });
    const managed: ManagedProcess = { name, child, output: () => output, exited };
    this.processes.push(managed);
    if (this.pidFile && child.pid !== undefined) appendFileSync(this.pidFile, `${child.pid}\n`);
    return managed;
  }

  /** Stops every process started here (newest first): SIGTERM, then SIGKILL after a grace period. */
  stopAll(graceMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      for (const p of [...this.processes].reverse()) {
        if (p.child.exitCode !== null || p.child.signalCode !== null || p.child.pid === undefined) continue;
        const pid = p.child.pid;
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          continue;
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, graceMs);
        // Never wait past the SIGKILL: a process stuck in the kernel must not hang the demo.
        await Promise.race([p.exited, new Promise((r) => setTimeout(r, graceMs + 2000))]);
        clearTimeout(timer);
      }
      if (this.pidFile) rmSync(this.pidFile, { force: true });
    })();
    return this.stopping;
  }
}

/**
 * Stops the process groups a killed earlier run left behind. Only groups
 * whose leader still runs with `marker` (the demo's folder) on its command
 * line are touched, so a reused process id is never hit.
 */
export function stopLeftovers(pidFile: string, marker: string): number {
  let pids: number[];
  try {
    pids = readFileSync(pidFile, 'utf8').split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 1);
  } catch {
    return 0;
  }
  let stopped = 0;
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (!cmdline.includes(marker)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
      stopped++;
    } catch {
      // gone meanwhile
    }
  }
  rmSync(pidFile, { force: true });
  return stopped;
}
