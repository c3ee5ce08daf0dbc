/**
 * The embedded store: SQLite through better-sqlite3, in WAL mode with full
 * fsync on commit, so a crash (even SIGKILL) never loses a committed write.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import {
  usernameKey,
  type ActivationCode,
  type CodeKey,
  type CodeKeyKind,
  type DataStore,
  type NewPerson,
  type OutboxMessage,
  type PasswordKey,
  type PendingRequest,
  type Person,
  type Session,
} from './store.js';

type Row = Record<string, unknown>;

function toPerson(r: Row): Person {
  return {
    id: r.id as number,
    nationalNumber: r.national_number as string,
    givenNames: r.given_names as string,
    surname: r.surname as string,
    email: (r.email as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    language: r.language as string,
    createdAt: r.created_at as number,
  };
}

function toSession(r: Row): Session {
  return {
    tokenHash: r.token_hash as string,
    personId: (r.person_id as number | null) ?? null,
    level: r.level as number,
    method: (r.method as string | null) ?? null,
    authTime: (r.auth_time as number | null) ?? null,
    csrfToken: r.csrf_token as string,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
  };
}

function toCodeKey(r: Row): CodeKey {
  return {
    personId: r.person_id as number,
    kind: r.kind as CodeKeyKind,
    totpSecret: (r.totp_secret as string | null) ?? null,
    totpLastStep: (r.totp_last_step as number | null) ?? null,
    activatedAt: r.activated_at as number,
  };
}

function toPending(r: Row): PendingRequest {
  return {
    id: r.id as string,
    sessionHash: r.session_hash as string,
    personId: (r.person_id as number | null) ?? null,
    purpose: r.purpose as PendingRequest['purpose'],
    channel: r.channel as string,
    codeHash: (r.code_hash as string | null) ?? null,
    payload: JSON.parse(r.payload as string) as Record<string, unknown>,
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    usedAt: (r.used_at as number | null) ?? null,
  };
}

function toActivation(r: Row): ActivationCode {
  return {
    id: r.id as string,
    personId: r.person_id as number,
    linkTokenHash: r.link_token_hash as string,
    codeHash: r.code_hash as string,
    email: r.email as string,
    createdBy: r.created_by as string,
    attempts: r.attempts as number,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
    usedAt: (r.used_at as number | null) ?? null,
  };
}

function toPassword(r: Row): PasswordKey {
  return { personId: r.person_id as number, username: r.username as string, passwordHash: r.password_hash as string, updatedAt: r.updated_at as number };
}

export class SqliteStore implements DataStore {
  readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced, so a power cut or SIGKILL keeps what was answered as done.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => r.version as number));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      })();
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async schemaVersion(): Promise<number> {
    const r = this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as Row;
    return (r.v as number | null) ?? 0;
  }

  async findPersonById(id: number): Promise<Person | undefined> {
    const r = this.db.prepare('SELECT * FROM persons WHERE id = ?').get(id) as Row | undefined;
    return r && toPerson(r);
  }

  async findPersonByNationalNumber(nationalNumber: string): Promise<Person | undefined> {
    const r = this.db.prepare('SELECT * FROM persons WHERE national_number = ?').get(nationalNumber) as Row | undefined;
    return r && toPerson(r);
  }

  async findPersonByEmail(email: string): Promise<Person | undefined> {
    const r = this.db.prepare('SELECT * FROM persons WHERE email = ?').get(email.toLowerCase()) as Row | undefined;
    return r && toPerson(r);
  }

  async upsertPerson(person: NewPerson, now: number): Promise<Person> {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM persons WHERE national_number = ?').get(person.nationalNumber) as Row | undefined;
      if (existing) {
        if (person.givenNames || person.surname) {
          this.db
            .prepare("UPDATE persons SET given_names = COALESCE(NULLIF(?, ''), given_names), surname = COALESCE(NULLIF(?, ''), surname) WHERE id = ?")
            .run(person.givenNames, person.surname, existing.id);
        }
        if (person.email && !existing.email) this.db.prepare('UPDATE persons SET email = ? WHERE id = ?').run(person.email.toLowerCase(), existing.id);
        return toPerson(this.db.prepare('SELECT * FROM persons WHERE id = ?').get(existing.id) as Row);
      }
      const info = this.db
        .prepare('INSERT INTO persons (national_number, given_names, surname, email, language, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(person.nationalNumber, person.givenNames, person.surname, person.email?.toLowerCase() ?? null, person.language ?? 'nl', now);
      return toPerson(this.db.prepare('SELECT * FROM persons WHERE id = ?').get(info.lastInsertRowid) as Row);
    })();
  }

  async setPersonEmail(personId: number, email: string | null): Promise<void> {
    this.db.prepare('UPDATE persons SET email = ? WHERE id = ?').run(email?.toLowerCase() ?? null, personId);
  }

  async setPersonPhone(personId: number, phone: string | null): Promise<void> {
    this.db.prepare('UPDATE persons SET phone = ? WHERE id = ?').run(phone, personId);
  }

  async setPersonLanguage(personId: number, language: string): Promise<void> {
    this.db.prepare('UPDATE persons SET language = ? WHERE id = ? AND language != ?').run(language, personId, language);
  }

  async findPasswordByUsername(username: string): Promise<PasswordKey | undefined> {
    const r = this.db.prepare('SELECT * FROM passwords WHERE username_key = ?').get(usernameKey(username)) as Row | undefined;
    return r && toPassword(r);
  }

  async findPassword(personId: number): Promise<PasswordKey | undefined> {
    const r = this.db.prepare('SELECT * FROM passwords WHERE person_id = ?').get(personId) as Row | undefined;
    return r && toPassword(r);
  }

  private setPasswordSync(personId: number, username: string, passwordHash: string, now: number): boolean {
    const key = usernameKey(username);
    const owner = this.db.prepare('SELECT person_id FROM passwords WHERE username_key = ?').get(key) as Row | undefined;
    if (owner && owner.person_id !== personId) return false;
    this.db
      .prepare(
        `INSERT INTO passwords (person_id, username, username_key, password_hash, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (person_id) DO UPDATE SET username = excluded.username, username_key = excluded.username_key,
           password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      )
      .run(personId, username.trim(), key, passwordHash, now);
    return true;
  }

  async setPassword(personId: number, username: string, passwordHash: string, now: number): Promise<boolean> {
    return this.db.transaction(() => this.setPasswordSync(personId, username, passwordHash, now))();
  }

  async deletePassword(personId: number): Promise<void> {
    this.db.prepare('DELETE FROM passwords WHERE person_id = ?').run(personId);
  }

  async listCodeKeys(personId: number): Promise<CodeKey[]> {
    return (this.db.prepare('SELECT * FROM code_keys WHERE person_id = ? ORDER BY kind').all(personId) as Row[]).map(toCodeKey);
  }

  async findCodeKey(personId: number, kind: CodeKeyKind): Promise<CodeKey | undefined> {
    const r = this.db.prepare('SELECT * FROM code_keys WHERE person_id = ? AND kind = ?').get(personId, kind) as Row | undefined;
    return r && toCodeKey(r);
  }

  private activateCodeKeySync(key: CodeKey): void {
    this.db
      .prepare(
        `INSERT INTO code_keys (person_id, kind, totp_secret, totp_last_step, activated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (person_id, kind) DO UPDATE SET totp_secret = excluded.totp_secret, totp_last_step = excluded.totp_last_step,
           activated_at = excluded.activated_at`,
      )
      .run(key.personId, key.kind, key.totpSecret, key.totpLastStep, key.activatedAt);
  }

  async activateCodeKey(key: CodeKey): Promise<void> {
    this.activateCodeKeySync(key);
  }

  async deleteCodeKey(personId: number, kind: CodeKeyKind): Promise<void> {
    this.db.prepare('DELETE FROM code_keys WHERE person_id = ? AND kind = ?').run(personId, kind);
  }

  async acceptTotpStep(personId: number, step: number): Promise<boolean> {
    const info = this.db
      .prepare("UPDATE code_keys SET totp_last_step = ? WHERE person_id = ? AND kind = 'totp' AND (totp_last_step IS NULL OR totp_last_step < ?)")
      .run(step, personId, step);
    return info.changes === 1;
  }

  private insertSession(s: Session): void {
    this.db
      .prepare('INSERT INTO sessions (token_hash, person_id, level, method, auth_time, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.tokenHash, s.personId, s.level, s.method, s.authTime, s.csrfToken, s.createdAt, s.expiresAt);
  }

  async createSession(session: Session): Promise<void> {
    this.insertSession(session);
  }

  async findSession(tokenHash: string, now: number): Promise<Session | undefined> {
    const r = this.db.prepare('SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?').get(tokenHash, now) as Row | undefined;
    return r && toSession(r);
  }

  async rotateSession(oldTokenHash: string | null, session: Session): Promise<void> {
    this.db.transaction(() => {
      if (oldTokenHash) {
        this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(oldTokenHash);
        this.db.prepare('DELETE FROM challenge_nonces WHERE session_hash = ?').run(oldTokenHash);
        // Requests in flight (a code sent, a key being registered) follow the person to the new session.
        this.db.prepare('UPDATE pending_requests SET session_hash = ? WHERE session_hash = ?').run(session.tokenHash, oldTokenHash);
      }
      this.insertSession(session);
    })();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  async deleteOtherSessions(personId: number, keepTokenHash: string): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE person_id = ? AND token_hash != ?').run(personId, keepTokenHash).changes;
  }

  async deleteExpired(now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
      this.db.prepare('DELETE FROM challenge_nonces WHERE expires_at <= ?').run(now);
      this.db.prepare('DELETE FROM pending_requests WHERE expires_at <= ?').run(now - 24 * 3600_000);
      this.db.prepare('DELETE FROM ip_failures WHERE at <= ?').run(now - 24 * 3600_000);
    })();
  }

  async putNonce(sessionHash: string, nonce: string, expiresAt: number): Promise<void> {
    this.db
      .prepare('INSERT INTO challenge_nonces (session_hash, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (session_hash) DO UPDATE SET nonce = excluded.nonce, expires_at = excluded.expires_at')
      .run(sessionHash, nonce, expiresAt);
  }

  async takeNonce(sessionHash: string): Promise<{ nonce: string; expiresAt: number } | undefined> {
    const r = this.db.prepare('DELETE FROM challenge_nonces WHERE session_hash = ? RETURNING nonce, expires_at').get(sessionHash) as Row | undefined;
    return r && { nonce: r.nonce as string, expiresAt: r.expires_at as number };
  }

  async createPending(p: PendingRequest): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO pending_requests (id, session_hash, person_id, purpose, channel, code_hash, payload, attempts, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(p.id, p.sessionHash, p.personId, p.purpose, p.channel, p.codeHash, JSON.stringify(p.payload), p.attempts, p.createdAt, p.expiresAt, p.usedAt);
  }

  async findPending(id: string): Promise<PendingRequest | undefined> {
    const r = this.db.prepare('SELECT * FROM pending_requests WHERE id = ?').get(id) as Row | undefined;
    return r && toPending(r);
  }

  async countAttempt(id: string): Promise<number> {
    const r = this.db.prepare('UPDATE pending_requests SET attempts = attempts + 1 WHERE id = ? RETURNING attempts').get(id) as Row | undefined;
    return (r?.attempts as number | undefined) ?? 0;
  }

  async usePending(id: string, now: number): Promise<boolean> {
    return this.db.prepare('UPDATE pending_requests SET used_at = ? WHERE id = ? AND used_at IS NULL').run(now, id).changes === 1;
  }

  async updatePending(id: string, changes: { channel?: string; codeHash?: string | null; payload?: Record<string, unknown>; expiresAt?: number; attempts?: number }): Promise<void> {
    const columns: Array<[string, unknown]> = [];
    if (changes.channel !== undefined) columns.push(['channel', changes.channel]);
    if (changes.codeHash !== undefined) columns.push(['code_hash', changes.codeHash]);
    if (changes.payload !== undefined) columns.push(['payload', JSON.stringify(changes.payload)]);
    if (changes.expiresAt !== undefined) columns.push(['expires_at', changes.expiresAt]);
    if (changes.attempts !== undefined) columns.push(['attempts', changes.attempts]);
    const sets = columns.map(([name]) => `${name} = ?`);
    const values = columns.map(([, value]) => value);
    if (!sets.length) return;
    this.db.prepare(`UPDATE pending_requests SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  async findFailures(personId: number): Promise<{ failures: number; lockedUntil: number } | undefined> {
    const r = this.db.prepare('SELECT failures, locked_until FROM account_failures WHERE person_id = ?').get(personId) as Row | undefined;
    return r && { failures: r.failures as number, lockedUntil: r.locked_until as number };
  }

  async setFailures(personId: number, failures: number, lockedUntil: number): Promise<void> {
    this.db
      .prepare('INSERT INTO account_failures (person_id, failures, locked_until) VALUES (?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until')
      .run(personId, failures, lockedUntil);
  }

  async clearFailures(personId: number): Promise<void> {
    this.db.prepare('DELETE FROM account_failures WHERE person_id = ?').run(personId);
  }

  async addIpFailure(ip: string, at: number): Promise<void> {
    this.db.prepare('INSERT INTO ip_failures (ip, at) VALUES (?, ?)').run(ip, at);
  }

  async countIpFailures(ip: string, since: number): Promise<{ count: number; oldest: number | null }> {
    const r = this.db.prepare('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM ip_failures WHERE ip = ? AND at > ?').get(ip, since) as Row;
    return { count: r.n as number, oldest: (r.oldest as number | null) ?? null };
  }

  async createActivationCode(a: ActivationCode): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO activation_codes (id, person_id, link_token_hash, code_hash, email, created_by, attempts, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(a.id, a.personId, a.linkTokenHash, a.codeHash, a.email, a.createdBy, a.attempts, a.createdAt, a.expiresAt, a.usedAt);
  }

  async findActivationByLink(linkTokenHash: string): Promise<ActivationCode | undefined> {
    const r = this.db.prepare('SELECT * FROM activation_codes WHERE link_token_hash = ?').get(linkTokenHash) as Row | undefined;
    return r && toActivation(r);
  }

  async findActivation(id: string): Promise<ActivationCode | undefined> {
    const r = this.db.prepare('SELECT * FROM activation_codes WHERE id = ?').get(id) as Row | undefined;
    return r && toActivation(r);
  }

  async countActivationAttempt(id: string): Promise<number> {
    const r = this.db.prepare('UPDATE activation_codes SET attempts = attempts + 1 WHERE id = ? RETURNING attempts').get(id) as Row | undefined;
    return (r?.attempts as number | undefined) ?? 0;
  }

  async completeActivation(input: Parameters<DataStore['completeActivation']>[0]): Promise<'ok' | 'used' | 'username-taken'> {
    const run = this.db.transaction((): 'ok' | 'used' => {
      const used = this.db.prepare('UPDATE activation_codes SET used_at = ? WHERE id = ? AND used_at IS NULL').run(input.now, input.activationId);
      if (used.changes !== 1) return 'used';
      // Throwing rolls the whole activation back, the used mark included.
      if (!this.setPasswordSync(input.personId, input.username, input.passwordHash, input.now)) throw new UsernameTaken();
      this.activateCodeKeySync(input.key);
      this.db.prepare('UPDATE persons SET email = ?, phone = COALESCE(?, phone) WHERE id = ?').run(input.email.toLowerCase(), input.phone, input.personId);
      return 'ok';
    });
    try {
      return run();
    } catch (e) {
      if (e instanceof UsernameTaken) return 'username-taken';
      throw e;
    }
  }

  async addOutbox(m: Omit<OutboxMessage, 'id'>): Promise<void> {
    this.db.prepare('INSERT INTO outbox (channel, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)').run(m.channel, m.recipient, m.subject, m.body, m.createdAt);
  }

  async listOutbox(limit: number): Promise<OutboxMessage[]> {
    return (this.db.prepare('SELECT * FROM outbox ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map((r) => ({
      id: r.id as number,
      channel: r.channel as 'email' | 'sms',
      recipient: r.recipient as string,
      subject: r.subject as string,
      body: r.body as string,
      createdAt: r.created_at as number,
    }));
  }
}

/** Thrown inside a transaction to roll it back. */
class UsernameTaken extends Error {}
