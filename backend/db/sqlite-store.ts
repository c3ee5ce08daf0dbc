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
  type AccessEnterprise,
  type AccessLogEntry,
  type AccessManager,
  type HtbRequest,
  type HtbRequestStatus,
  type MandateChanges,
  type MandateRow,
  type ManagerRole,
  type NewRegisterEnterprise,
  type PartyType,
  type RegisterEnterprise,
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

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Reads a row into a record whose fields are the columns in camelCase
 * (national_number → nationalNumber); SQL NULL becomes null, and the named
 * JSON columns are parsed.
 */
function fromRow<T>(fields: ReadonlyArray<keyof T & string>, json: ReadonlyArray<keyof T & string> = []): (row: Row) => T {
  return (row) => {
    const record: Record<string, unknown> = {};
    for (const field of fields) {
      const value = row[snakeCase(field)] ?? null;
      record[field] = json.includes(field) && typeof value === 'string' ? JSON.parse(value) : value;
    }
    return record as T;
  };
}

const toPerson = fromRow<Person>(['id', 'nationalNumber', 'givenNames', 'surname', 'email', 'phone', 'language', 'createdAt']);
const toSession = fromRow<Session>(['tokenHash', 'personId', 'level', 'method', 'authTime', 'csrfToken', 'createdAt', 'expiresAt']);
const toCodeKey = fromRow<CodeKey>(['personId', 'kind', 'totpSecret', 'totpLastStep', 'activatedAt']);
const toPending = fromRow<PendingRequest>(['id', 'sessionHash', 'personId', 'purpose', 'channel', 'codeHash', 'payload', 'attempts', 'createdAt', 'expiresAt', 'usedAt'], ['payload']);
const toActivation = fromRow<ActivationCode>(['id', 'personId', 'linkTokenHash', 'codeHash', 'email', 'createdBy', 'attempts', 'createdAt', 'expiresAt', 'usedAt']);
const toPassword = fromRow<PasswordKey>(['personId', 'username', 'passwordHash', 'updatedAt']);
const toOutbox = fromRow<OutboxMessage>(['id', 'channel', 'recipient', 'subject', 'body', 'createdAt']);
const toManager = fromRow<AccessManager>(['enterpriseNumber', 'nationalNumber', 'role', 'domain', 'email', 'phone', 'appointedBy', 'appointedAt']);
const toAccessEnterprise = fromRow<AccessEnterprise>(['enterpriseNumber', 'email', 'registeredBy', 'registeredAt']);
const toLogEntry = fromRow<AccessLogEntry>(['actor', 'action', 'details', 'at'], ['details']);
const toRequest = fromRow<HtbRequest>(['ticket', 'pdfTokenHash', 'enterpriseNumber', 'payload', 'status', 'reason', 'createdAt', 'updatedAt'], ['payload']);
const MANDATE_FIELDS = [
  'id', 'giverType', 'giverId', 'holderType', 'holderId', 'mandateType', 'startDate', 'endDate', 'giverSignedBy', 'giverSignedAt',
  'holderSignedBy', 'holderSignedAt', 'stoppedBy', 'stoppedAt', 'replacedBy', 'createdBy', 'createdAt',
  'extensionEndDate', 'extensionSide', 'extensionBy', 'extensionAt',
] as const satisfies ReadonlyArray<keyof MandateRow>;
const toMandate = fromRow<MandateRow>(MANDATE_FIELDS);
/** The mandate fields a change may set (never who made it or when). */
const MANDATE_CHANGES = [
  'giverSignedBy', 'giverSignedAt', 'holderSignedBy', 'holderSignedAt', 'stoppedBy', 'stoppedAt', 'endDate', 'replacedBy',
  'extensionEndDate', 'extensionSide', 'extensionBy', 'extensionAt',
] as const;

export class SqliteStore implements DataStore {
  /** The database handle never leaves this class: every reader and writer goes through the DataStore methods. */
  private readonly db: Database.Database;

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

  /** The first row of a query, as a record; undefined when there is none. */
  private one<T>(toRecord: (row: Row) => T, sql: string, ...args: unknown[]): T | undefined {
    const row = this.db.prepare(sql).get(...args) as Row | undefined;
    return row && toRecord(row);
  }

  private all<T>(toRecord: (row: Row) => T, sql: string, ...args: unknown[]): T[] {
    return (this.db.prepare(sql).all(...args) as Row[]).map(toRecord);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async schemaVersion(): Promise<number> {
    const r = this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as Row;
    return (r.v as number | null) ?? 0;
  }

  async findPersonById(id: number): Promise<Person | undefined> {
    return this.one(toPerson, 'SELECT * FROM persons WHERE id = ?', id);
  }

  async findPersonByNationalNumber(nationalNumber: string): Promise<Person | undefined> {
    return this.one(toPerson, 'SELECT * FROM persons WHERE national_number = ?', nationalNumber);
  }

  async findPersonByEmail(email: string): Promise<Person | undefined> {
    return this.one(toPerson, 'SELECT * FROM persons WHERE email = ?', email.toLowerCase());
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
    return this.one(toPassword, 'SELECT * FROM passwords WHERE username_key = ?', usernameKey(username));
  }

  async findPassword(personId: number): Promise<PasswordKey | undefined> {
    return this.one(toPassword, 'SELECT * FROM passwords WHERE person_id = ?', personId);
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
    return this.all(toCodeKey, 'SELECT * FROM code_keys WHERE person_id = ? ORDER BY kind', personId);
  }

  async findCodeKey(personId: number, kind: CodeKeyKind): Promise<CodeKey | undefined> {
    return this.one(toCodeKey, 'SELECT * FROM code_keys WHERE person_id = ? AND kind = ?', personId, kind);
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
    return this.one(toSession, 'SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?', tokenHash, now);
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
    return this.one(toPending, 'SELECT * FROM pending_requests WHERE id = ?', id);
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

  async countAccountFailure(personId: number, now: number): Promise<number | undefined> {
    const r = this.db
      .prepare(
        'INSERT INTO account_failures (person_id, failures, locked_until) VALUES (?, 1, 0) ON CONFLICT (person_id) DO UPDATE SET failures = failures + 1 WHERE locked_until <= ? RETURNING failures',
      )
      .get(personId, now) as Row | undefined;
    return r?.failures as number | undefined;
  }

  async lockAccount(personId: number, until: number): Promise<void> {
    this.db.prepare('UPDATE account_failures SET locked_until = MAX(locked_until, ?) WHERE person_id = ?').run(until, personId);
  }

  async clearFailures(personId: number): Promise<void> {
    this.db.prepare('DELETE FROM account_failures WHERE person_id = ?').run(personId);
  }

  async reserveIpFailure(ip: string, at: number, since: number, max: number): Promise<{ reservation: number } | { oldest: number }> {
    // One write transaction: concurrent attempts (threads or processes) cannot both take the last slot.
    return this.db
      .transaction(() => {
        const r = this.db.prepare('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM ip_failures WHERE ip = ? AND at > ?').get(ip, since) as Row;
        if ((r.n as number) >= max) return { oldest: (r.oldest as number | null) ?? at };
        const inserted = this.db.prepare('INSERT INTO ip_failures (ip, at) VALUES (?, ?) RETURNING rowid AS id').get(ip, at) as Row;
        return { reservation: inserted.id as number };
      })
      .immediate();
  }

  async releaseIpFailure(reservation: number): Promise<void> {
    this.db.prepare('DELETE FROM ip_failures WHERE rowid = ?').run(reservation);
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
    return this.one(toActivation, 'SELECT * FROM activation_codes WHERE link_token_hash = ?', linkTokenHash);
  }

  async findActivation(id: string): Promise<ActivationCode | undefined> {
    return this.one(toActivation, 'SELECT * FROM activation_codes WHERE id = ?', id);
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
    return this.all(toOutbox, 'SELECT * FROM outbox ORDER BY id DESC LIMIT ?', limit);
  }

  // --- the enterprise register stand-in ---

  async putRegisterEnterprise(e: NewRegisterEnterprise, source: string, now: number, overwrite = true): Promise<void> {
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM register_enterprises WHERE enterprise_number = ?').get(e.enterpriseNumber);
      if (exists && !overwrite) return;
      this.db
        .prepare(
          `INSERT INTO register_enterprises (enterprise_number, name, address, source, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (enterprise_number) DO UPDATE SET name = excluded.name, address = excluded.address`,
        )
        .run(e.enterpriseNumber, e.name, e.address, source, now);
      const put = this.db.prepare(
        `INSERT INTO register_representatives (enterprise_number, national_number, given_names, surname) VALUES (?, ?, ?, ?)
         ON CONFLICT (enterprise_number, national_number) DO UPDATE SET given_names = excluded.given_names, surname = excluded.surname`,
      );
      for (const r of e.representatives) put.run(e.enterpriseNumber, r.nationalNumber, r.givenNames, r.surname);
    })();
  }

  private registerEnterprise(enterpriseNumber: string): RegisterEnterprise | undefined {
    const r = this.db.prepare('SELECT * FROM register_enterprises WHERE enterprise_number = ?').get(enterpriseNumber) as Row | undefined;
    if (!r) return undefined;
    const reps = this.db.prepare('SELECT * FROM register_representatives WHERE enterprise_number = ? ORDER BY surname, given_names').all(enterpriseNumber) as Row[];
    return {
      enterpriseNumber,
      name: r.name as string,
      address: r.address as string,
      source: r.source as string,
      representatives: reps.map(fromRow<RegisterEnterprise['representatives'][number]>(['nationalNumber', 'givenNames', 'surname'])),
    };
  }

  async findRegisterEnterprise(enterpriseNumber: string): Promise<RegisterEnterprise | undefined> {
    return this.registerEnterprise(enterpriseNumber);
  }

  async listRegisterEnterprises(): Promise<RegisterEnterprise[]> {
    const rows = this.db.prepare('SELECT enterprise_number FROM register_enterprises ORDER BY name').all() as Row[];
    return rows.map((r) => this.registerEnterprise(r.enterprise_number as string)!);
  }

  async isRepresentative(enterpriseNumber: string, nationalNumber: string): Promise<boolean> {
    return !!this.db.prepare('SELECT 1 FROM register_representatives WHERE enterprise_number = ? AND national_number = ?').get(enterpriseNumber, nationalNumber);
  }

  async representativeName(nationalNumber: string): Promise<{ givenNames: string; surname: string } | undefined> {
    const r = this.db.prepare('SELECT given_names, surname FROM register_representatives WHERE national_number = ? LIMIT 1').get(nationalNumber) as Row | undefined;
    return r && { givenNames: r.given_names as string, surname: r.surname as string };
  }

  // --- access management ---

  async findAccessEnterprise(enterpriseNumber: string): Promise<AccessEnterprise | undefined> {
    return this.one(toAccessEnterprise, 'SELECT * FROM access_enterprises WHERE enterprise_number = ?', enterpriseNumber);
  }

  async appointHtb(input: Parameters<DataStore['appointHtb']>[0]): Promise<{ previous: string | null } | 'same'> {
    return this.db.transaction(() => {
      const current = this.db.prepare("SELECT national_number FROM access_managers WHERE enterprise_number = ? AND role = 'htb'").get(input.enterpriseNumber) as Row | undefined;
      if (current && current.national_number === input.nationalNumber) return 'same' as const;
      this.db
        .prepare(
          `INSERT INTO access_enterprises (enterprise_number, email, registered_by, registered_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (enterprise_number) DO UPDATE SET email = excluded.email`,
        )
        .run(input.enterpriseNumber, input.enterpriseEmail, input.by, input.now);
      this.db.prepare("DELETE FROM access_managers WHERE enterprise_number = ? AND role = 'htb'").run(input.enterpriseNumber);
      // A co-HTB who becomes the HTB is not also listed as co-HTB.
      this.db.prepare("DELETE FROM access_managers WHERE enterprise_number = ? AND role = 'co-htb' AND national_number = ?").run(input.enterpriseNumber, input.nationalNumber);
      this.db
        .prepare("INSERT INTO access_managers (enterprise_number, national_number, role, domain, email, phone, appointed_by, appointed_at) VALUES (?, ?, 'htb', '', ?, ?, ?, ?)")
        .run(input.enterpriseNumber, input.nationalNumber, input.email, input.phone, input.by, input.now);
      this.addLog(input.enterpriseNumber, input.log);
      return { previous: (current?.national_number as string | undefined) ?? null };
    })();
  }

  async listManagers(enterpriseNumber: string): Promise<AccessManager[]> {
    return this.all(toManager, 'SELECT * FROM access_managers WHERE enterprise_number = ? ORDER BY role, domain, appointed_at', enterpriseNumber);
  }

  async rolesOf(nationalNumber: string): Promise<AccessManager[]> {
    return this.all(toManager, 'SELECT * FROM access_managers WHERE national_number = ?', nationalNumber);
  }

  /** Runs one statement and, when it changed a row, logs the change with it; false when nothing changed. */
  private changeLogged(enterpriseNumber: string, log: AccessLogEntry, change: () => Database.RunResult): boolean {
    return this.db.transaction(() => {
      if (change().changes === 0) return false;
      this.addLog(enterpriseNumber, log);
      return true;
    })();
  }

  async addManager(m: AccessManager, log: AccessLogEntry): Promise<boolean> {
    return this.changeLogged(m.enterpriseNumber, log, () =>
      this.db
        .prepare('INSERT OR IGNORE INTO access_managers (enterprise_number, national_number, role, domain, email, phone, appointed_by, appointed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(m.enterpriseNumber, m.nationalNumber, m.role, m.domain, m.email, m.phone, m.appointedBy, m.appointedAt),
    );
  }

  async removeManager(enterpriseNumber: string, nationalNumber: string, role: ManagerRole, domain: string, log: AccessLogEntry): Promise<boolean> {
    return this.changeLogged(enterpriseNumber, log, () =>
      this.db.prepare('DELETE FROM access_managers WHERE enterprise_number = ? AND national_number = ? AND role = ? AND domain = ?').run(enterpriseNumber, nationalNumber, role, domain),
    );
  }

  async setEnterpriseEmail(enterpriseNumber: string, email: string, log: AccessLogEntry): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('UPDATE access_enterprises SET email = ? WHERE enterprise_number = ?').run(email, enterpriseNumber);
      this.addLog(enterpriseNumber, log);
    })();
  }

  async domainContacts(enterpriseNumber: string): Promise<Map<string, string>> {
    const rows = this.db.prepare('SELECT domain, email FROM access_domain_contacts WHERE enterprise_number = ?').all(enterpriseNumber) as Row[];
    return new Map(rows.map((r) => [r.domain as string, r.email as string]));
  }

  async setDomainContact(enterpriseNumber: string, domain: string, email: string | null, log: AccessLogEntry): Promise<boolean> {
    return this.changeLogged(enterpriseNumber, log, () =>
      email === null
        ? this.db.prepare('DELETE FROM access_domain_contacts WHERE enterprise_number = ? AND domain = ?').run(enterpriseNumber, domain)
        : this.db
            .prepare('INSERT INTO access_domain_contacts (enterprise_number, domain, email) VALUES (?, ?, ?) ON CONFLICT (enterprise_number, domain) DO UPDATE SET email = excluded.email')
            .run(enterpriseNumber, domain, email),
    );
  }

  /** Only inside the transaction of the change it records. */
  private addLog(enterpriseNumber: string, entry: AccessLogEntry): void {
    this.db.prepare('INSERT INTO access_log (enterprise_number, actor, action, details, at) VALUES (?, ?, ?, ?, ?)').run(enterpriseNumber, entry.actor, entry.action, JSON.stringify(entry.details), entry.at);
  }

  async listLog(enterpriseNumber: string, limit = 200): Promise<AccessLogEntry[]> {
    return this.all(toLogEntry, 'SELECT * FROM access_log WHERE enterprise_number = ? ORDER BY at DESC, id DESC LIMIT ?', enterpriseNumber, limit);
  }

  // --- the HTB exception procedure ---

  async createRequest(request: HtbRequest): Promise<void> {
    this.db
      .prepare('INSERT INTO htb_requests (ticket, pdf_token_hash, enterprise_number, payload, status, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(request.ticket, request.pdfTokenHash, request.enterpriseNumber, JSON.stringify(request.payload), request.status, request.reason, request.createdAt, request.updatedAt);
  }

  async findRequest(ticket: string): Promise<HtbRequest | undefined> {
    return this.one(toRequest, 'SELECT * FROM htb_requests WHERE ticket = ?', ticket);
  }

  async listRequests(status?: HtbRequestStatus): Promise<HtbRequest[]> {
    const rows = (status ? this.db.prepare('SELECT * FROM htb_requests WHERE status = ? ORDER BY created_at').all(status) : this.db.prepare('SELECT * FROM htb_requests ORDER BY created_at').all()) as Row[];
    return rows.map(toRequest);
  }

  async setRequestStatus(ticket: string, from: HtbRequestStatus[], to: HtbRequestStatus, reason: string | null, now: number): Promise<boolean> {
    const r = this.db
      .prepare(`UPDATE htb_requests SET status = ?, reason = ?, updated_at = ? WHERE ticket = ? AND status IN (${from.map(() => '?').join(', ')})`)
      .run(to, reason, now, ticket, ...from);
    return r.changes === 1;
  }

  // --- mandates ---

  private insertMandate(m: MandateRow): void {
    this.db
      .prepare(`INSERT INTO mandates (${MANDATE_FIELDS.map(snakeCase).join(', ')}) VALUES (${MANDATE_FIELDS.map(() => '?').join(', ')})`)
      .run(...MANDATE_FIELDS.map((field) => m[field]));
  }

  private changeMandate(id: string, changes: MandateChanges): void {
    const fields = MANDATE_CHANGES.filter((field) => field in changes);
    if (fields.length === 0) return;
    this.db.prepare(`UPDATE mandates SET ${fields.map((field) => `${snakeCase(field)} = ?`).join(', ')} WHERE id = ?`).run(...fields.map((field) => changes[field] ?? null), id);
  }

  async createMandate(m: MandateRow): Promise<void> {
    this.insertMandate(m);
  }

  async findMandate(id: string): Promise<MandateRow | undefined> {
    return this.one(toMandate, 'SELECT * FROM mandates WHERE id = ?', id);
  }

  async listMandatesOf(parties: Array<{ type: PartyType; id: string }>): Promise<MandateRow[]> {
    if (parties.length === 0) return [];
    const where = parties.map(() => '((giver_type = ? AND giver_id = ?) OR (holder_type = ? AND holder_id = ?))').join(' OR ');
    const args = parties.flatMap((p) => [p.type, p.id, p.type, p.id]);
    return (this.db.prepare(`SELECT * FROM mandates WHERE ${where} ORDER BY created_at DESC`).all(...args) as Row[]).map(toMandate);
  }

  async updateMandate(id: string, changes: MandateChanges): Promise<void> {
    this.changeMandate(id, changes);
  }

  async transferMandate(oldId: string, next: MandateRow, stop: { by: string; at: number }): Promise<void> {
    this.db.transaction(() => {
      this.insertMandate(next);
      this.changeMandate(oldId, { stoppedBy: stop.by, stoppedAt: stop.at, replacedBy: next.id });
    })();
  }
}

/** Thrown inside a transaction to roll it back. */
class UsernameTaken extends Error {}
