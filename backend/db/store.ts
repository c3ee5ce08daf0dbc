/**
 * Every read and write of the backend's data goes through this one interface.
 * The SQLite implementation (sqlite-store.ts) is the embedded default; a
 * PostgreSQL one can implement the same methods. Each method is one unit of
 * work (one transaction), so callers never hold a transaction open across
 * awaits.
 */

export type CodeKeyKind = 'email' | 'sms' | 'totp';

export interface Person {
  id: number;
  nationalNumber: string;
  givenNames: string;
  surname: string;
  email: string | null;
  phone: string | null;
  language: string;
  createdAt: number;
}

export interface PasswordKey {
  personId: number;
  username: string;
  passwordHash: string;
  updatedAt: number;
}

export interface CodeKey {
  personId: number;
  kind: CodeKeyKind;
  totpSecret: string | null;
  totpLastStep: number | null;
  activatedAt: number;
}

export interface Session {
  tokenHash: string;
  personId: number | null;
  level: number;
  method: string | null;
  authTime: number | null;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export type PendingPurpose = 'login' | 'register-key' | 'activation';

export interface PendingRequest {
  id: string;
  sessionHash: string;
  personId: number | null;
  purpose: PendingPurpose;
  channel: string;
  codeHash: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface ActivationCode {
  id: string;
  personId: number;
  linkTokenHash: string;
  codeHash: string;
  email: string;
  createdBy: string;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface OutboxMessage {
  id: number;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
  createdAt: number;
}

export interface NewPerson {
  nationalNumber: string;
  givenNames: string;
  surname: string;
  email?: string | null;
  language?: string;
}

export interface DataStore {
  close(): Promise<void>;
  schemaVersion(): Promise<number>;

  findPersonById(id: number): Promise<Person | undefined>;
  findPersonByNationalNumber(nationalNumber: string): Promise<Person | undefined>;
  findPersonByEmail(email: string): Promise<Person | undefined>;
  /** Creates the person, or updates the names of an existing one (an eID login brings the names from the card). */
  upsertPerson(person: NewPerson, now: number): Promise<Person>;
  setPersonEmail(personId: number, email: string | null): Promise<void>;
  setPersonPhone(personId: number, phone: string | null): Promise<void>;
  /** The language the person last used: e-mails and SMS follow it. */
  setPersonLanguage(personId: number, language: string): Promise<void>;

  findPasswordByUsername(username: string): Promise<PasswordKey | undefined>;
  findPassword(personId: number): Promise<PasswordKey | undefined>;
  /** Returns false when the username belongs to someone else. */
  setPassword(personId: number, username: string, passwordHash: string, now: number): Promise<boolean>;
  deletePassword(personId: number): Promise<void>;

  listCodeKeys(personId: number): Promise<CodeKey[]>;
  findCodeKey(personId: number, kind: CodeKeyKind): Promise<CodeKey | undefined>;
  activateCodeKey(key: CodeKey): Promise<void>;
  deleteCodeKey(personId: number, kind: CodeKeyKind): Promise<void>;
  /** Records an accepted TOTP time step; false when it is not newer than the last one (a replay). */
  acceptTotpStep(personId: number, step: number): Promise<boolean>;

  createSession(session: Session): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<Session | undefined>;
  /** Replaces a session by a new one (new token) in one step, as at every (re)authentication. */
  rotateSession(oldTokenHash: string | null, session: Session): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteOtherSessions(personId: number, keepTokenHash: string): Promise<number>;
  deleteExpired(now: number): Promise<void>;

  putNonce(sessionHash: string, nonce: string, expiresAt: number): Promise<void>;
  takeNonce(sessionHash: string): Promise<{ nonce: string; expiresAt: number } | undefined>;

  createPending(request: PendingRequest): Promise<void>;
  findPending(id: string): Promise<PendingRequest | undefined>;
  countAttempt(id: string): Promise<number>;
  /** Marks the request used; false when it already was (single use under concurrency). */
  usePending(id: string, now: number): Promise<boolean>;
  updatePending(id: string, changes: { channel?: string; codeHash?: string | null; payload?: Record<string, unknown>; expiresAt?: number; attempts?: number }): Promise<void>;

  findFailures(personId: number): Promise<{ failures: number; lockedUntil: number } | undefined>;
  setFailures(personId: number, failures: number, lockedUntil: number): Promise<void>;
  clearFailures(personId: number): Promise<void>;
  addIpFailure(ip: string, at: number): Promise<void>;
  countIpFailures(ip: string, since: number): Promise<{ count: number; oldest: number | null }>;

  createActivationCode(code: ActivationCode): Promise<void>;
  findActivationByLink(linkTokenHash: string): Promise<ActivationCode | undefined>;
  findActivation(id: string): Promise<ActivationCode | undefined>;
  countActivationAttempt(id: string): Promise<number>;
  /**
   * Finishes an LRA activation at once: username and password, the chosen
   * code key, the contact data, and the activation code marked used.
   */
  completeActivation(input: {
    activationId: string;
    personId: number;
    username: string;
    passwordHash: string;
    key: CodeKey;
    email: string;
    phone: string | null;
    now: number;
  }): Promise<'ok' | 'used' | 'username-taken'>;

  addOutbox(message: Omit<OutboxMessage, 'id'>): Promise<void>;
  listOutbox(limit: number): Promise<OutboxMessage[]>;
}

/** Usernames are unique regardless of case and surrounding spaces. */
export function usernameKey(username: string): string {
  return username.trim().normalize('NFKC').toLowerCase();
}
