/**
 * The frame every reliability check shares: one definition per check, run
 * small inside the test suite and at its full count by `npm run reliability`
 * (RELIABILITY_SIZE=full). A check counts what it tried, what held and what
 * fell short, keeps the first few shortfalls to show, and writes its figures
 * where the printing runner (run.mjs) reads them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { projectRoot } from '../helpers/host-process.js';

export const FULL_SIZE = process.env.RELIABILITY_SIZE === 'full';

/** How many cases to try: the full count for `npm run reliability`, the small one in the test suite. */
export function caseCount(full: number, small: number): number {
  const override = Number(process.env.RELIABILITY_COUNT);
  if (Number.isInteger(override) && override > 0) return override;
  return FULL_SIZE ? full : small;
}

/** The time a whole check may take under vitest: the full counts run for minutes. */
export const CHECK_TIMEOUT_MS = FULL_SIZE ? 30 * 60_000 : 120_000;

/** The random seed, printed with the figures so a run that fell short can be repeated (RELIABILITY_SEED). */
export function checkSeed(): number {
  const given = Number(process.env.RELIABILITY_SEED);
  return Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31);
}

/** Where each check leaves its result for the printing runner. */
export const RESULTS_DIR = join(projectRoot(), 'test-artifacts', 'reliability');

const EXAMPLES_KEPT = 5;

export class Tally {
  tried = 0;
  held = 0;
  fellShort = 0;
  /** The first few shortfalls, described. */
  readonly shortfalls: string[] = [];
  /** Measurements printed after the counts (RSS, seed, time). */
  readonly figures: string[] = [];

  constructor(readonly name: string) {}

  /** Counts one case: held when `ok`, else a shortfall described by `why`. */
  count(ok: boolean, why: () => string): void {
    this.tried++;
    if (ok) this.held++;
    else {
      this.fellShort++;
      if (this.shortfalls.length < EXAMPLES_KEPT) this.shortfalls.push(why());
    }
  }

  line(): string {
    const counts = `${this.name}: ${this.tried} tried, ${this.held} held, ${this.fellShort} fell short`;
    return this.figures.length ? `${counts} (${this.figures.join('; ')})` : counts;
  }

  /** Prints the line and leaves the result for the runner. */
  report(): void {
    console.log(this.line());
    for (const s of this.shortfalls) console.log(`  fell short: ${s}`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${this.name.replace(/[^a-z0-9]+/gi, '-')}.json`);
    writeFileSync(file, JSON.stringify({ name: this.name, tried: this.tried, held: this.held, fellShort: this.fellShort, figures: this.figures, shortfalls: this.shortfalls, line: this.line() }, null, 2));
  }
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * The JavaScript heap in use after a full garbage collection: what a check in
 * this process kept alive, without the garbage RSS still holds.
 */
export function heapInUse(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A short description of a value for a shortfall message. */
export function preview(value: unknown, max = 200): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}
