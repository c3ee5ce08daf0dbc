/**
 * The store over SQL, the same statements for SQLite (the embedded default)
 * and PostgreSQL (several instances on one database): each method is one
 * unit of work. What differs between the two databases lives in their
 * SqlDatabase (sqlite-database.ts, postgres-database.ts) and in migrationSql.
 */
import { MIGRATIONS, SCHEMA_MIGRATIONS_TABLE, migrationSql } from './migrations.js';
import type { Row, SqlConnection, SqlDatabase, SqlValue } from './sql.js';
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
  type SigningDocument,
  type AccessDocument,
  type AccessSignatureEffect,
} from './store.js';

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
const toSigningDocument = fromRow<SigningDocument>(['id', 'personId', 'sessionHash', 'fileName', 'title', 'pageCount', 'pdf', 'pending', 'createdAt', 'expiresAt'], ['pending']);
const toAccessDocument = fromRow<AccessDocument>(['subject', 'language', 'pdf', 'pending', 'pendingSide', 'pendingBy', 'updatedAt']);
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

export class SqlStore implements DataStore {
  /** The database never leaves this class: every reader and writer goes through the DataStore methods. */
  private constructor(private readonly db: SqlDatabase) {}

  /** The store over this database, its schema brought up to date first. */
  static async open(db: SqlDatabase): Promise<SqlStore> {
    const store = new SqlStore(db);
    try {
      await store.migrate();
    } catch (e) {
      await db.close();
      throw e;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    // One transaction for all of them, serialized: instances starting together apply each migration once.
    await this.db.transaction(async (tx) => {
      await tx.script(SCHEMA_MIGRATIONS_TABLE);
      const applied = new Set((await tx.all('SELECT version FROM schema_migrations')).map((r) => r.version as number));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await tx.script(migrationSql(m, this.db.dialect));
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      }
    }, 'schema migrations');
  }

  /** The first row of a query, as a record; undefined when there is none. */
  private async one<T>(toRecord: (row: Row) => T, sql: string, ...args: SqlValue[]): Promise<T | undefined> {
    const row = await this.db.one(sql, args);
    return row && toRecord(row);
  }

  private async all<T>(toRecord: (row: Row) => T, sql: string, ...args: SqlValue[]): Promise<T[]> {
    return (await this.db.all(sql, args)).map(toRecord);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async schemaVersion(): Promise<number> {
    const r = await this.db.one('SELECT MAX(version) AS v FROM schema_migrations');
    return (r?.v as number | null | undefined) ?? 0;
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
    // One statement: two logins of the same new person at once (on two instances) make one row.
    const row = await this.db.one(
      `INSERT INTO persons (national_number, given_names, surname, email, language, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (national_number) DO UPDATE SET
         given_names = COALESCE(NULLIF(excluded.given_names, ''), persons.given_names),
         surname = COALESCE(NULLIF(excluded.surname, ''), persons.surname),
         email = COALESCE(persons.email, excluded.email)
       RETURNING *`,
      [person.nationalNumber, person.givenNames, person.surname, person.email?.toLowerCase() ?? null, person.language ?? 'nl', now],
    );
    return toPerson(row!);
  }

  async setPersonEmail(personId: number, email: string | null): Promise<void> {
    await this.db.run('UPDATE persons SET email = ? WHERE id = ?', [email?.toLowerCase() ?? null, personId]);
  }

  async setPersonPhone(personId: number, phone: string | null): Promise<void> {
    await this.db.run('UPDATE persons SET phone = ? WHERE id = ?', [phone, personId]);
  }

  async setPersonLanguage(personId: number, language: string): Promise<void> {
    await this.db.run('UPDATE persons SET language = ? WHERE id = ? AND language != ?', [language, personId, language]);
  }

  async findPasswordByUsername(username: string): Promise<PasswordKey | undefined> {
    return this.one(toPassword, 'SELECT * FROM passwords WHERE username_key = ?', usernameKey(username));
  }

  async findPassword(personId: number): Promise<PasswordKey | undefined> {
    return this.one(toPassword, 'SELECT * FROM passwords WHERE person_id = ?', personId);
  }

  /** Inside a transaction serialized on usernameLock: the owner read decides the write. */
  private async setPasswordIn(tx: SqlConnection, personId: number, username: string, passwordHash: string, now: number): Promise<boolean> {
    const key = usernameKey(username);
    const owner = await tx.one('SELECT person_id FROM passwords WHERE username_key = ?', [key]);
    if (owner && owner.person_id !== personId) return false;
    await tx.run(
      `INSERT INTO passwords (person_id, username, username_key, password_hash, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (person_id) DO UPDATE SET username = excluded.username, username_key = excluded.username_key,
         password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      [personId, username.trim(), key, passwordHash, now],
    );
    return true;
  }

  async setPassword(personId: number, username: string, passwordHash: string, now: number): Promise<boolean> {
    return this.db.transaction((tx) => this.setPasswordIn(tx, personId, username, passwordHash, now), usernameLock(username));
  }

  async deletePassword(personId: number): Promise<void> {
    await this.db.run('DELETE FROM passwords WHERE person_id = ?', [personId]);
  }

  async listCodeKeys(personId: number): Promise<CodeKey[]> {
    return this.all(toCodeKey, 'SELECT * FROM code_keys WHERE person_id = ? ORDER BY kind', personId);
  }

  async findCodeKey(personId: number, kind: CodeKeyKind): Promise<CodeKey | undefined> {
    return this.one(toCodeKey, 'SELECT * FROM code_keys WHERE person_id = ? AND kind = ?', personId, kind);
  }

  private async activateCodeKeyIn(tx: SqlConnection, key: CodeKey): Promise<void> {
    await tx.run(
      `INSERT INTO code_keys (person_id, kind, totp_secret, totp_last_step, activated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (person_id, kind) DO UPDATE SET totp_secret = excluded.totp_secret, totp_last_step = excluded.totp_last_step,
         activated_at = excluded.activated_at`,
      [key.personId, key.kind, key.totpSecret, key.totpLastStep, key.activatedAt],
    );
  }

  async activateCodeKey(key: CodeKey): Promise<void> {
    await this.activateCodeKeyIn(this.db, key);
  }

  async deleteCodeKey(personId: number, kind: CodeKeyKind): Promise<void> {
    await this.db.run('DELETE FROM code_keys WHERE person_id = ? AND kind = ?', [personId, kind]);
  }

  async acceptTotpStep(personId: number, step: number): Promise<boolean> {
    const changes = await this.db.run(
      "UPDATE code_keys SET totp_last_step = ? WHERE person_id = ? AND kind = 'totp' AND (totp_last_step IS NULL OR totp_last_step < ?)",
      [step, personId, step],
    );
    return changes === 1;
  }

  private async insertSession(tx: SqlConnection, s: Session): Promise<void> {
    await tx.run('INSERT INTO sessions (token_hash, person_id, level, method, auth_time, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      s.tokenHash,
      s.personId,
      s.level,
      s.method,
      s.authTime,
      s.csrfToken,
      s.createdAt,
      s.expiresAt,
    ]);
  }

  async createSession(session: Session): Promise<void> {
    await this.insertSession(this.db, session);
  }

  async findSession(tokenHash: string, now: number): Promise<Session | undefined> {
    return this.one(toSession, 'SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?', tokenHash, now);
  }

  async rotateSession(oldTokenHash: string | null, session: Session): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (oldTokenHash) {
        await tx.run('DELETE FROM sessions WHERE token_hash = ?', [oldTokenHash]);
        await tx.run('DELETE FROM challenge_nonces WHERE session_hash = ?', [oldTokenHash]);
        // Requests in flight (a code sent, a key being registered) follow the person to the new session.
        await tx.run('UPDATE pending_requests SET session_hash = ? WHERE session_hash = ?', [session.tokenHash, oldTokenHash]);
      }
      await this.insertSession(tx, session);
    });
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async deleteOtherSessions(personId: number, keepTokenHash: string): Promise<number> {
    return this.db.run('DELETE FROM sessions WHERE person_id = ? AND token_hash != ?', [personId, keepTokenHash]);
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM sessions WHERE expires_at <= ?', [now]);
      await tx.run('DELETE FROM challenge_nonces WHERE expires_at <= ?', [now]);
      await tx.run('DELETE FROM pending_requests WHERE expires_at <= ?', [now - 24 * 3600_000]);
      await tx.run('DELETE FROM ip_failures WHERE at <= ?', [now - 24 * 3600_000]);
      await tx.run('DELETE FROM request_counts WHERE window_ends <= ?', [now]);
      await tx.run('DELETE FROM signing_documents WHERE expires_at <= ?', [now]);
    });
  }

  async putNonce(sessionHash: string, nonce: string, expiresAt: number): Promise<void> {
    await this.db.run(
      'INSERT INTO challenge_nonces (session_hash, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (session_hash) DO UPDATE SET nonce = excluded.nonce, expires_at = excluded.expires_at',
      [sessionHash, nonce, expiresAt],
    );
  }

  async takeNonce(sessionHash: string): Promise<{ nonce: string; expiresAt: number } | undefined> {
    // One DELETE … RETURNING: of two instances taking the same nonce at once, only one gets the row.
    const r = await this.db.one('DELETE FROM challenge_nonces WHERE session_hash = ? RETURNING nonce, expires_at', [sessionHash]);
    return r && { nonce: r.nonce as string, expiresAt: r.expires_at as number };
  }

  async createPending(p: PendingRequest): Promise<void> {
    await this.db.run(
      'INSERT INTO pending_requests (id, session_hash, person_id, purpose, channel, code_hash, payload, attempts, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [p.id, p.sessionHash, p.personId, p.purpose, p.channel, p.codeHash, JSON.stringify(p.payload), p.attempts, p.createdAt, p.expiresAt, p.usedAt],
    );
  }

  async findPending(id: string): Promise<PendingRequest | undefined> {
    return this.one(toPending, 'SELECT * FROM pending_requests WHERE id = ?', id);
  }

  async countAttempt(id: string): Promise<number> {
    const r = await this.db.one('UPDATE pending_requests SET attempts = attempts + 1 WHERE id = ? RETURNING attempts', [id]);
    return (r?.attempts as number | undefined) ?? 0;
  }

  async usePending(id: string, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE pending_requests SET used_at = ? WHERE id = ? AND used_at IS NULL', [now, id])) === 1;
  }

  async updatePending(id: string, changes: { channel?: string; codeHash?: string | null; payload?: Record<string, unknown>; expiresAt?: number; attempts?: number }): Promise<void> {
    const columns: Array<[string, SqlValue]> = [];
    if (changes.channel !== undefined) columns.push(['channel', changes.channel]);
    if (changes.codeHash !== undefined) columns.push(['code_hash', changes.codeHash]);
    if (changes.payload !== undefined) columns.push(['payload', JSON.stringify(changes.payload)]);
    if (changes.expiresAt !== undefined) columns.push(['expires_at', changes.expiresAt]);
    if (changes.attempts !== undefined) columns.push(['attempts', changes.attempts]);
    if (!columns.length) return;
    await this.db.run(`UPDATE pending_requests SET ${columns.map(([name]) => `${name} = ?`).join(', ')} WHERE id = ?`, [...columns.map(([, value]) => value), id]);
  }

  async createSigningDocument(d: SigningDocument): Promise<void> {
    await this.db.run(
      'INSERT INTO signing_documents (id, person_id, session_hash, file_name, title, page_count, pdf, pending, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [d.id, d.personId, d.sessionHash, d.fileName, d.title, d.pageCount, d.pdf, d.pending === null ? null : JSON.stringify(d.pending), d.createdAt, d.expiresAt],
    );
  }

  async findSigningDocument(id: string): Promise<SigningDocument | undefined> {
    return this.one(toSigningDocument, 'SELECT * FROM signing_documents WHERE id = ?', id);
  }

  async setSigningDocumentPending(id: string, pending: Record<string, unknown>): Promise<void> {
    await this.db.run('UPDATE signing_documents SET pending = ? WHERE id = ?', [JSON.stringify(pending), id]);
  }

  async takeSigningDocument(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM signing_documents WHERE id = ?', [id])) === 1;
  }

  async findFailures(personId: number): Promise<{ failures: number; lockedUntil: number } | undefined> {
    const r = await this.db.one('SELECT failures, locked_until FROM account_failures WHERE person_id = ?', [personId]);
    return r && { failures: r.failures as number, lockedUntil: r.locked_until as number };
  }

  async countAccountFailure(personId: number, now: number): Promise<number | undefined> {
    const r = await this.db.one(
      `INSERT INTO account_failures (person_id, failures, locked_until) VALUES (?, 1, 0)
       ON CONFLICT (person_id) DO UPDATE SET failures = account_failures.failures + 1 WHERE account_failures.locked_until <= ?
       RETURNING failures`,
      [personId, now],
    );
    return r?.failures as number | undefined;
  }

  async lockAccount(personId: number, until: number): Promise<void> {
    await this.db.run('UPDATE account_failures SET locked_until = CASE WHEN locked_until > ? THEN locked_until ELSE ? END WHERE person_id = ?', [until, until, personId]);
  }

  async clearFailures(personId: number): Promise<void> {
    await this.db.run('DELETE FROM account_failures WHERE person_id = ?', [personId]);
  }

  async reserveIpFailure(ip: string, at: number, since: number, max: number): Promise<{ reservation: number } | { oldest: number }> {
    // Serialized per address: concurrent attempts (in any process) cannot both take the last slot.
    return this.db.transaction(async (tx): Promise<{ reservation: number } | { oldest: number }> => {
      const r = (await tx.one('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM ip_failures WHERE ip = ? AND at > ?', [ip, since]))!;
      if ((r.n as number) >= max) return { oldest: (r.oldest as number | null) ?? at };
      const inserted = (await tx.one('INSERT INTO ip_failures (ip, at) VALUES (?, ?) RETURNING id', [ip, at]))!;
      return { reservation: inserted.id as number };
    }, `ip-failures ${ip}`);
  }

  async releaseIpFailure(reservation: number): Promise<void> {
    await this.db.run('DELETE FROM ip_failures WHERE id = ?', [reservation]);
  }

  async countIpFailures(ip: string, since: number): Promise<{ count: number; oldest: number | null }> {
    const r = (await this.db.one('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM ip_failures WHERE ip = ? AND at > ?', [ip, since]))!;
    return { count: r.n as number, oldest: (r.oldest as number | null) ?? null };
  }

  async countRequest(key: string, now: number, windowMs: number): Promise<{ count: number; windowEnds: number }> {
    // One statement: the count goes up atomically, and a window that has ended starts again at 1.
    const r = (await this.db.one(
      `INSERT INTO request_counts (request_key, requests, window_ends) VALUES (?, 1, ?)
       ON CONFLICT (request_key) DO UPDATE SET
         requests = CASE WHEN request_counts.window_ends <= ? THEN 1 ELSE request_counts.requests + 1 END,
         window_ends = CASE WHEN request_counts.window_ends <= ? THEN excluded.window_ends ELSE request_counts.window_ends END
       RETURNING requests, window_ends`,
      [key, now + windowMs, now, now],
    ))!;
    return { count: r.requests as number, windowEnds: r.window_ends as number };
  }

  async createActivationCode(a: ActivationCode): Promise<void> {
    await this.db.run(
      'INSERT INTO activation_codes (id, person_id, link_token_hash, code_hash, email, created_by, attempts, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [a.id, a.personId, a.linkTokenHash, a.codeHash, a.email, a.createdBy, a.attempts, a.createdAt, a.expiresAt, a.usedAt],
    );
  }

  async findActivationByLink(linkTokenHash: string): Promise<ActivationCode | undefined> {
    return this.one(toActivation, 'SELECT * FROM activation_codes WHERE link_token_hash = ?', linkTokenHash);
  }

  async findActivation(id: string): Promise<ActivationCode | undefined> {
    return this.one(toActivation, 'SELECT * FROM activation_codes WHERE id = ?', id);
  }

  async countActivationAttempt(id: string): Promise<number> {
    const r = await this.db.one('UPDATE activation_codes SET attempts = attempts + 1 WHERE id = ? RETURNING attempts', [id]);
    return (r?.attempts as number | undefined) ?? 0;
  }

  async completeActivation(input: Parameters<DataStore['completeActivation']>[0]): Promise<'ok' | 'used' | 'username-taken'> {
    try {
      return await this.db.transaction(async (tx): Promise<'ok' | 'used'> => {
        const used = await tx.run('UPDATE activation_codes SET used_at = ? WHERE id = ? AND used_at IS NULL', [input.now, input.activationId]);
        if (used !== 1) return 'used';
        // Throwing rolls the whole activation back, the used mark included.
        if (!(await this.setPasswordIn(tx, input.personId, input.username, input.passwordHash, input.now))) throw new UsernameTaken();
        await this.activateCodeKeyIn(tx, input.key);
        await tx.run('UPDATE persons SET email = ?, phone = COALESCE(?, phone) WHERE id = ?', [input.email.toLowerCase(), input.phone, input.personId]);
        return 'ok';
      }, usernameLock(input.username));
    } catch (e) {
      if (e instanceof UsernameTaken) return 'username-taken';
      throw e;
    }
  }

  async addOutbox(m: Omit<OutboxMessage, 'id'>): Promise<void> {
    await this.db.run('INSERT INTO outbox (channel, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)', [m.channel, m.recipient, m.subject, m.body, m.createdAt]);
  }

  async listOutbox(limit: number): Promise<OutboxMessage[]> {
    return this.all(toOutbox, 'SELECT * FROM outbox ORDER BY id DESC LIMIT ?', limit);
  }

  // --- the enterprise register stand-in ---

  async putRegisterEnterprise(e: NewRegisterEnterprise, source: string, now: number, overwrite = true): Promise<void> {
    await this.db.transaction(async (tx) => {
      const exists = await tx.one('SELECT 1 FROM register_enterprises WHERE enterprise_number = ?', [e.enterpriseNumber]);
      if (exists && !overwrite) return;
      await tx.run(
        `INSERT INTO register_enterprises (enterprise_number, name, address, source, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (enterprise_number) DO UPDATE SET name = excluded.name, address = excluded.address`,
        [e.enterpriseNumber, e.name, e.address, source, now],
      );
      for (const r of e.representatives) {
        await tx.run(
          `INSERT INTO register_representatives (enterprise_number, national_number, given_names, surname) VALUES (?, ?, ?, ?)
           ON CONFLICT (enterprise_number, national_number) DO UPDATE SET given_names = excluded.given_names, surname = excluded.surname`,
          [e.enterpriseNumber, r.nationalNumber, r.givenNames, r.surname],
        );
      }
    }, `enterprise ${e.enterpriseNumber}`);
  }

  async findRegisterEnterprise(enterpriseNumber: string): Promise<RegisterEnterprise | undefined> {
    const r = await this.db.one('SELECT * FROM register_enterprises WHERE enterprise_number = ?', [enterpriseNumber]);
    if (!r) return undefined;
    const reps = await this.db.all('SELECT * FROM register_representatives WHERE enterprise_number = ? ORDER BY surname, given_names', [enterpriseNumber]);
    return {
      enterpriseNumber,
      name: r.name as string,
      address: r.address as string,
      source: r.source as string,
      representatives: reps.map(fromRow<RegisterEnterprise['representatives'][number]>(['nationalNumber', 'givenNames', 'surname'])),
    };
  }

  async listRegisterEnterprises(): Promise<RegisterEnterprise[]> {
    const rows = await this.db.all('SELECT enterprise_number FROM register_enterprises ORDER BY name');
    const enterprises = await Promise.all(rows.map((r) => this.findRegisterEnterprise(r.enterprise_number as string)));
    return enterprises.filter((e): e is RegisterEnterprise => e !== undefined);
  }

  async isRepresentative(enterpriseNumber: string, nationalNumber: string): Promise<boolean> {
    return !!(await this.db.one('SELECT 1 FROM register_representatives WHERE enterprise_number = ? AND national_number = ?', [enterpriseNumber, nationalNumber]));
  }

  async representativeName(nationalNumber: string): Promise<{ givenNames: string; surname: string } | undefined> {
    const r = await this.db.one('SELECT given_names, surname FROM register_representatives WHERE national_number = ? ORDER BY enterprise_number LIMIT 1', [nationalNumber]);
    return r && { givenNames: r.given_names as string, surname: r.surname as string };
  }

  // --- access management ---

  async findAccessEnterprise(enterpriseNumber: string): Promise<AccessEnterprise | undefined> {
    return this.one(toAccessEnterprise, 'SELECT * FROM access_enterprises WHERE enterprise_number = ?', enterpriseNumber);
  }

  async appointHtb(input: Parameters<DataStore['appointHtb']>[0]): Promise<{ previous: string | null } | 'same'> {
    // Serialized per enterprise: two appointments at once cannot leave two HTBs.
    return this.db.transaction(async (tx): Promise<{ previous: string | null } | 'same'> => {
      const current = await tx.one("SELECT national_number FROM access_managers WHERE enterprise_number = ? AND role = 'htb'", [input.enterpriseNumber]);
      if (current && current.national_number === input.nationalNumber) return 'same';
      await tx.run(
        `INSERT INTO access_enterprises (enterprise_number, email, registered_by, registered_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (enterprise_number) DO UPDATE SET email = excluded.email`,
        [input.enterpriseNumber, input.enterpriseEmail, input.by, input.now],
      );
      await tx.run("DELETE FROM access_managers WHERE enterprise_number = ? AND role = 'htb'", [input.enterpriseNumber]);
      // A co-HTB who becomes the HTB is not also listed as co-HTB.
      await tx.run("DELETE FROM access_managers WHERE enterprise_number = ? AND role = 'co-htb' AND national_number = ?", [input.enterpriseNumber, input.nationalNumber]);
      await tx.run("INSERT INTO access_managers (enterprise_number, national_number, role, domain, email, phone, appointed_by, appointed_at) VALUES (?, ?, 'htb', '', ?, ?, ?, ?)", [
        input.enterpriseNumber,
        input.nationalNumber,
        input.email,
        input.phone,
        input.by,
        input.now,
      ]);
      await addLog(tx, input.enterpriseNumber, input.log);
      return { previous: (current?.national_number as string | undefined) ?? null };
    }, `enterprise ${input.enterpriseNumber}`);
  }

  async listManagers(enterpriseNumber: string): Promise<AccessManager[]> {
    return this.all(toManager, 'SELECT * FROM access_managers WHERE enterprise_number = ? ORDER BY role, domain, appointed_at', enterpriseNumber);
  }

  async rolesOf(nationalNumber: string): Promise<AccessManager[]> {
    return this.all(toManager, 'SELECT * FROM access_managers WHERE national_number = ?', nationalNumber);
  }

  /** Runs one statement and, when it changed a row, logs the change with it; false when nothing changed. */
  private changeLogged(enterpriseNumber: string, log: AccessLogEntry, sql: string, args: SqlValue[]): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if ((await tx.run(sql, args)) === 0) return false;
      await addLog(tx, enterpriseNumber, log);
      return true;
    });
  }

  async addManager(m: AccessManager, log: AccessLogEntry): Promise<boolean> {
    return this.changeLogged(
      m.enterpriseNumber,
      log,
      'INSERT INTO access_managers (enterprise_number, national_number, role, domain, email, phone, appointed_by, appointed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [m.enterpriseNumber, m.nationalNumber, m.role, m.domain, m.email, m.phone, m.appointedBy, m.appointedAt],
    );
  }

  async removeManager(enterpriseNumber: string, nationalNumber: string, role: ManagerRole, domain: string, log: AccessLogEntry): Promise<boolean> {
    return this.changeLogged(enterpriseNumber, log, 'DELETE FROM access_managers WHERE enterprise_number = ? AND national_number = ? AND role = ? AND domain = ?', [
      enterpriseNumber,
      nationalNumber,
      role,
      domain,
    ]);
  }

  async setEnterpriseEmail(enterpriseNumber: string, email: string, log: AccessLogEntry): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('UPDATE access_enterprises SET email = ? WHERE enterprise_number = ?', [email, enterpriseNumber]);
      await addLog(tx, enterpriseNumber, log);
    });
  }

  async domainContacts(enterpriseNumber: string): Promise<Map<string, string>> {
    const rows = await this.db.all('SELECT domain, email FROM access_domain_contacts WHERE enterprise_number = ?', [enterpriseNumber]);
    return new Map(rows.map((r) => [r.domain as string, r.email as string]));
  }

  async setDomainContact(enterpriseNumber: string, domain: string, email: string | null, log: AccessLogEntry): Promise<boolean> {
    return email === null
      ? this.changeLogged(enterpriseNumber, log, 'DELETE FROM access_domain_contacts WHERE enterprise_number = ? AND domain = ?', [enterpriseNumber, domain])
      : this.changeLogged(
          enterpriseNumber,
          log,
          'INSERT INTO access_domain_contacts (enterprise_number, domain, email) VALUES (?, ?, ?) ON CONFLICT (enterprise_number, domain) DO UPDATE SET email = excluded.email',
          [enterpriseNumber, domain, email],
        );
  }

  async listLog(enterpriseNumber: string, limit = 200): Promise<AccessLogEntry[]> {
    return this.all(toLogEntry, 'SELECT * FROM access_log WHERE enterprise_number = ? ORDER BY at DESC, id DESC LIMIT ?', enterpriseNumber, limit);
  }

  // --- the HTB exception procedure ---

  async createRequest(request: HtbRequest): Promise<void> {
    await this.db.run('INSERT INTO htb_requests (ticket, pdf_token_hash, enterprise_number, payload, status, reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      request.ticket,
      request.pdfTokenHash,
      request.enterpriseNumber,
      JSON.stringify(request.payload),
      request.status,
      request.reason,
      request.createdAt,
      request.updatedAt,
    ]);
  }

  async findRequest(ticket: string): Promise<HtbRequest | undefined> {
    return this.one(toRequest, 'SELECT * FROM htb_requests WHERE ticket = ?', ticket);
  }

  async listRequests(status?: HtbRequestStatus): Promise<HtbRequest[]> {
    return status
      ? this.all(toRequest, 'SELECT * FROM htb_requests WHERE status = ? ORDER BY created_at', status)
      : this.all(toRequest, 'SELECT * FROM htb_requests ORDER BY created_at');
  }

  async setRequestStatus(ticket: string, from: HtbRequestStatus[], to: HtbRequestStatus, reason: string | null, now: number): Promise<boolean> {
    const changes = await this.db.run(`UPDATE htb_requests SET status = ?, reason = ?, updated_at = ? WHERE ticket = ? AND status IN (${from.map(() => '?').join(', ')})`, [
      to,
      reason,
      now,
      ticket,
      ...from,
    ]);
    return changes === 1;
  }

  // --- documents of the access part signed with the eID ---

  async findAccessDocument(subject: string): Promise<AccessDocument | undefined> {
    return this.one(toAccessDocument, 'SELECT * FROM access_documents WHERE subject = ?', subject);
  }

  async saveAccessDocument(d: AccessDocument): Promise<void> {
    await this.db.run(
      `INSERT INTO access_documents (subject, language, pdf, pending, pending_side, pending_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (subject) DO UPDATE SET language = excluded.language, pdf = excluded.pdf, pending = excluded.pending,
         pending_side = excluded.pending_side, pending_by = excluded.pending_by, updated_at = excluded.updated_at`,
      [d.subject, d.language, d.pdf, d.pending, d.pendingSide, d.pendingBy, d.updatedAt],
    );
  }

  async finishAccessSignature(subject: string, pending: string, signedPdf: string, effect: AccessSignatureEffect): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const at = effect.at;
      const taken = await tx.run('UPDATE access_documents SET pdf = ?, pending = NULL, pending_side = NULL, pending_by = NULL, updated_at = ? WHERE subject = ? AND pending = ?', [
        signedPdf,
        at,
        subject,
        pending,
      ]);
      if (taken !== 1) return false;
      if ('mandateId' in effect) {
        const side = effect.side === 'giver' ? 'giver' : 'holder';
        await tx.run(`UPDATE mandates SET ${side}_signed_by = ?, ${side}_signed_at = ? WHERE id = ? AND ${side}_signed_at IS NULL`, [effect.by, at, effect.mandateId]);
      } else {
        await tx.run("UPDATE htb_requests SET status = 'received', updated_at = ? WHERE ticket = ? AND status = 'waiting'", [at, effect.ticket]);
      }
      return true;
    });
  }

  // --- mandates ---

  private async insertMandate(tx: SqlConnection, m: MandateRow): Promise<void> {
    await tx.run(
      `INSERT INTO mandates (${MANDATE_FIELDS.map(snakeCase).join(', ')}) VALUES (${MANDATE_FIELDS.map(() => '?').join(', ')})`,
      MANDATE_FIELDS.map((field) => m[field]),
    );
  }

  private async changeMandate(tx: SqlConnection, id: string, changes: MandateChanges): Promise<void> {
    const fields = MANDATE_CHANGES.filter((field) => field in changes);
    if (fields.length === 0) return;
    await tx.run(`UPDATE mandates SET ${fields.map((field) => `${snakeCase(field)} = ?`).join(', ')} WHERE id = ?`, [...fields.map((field) => changes[field] ?? null), id]);
  }

  async createMandate(m: MandateRow): Promise<void> {
    await this.insertMandate(this.db, m);
  }

  async findMandate(id: string): Promise<MandateRow | undefined> {
    return this.one(toMandate, 'SELECT * FROM mandates WHERE id = ?', id);
  }

  async listMandatesOf(parties: Array<{ type: PartyType; id: string }>): Promise<MandateRow[]> {
    if (parties.length === 0) return [];
    const where = parties.map(() => '((giver_type = ? AND giver_id = ?) OR (holder_type = ? AND holder_id = ?))').join(' OR ');
    const args = parties.flatMap((p) => [p.type, p.id, p.type, p.id]);
    return this.all(toMandate, `SELECT * FROM mandates WHERE ${where} ORDER BY created_at DESC`, ...args);
  }

  async updateMandate(id: string, changes: MandateChanges): Promise<void> {
    await this.changeMandate(this.db, id, changes);
  }

  async transferMandate(oldId: string, next: MandateRow, stop: { by: string; at: number }): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.insertMandate(tx, next);
      await this.changeMandate(tx, oldId, { stoppedBy: stop.by, stoppedAt: stop.at, replacedBy: next.id });
    });
  }
}

/** Only inside the transaction of the change it records. */
async function addLog(tx: SqlConnection, enterpriseNumber: string, entry: AccessLogEntry): Promise<void> {
  await tx.run('INSERT INTO access_log (enterprise_number, actor, action, details, at) VALUES (?, ?, ?, ?, ?)', [
    enterpriseNumber,
    entry.actor,
    entry.action,
    JSON.stringify(entry.details),
    entry.at,
  ]);
}

/** Transactions that decide who owns a username run one at a time per username. */
function usernameLock(username: string): string {
  return `username ${usernameKey(username)}`;
}

/** Thrown inside a transaction to roll it back. */
class UsernameTaken extends Error {}
