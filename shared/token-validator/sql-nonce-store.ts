/**
 * A NonceStore in an SQL table, for sites that run several processes or
 * instances: a nonce issued by one can be taken by another, and only once.
 * It knows no driver: the site hands it a function that runs one statement
 * (pg, better-sqlite3, a serverless driver…), so the validator stays free of
 * Node built-ins and native modules.
 *
 * The SQL is the common ground of PostgreSQL (9.5+) and SQLite (3.35+):
 * INSERT … ON CONFLICT to replace a session's nonce, DELETE … RETURNING to
 * take it, which is atomic in both: of two requests taking the same nonce at
 * once, one gets the row and the other none.
 */
import { TokenValidationError } from './errors.js';
import { systemClock, type Clock, type IssuedNonce, type NonceStore } from './nonce-store.js';

/**
 * Runs one SQL statement with its parameters and resolves to the rows it
 * returns (an empty list for a statement that returns none), each an object
 * keyed by column name, as pg's `rows` and better-sqlite3's `all()` are.
 */
export type SqlQuery = (sql: string, parameters: readonly (string | number)[]) => Promise<readonly unknown[]>;

export interface SqlNonceStoreOptions {
  /** Default "web_eid_nonces". Letters, digits and underscores, optionally schema-qualified (PostgreSQL). */
  table?: string;
  /** How the driver writes parameters: "$1" (PostgreSQL, pg; the default) or "?" (SQLite drivers, better-sqlite3). */
  parameters?: '$1' | '?';
  /** Every this many puts, expired nonces of every session are deleted. Default 100. */
  deleteExpiredEvery?: number;
  clock?: Clock;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export class SqlNonceStore implements NonceStore {
  private readonly table: string;
  private readonly clock: Clock;
  private readonly deleteExpiredEvery: number;
  private readonly parameter: (position: number) => string;
  private putsSinceCleanup = 0;

  constructor(
    private readonly query: SqlQuery,
    options: SqlNonceStoreOptions = {},
  ) {
    this.table = options.table ?? 'web_eid_nonces';
    if (!TABLE_NAME.test(this.table)) throw new TokenValidationError('CONFIGURATION', `Not a plain table name: ${JSON.stringify(this.table)}`);
    this.parameter = options.parameters === '?' ? () => '?' : (position) => `$${position}`;
    this.clock = options.clock ?? systemClock;
    this.deleteExpiredEvery = options.deleteExpiredEvery ?? 100;
  }

  /** The statements that create the table and its index; each is safe to run again. */
  createTableStatements(): string[] {
    const index = `${this.table.replace('.', '_')}_expires_at`;
    return [
      `CREATE TABLE IF NOT EXISTS ${this.table} (session_id TEXT PRIMARY KEY, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL)`,
      `CREATE INDEX IF NOT EXISTS ${index} ON ${this.table} (expires_at)`,
    ];
  }

  /** Creates the table and its index when they are missing. */
  async createTable(): Promise<void> {
    for (const statement of this.createTableStatements()) await this.query(statement, []);
  }

  async put(sessionId: string, issued: IssuedNonce): Promise<void> {
    if (++this.putsSinceCleanup >= this.deleteExpiredEvery) {
      this.putsSinceCleanup = 0;
      await this.deleteExpired();
    }
    const [p1, p2, p3] = [1, 2, 3].map(this.parameter);
    await this.query(
      `INSERT INTO ${this.table} (session_id, nonce, expires_at) VALUES (${p1}, ${p2}, ${p3}) ` +
        'ON CONFLICT (session_id) DO UPDATE SET nonce = excluded.nonce, expires_at = excluded.expires_at',
      [sessionId, issued.nonce, issued.expiresAt],
    );
  }

  async take(sessionId: string): Promise<IssuedNonce | undefined> {
    const rows = await this.query(`DELETE FROM ${this.table} WHERE session_id = ${this.parameter(1)} RETURNING nonce, expires_at`, [sessionId]);
    const row = rows[0] as { nonce: unknown; expires_at: unknown } | undefined;
    if (!row) return undefined;
    // PostgreSQL drivers return BIGINT as text: milliseconds since the epoch fit a double exactly.
    return { nonce: String(row.nonce), expiresAt: Number(row.expires_at) };
  }

  /** Deletes the nonces whose lifetime has ended; returns how many. */
  async deleteExpired(): Promise<number> {
    const rows = await this.query(`DELETE FROM ${this.table} WHERE expires_at <= ${this.parameter(1)} RETURNING session_id`, [this.clock.now()]);
    return rows.length;
  }
}
