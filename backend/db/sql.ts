/**
 * What the store needs from a SQL database, whichever it is: statements with
 * `?` placeholders in the SQL that SQLite and PostgreSQL both accept, and
 * transactions. sqlite-database.ts and postgres-database.ts implement it;
 * sql-store.ts holds every statement, written once.
 */

export type Row = Record<string, unknown>;
export type SqlValue = string | number | null;
export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlConnection {
  all(sql: string, args?: SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. Also for INSERT/UPDATE/DELETE … RETURNING. */
  one(sql: string, args?: SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement that returns no rows; the number of rows it changed. */
  run(sql: string, args?: SqlValue[]): Promise<number>;
  /** Several statements without parameters (a migration). */
  script(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlConnection {
  readonly dialect: SqlDialect;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back
   * when it throws. Transactions with the same `serializeOn` key run one after
   * the other, also across processes sharing the database, for a read that
   * decides a write (count the failures, then take a slot). `work` must use
   * only the connection it is given.
   */
  transaction<T>(work: (tx: SqlConnection) => Promise<T>, serializeOn?: string): Promise<T>;
  close(): Promise<void>;
}
