/**
 * One run at a time: a second run while another is active says so instead of
 * fighting over ports and the virtual reader.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StepFailure } from './steps.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const other = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(other) && other !== process.pid && alive(other)) {
      throw new StepFailure(`another demo is running (process ${other})`, 'stop it with Ctrl-C in its terminal, or wait for it to finish');
    }
    // A stale lock from a run that was killed: take it over.
    writeFileSync(file, String(process.pid));
  }
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file);
    } catch {
      // already gone
    }
  };
}
