/**
 * Brute-force protection for password and code logins: per account, waits
 * that grow after each failure beyond a threshold (1, 2, 4, 8 … up to 15
 * minutes; after 100 consecutive failures only an eID login unlocks), and
 * per IP address a cap on failures in a sliding window. A locked account
 * answers exactly like a wrong password.
 */
import type { DataStore } from '../db/store.js';
import type { Clock } from '../clock.js';
import type { BackendLimits } from '../config.js';
import { ApiError } from '../http/api-error.js';

const MINUTE = 60_000;
export const MAX_WAIT_MS = 15 * MINUTE;
export const HARD_LOCK_FAILURES = 100;

export function lockWaitMs(failures: number, threshold: number): number {
  if (failures >= HARD_LOCK_FAILURES) return Number.MAX_SAFE_INTEGER;
  if (failures < threshold) return 0;
  return Math.min(MINUTE * 2 ** (failures - threshold), MAX_WAIT_MS);
}

export class LoginThrottle {
  constructor(
    private readonly store: DataStore,
    private readonly clock: Clock,
    private readonly limits: BackendLimits,
  ) {}

  /** Refuses the request outright when this address failed too often lately. */
  async checkIp(ip: string): Promise<void> {
    const now = this.clock.now();
    const { count, oldest } = await this.store.countIpFailures(ip, now - this.limits.ipWindowMs);
    if (count >= this.limits.ipFailures) {
      const retryAfter = Math.max(1, Math.ceil(((oldest ?? now) + this.limits.ipWindowMs - now) / 1000));
      throw new ApiError(429, 'TOO_MANY_ATTEMPTS', 'Too many failed attempts from this address', { retryAfter });
    }
  }

  async isLocked(personId: number): Promise<boolean> {
    const state = await this.store.findFailures(personId);
    return !!state && state.lockedUntil > this.clock.now();
  }

  async fail(personId: number | undefined, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.store.addIpFailure(ip, now);
    if (personId === undefined) return;
    const failures = ((await this.store.findFailures(personId))?.failures ?? 0) + 1;
    const wait = lockWaitMs(failures, this.limits.accountFailuresBeforeLock);
    await this.store.setFailures(personId, failures, wait === 0 ? 0 : Math.min(now + wait, Number.MAX_SAFE_INTEGER));
  }

  async succeed(personId: number): Promise<void> {
    await this.store.clearFailures(personId);
  }
}
