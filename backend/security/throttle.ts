/**
 * Brute-force protection for password, code and activation logins.
 *
 * Per address: at most `ipFailures` failures in `ipWindowMs`. Each attempt
 * takes a failure slot in the store before any slow check (the password
 * hash) runs and gives it back when it does not fail, so parallel requests
 * cannot pass the limit together. This limit stops the attacker's address,
 * not the person.
 *
 * Per account: after `accountFailuresBeforeLock` failures the account waits
 * 1, 2, 4, 8 and then at most 15 minutes (MAX_WAIT_MS) after each further
 * failure. Failures during a wait are not counted, so strangers cannot push
 * the count towards a longer lock, and every lock lifts with time: at most
 * 15 minutes after the last counted failure the right password works again.
 * A success (or an eID login) clears the count. A locked account answers
 * exactly like a wrong password.
 */
import type { DataStore } from '../db/store.js';
import type { Clock } from '../clock.js';
import type { BackendLimits } from '../config.js';
import { ApiError } from '../http/api-error.js';

const MINUTE = 60_000;
export const MAX_WAIT_MS = 15 * MINUTE;

export function lockWaitMs(failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  return Math.min(MINUTE * 2 ** Math.min(failures - threshold, 30), MAX_WAIT_MS);
}

/** One login attempt holding a failure slot of its address (LoginThrottle.attempt). */
export interface LoginAttempt {
  /** The attempt failed: the address keeps the slot, and the account (when known and not locked) counts a failure. */
  fail(personId?: number): Promise<void>;
}

export class LoginThrottle {
  constructor(
    private readonly store: DataStore,
    private readonly clock: Clock,
    private readonly limits: BackendLimits,
  ) {}

  /** Refuses the request outright when this address failed too often lately (for requests that cannot fail a login themselves). */
  async checkIp(ip: string): Promise<void> {
    const now = this.clock.now();
    const { count, oldest } = await this.store.countIpFailures(ip, now - this.limits.ipWindowMs);
    if (count >= this.limits.ipFailures) throw this.tooManyAttempts(oldest ?? now, now);
  }

  /**
   * Runs one attempt that may fail a login: a failure slot of the address is
   * taken first (429 TOO_MANY_ATTEMPTS when none is left) and given back
   * unless `work` called `attempt.fail`.
   */
  async attempt<T>(ip: string, work: (attempt: LoginAttempt) => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const slot = await this.store.reserveIpFailure(ip, now, now - this.limits.ipWindowMs, this.limits.ipFailures);
    if ('oldest' in slot) throw this.tooManyAttempts(slot.oldest, now);
    let failed = false;
    try {
      return await work({
        fail: async (personId) => {
          failed = true;
          if (personId !== undefined) await this.failAccount(personId);
        },
      });
    } finally {
      if (!failed) await this.store.releaseIpFailure(slot.reservation);
    }
  }

  async isLocked(personId: number): Promise<boolean> {
    const state = await this.store.findFailures(personId);
    return !!state && state.lockedUntil > this.clock.now();
  }

  async succeed(personId: number): Promise<void> {
    await this.store.clearFailures(personId);
  }

  private async failAccount(personId: number): Promise<void> {
    const now = this.clock.now();
    const failures = await this.store.countAccountFailure(personId, now);
    if (failures === undefined) return; // locked: not counted
    const wait = lockWaitMs(failures, this.limits.accountFailuresBeforeLock);
    if (wait > 0) await this.store.lockAccount(personId, now + wait);
  }

  private tooManyAttempts(oldest: number, now: number): ApiError {
    const retryAfter = Math.max(1, Math.ceil((oldest + this.limits.ipWindowMs - now) / 1000));
    return new ApiError(429, 'TOO_MANY_ATTEMPTS', 'Too many failed attempts from this address', { retryAfter });
  }
}
