/**
 * Progress for a multi-step command: each step says what it does and what it
 * waits for, then how long it took, or which step failed, why, and what to do.
 */
import { EidBridgeError } from '../../shared/errors.js';

export class StepFailure extends Error {
  constructor(
    message: string,
    readonly whatToDo: string,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

export interface StepRunner {
  run<T>(title: string, waitingFor: string, fn: () => Promise<T>): Promise<T>;
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const red = (s: string) => (process.stdout.isTTY ? `\x1b[31m${s}\x1b[0m` : s);
const green = (s: string) => (process.stdout.isTTY ? `\x1b[32m${s}\x1b[0m` : s);

export function createStepRunner(total: number): StepRunner {
  let n = 0;
  return {
    async run(title, waitingFor, fn) {
      n++;
      const label = `[${n}/${total}] ${title}`;
      console.log(`${bold(label)} … ${waitingFor}`);
      const t0 = performance.now();
      try {
        const result = await fn();
        console.log(`      ${green('✓')} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        return result;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        const todo = e instanceof StepFailure ? e.whatToDo : e instanceof EidBridgeError ? (e.details.hint ?? '') : '';
        console.error(`      ${red('✗')} step ${n} "${title}" failed: ${why}`);
        if (todo) console.error(`        what to do: ${todo}`);
        throw e;
      }
    },
  };
}

/** Polls until `check` returns a value, or throws StepFailure after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, whatToDo: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new StepFailure(`${what} did not happen within ${Math.round(timeoutMs / 1000)} s${detail}`, whatToDo);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
