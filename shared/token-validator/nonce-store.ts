/**
 * Challenge nonces: at least 32 random bytes from a CSPRNG, base64, single use,
 * with a lifetime (5 minutes by default) and bound to the session they were
 * issued to. A relying party keeps them in a NonceStore: the in-memory one
 * below for a single process, or its own (the reference backend keeps them in
 * its database).
 */
import { TokenValidationError } from './errors.js';
import { bytesToBase64 } from '../bytes.js';

export const DEFAULT_NONCE_LIFETIME_MS = 5 * 60 * 1000;
export const NONCE_BYTES = 32;

export interface IssuedNonce {
  nonce: string;
  /** ms since the epoch */
  expiresAt: number;
}

export interface NonceStore {
  /** Remembers the nonce for the session, replacing any earlier one. */
  put(sessionId: string, issued: IssuedNonce): Promise<void>;
  /** Returns and forgets the session's nonce: a nonce can be taken once only. */
  take(sessionId: string): Promise<IssuedNonce | undefined>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Creates a fresh challenge nonce: 32 random bytes, base64 (44 characters). */
export function generateChallengeNonce(crypto: Crypto = globalThis.crypto): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

/** Issues a nonce to a session and stores it. */
export async function issueChallengeNonce(
  store: NonceStore,
  sessionId: string,
  options: { lifetimeMs?: number; clock?: Clock; crypto?: Crypto } = {},
): Promise<IssuedNonce> {
  if (!sessionId) throw new TokenValidationError('CONFIGURATION', 'A nonce must be bound to a session');
  const issued: IssuedNonce = {
    nonce: generateChallengeNonce(options.crypto),
    expiresAt: (options.clock ?? systemClock).now() + (options.lifetimeMs ?? DEFAULT_NONCE_LIFETIME_MS),
  };
  await store.put(sessionId, issued);
  return issued;
}

/**
 * Takes the session's nonce for one validation: refused when none was issued
 * (or it was used already) and when it has expired.
 */
export async function consumeChallengeNonce(store: NonceStore, sessionId: string, clock: Clock = systemClock): Promise<string> {
  const issued = sessionId ? await store.take(sessionId) : undefined;
  if (!issued) throw new TokenValidationError('NONCE_NOT_FOUND', 'No challenge nonce is waiting for this session (never issued or already used)');
  if (clock.now() >= issued.expiresAt) throw new TokenValidationError('NONCE_EXPIRED', 'The challenge nonce has expired');
  return issued.nonce;
}

/** For one process. Expired entries are dropped as new ones come in, so memory stays bounded by live sessions. */
export class InMemoryNonceStore implements NonceStore {
  private readonly nonces = new Map<string, IssuedNonce>();

  constructor(private readonly clock: Clock = systemClock) {}

  async put(sessionId: string, issued: IssuedNonce): Promise<void> {
    if (this.nonces.size > 1000) this.dropExpired();
    this.nonces.set(sessionId, issued);
  }

  async take(sessionId: string): Promise<IssuedNonce | undefined> {
    const issued = this.nonces.get(sessionId);
    this.nonces.delete(sessionId);
    return issued;
  }

  private dropExpired(): void {
    const now = this.clock.now();
    for (const [id, issued] of this.nonces) if (issued.expiresAt <= now) this.nonces.delete(id);
  }
}
