/**
 * The embedded database: SQLite through better-sqlite3, in WAL mode with full
 * fsync on commit, so a crash (even SIGKILL) never loses a committed write.
 *
 * better-sqlite3 is synchronous and has one connection, so a transaction that
 * awaits between its statements would take in the statements of any other
 * request that runs meanwhile. An open transaction therefore holds the
 * connection: every other statement and transaction waits until it ends.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Row, SqlConnection, SqlDatabase, SqlValue } from './sql.js';

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Settles when the open transaction ends; undefined when none is open. */
  private transactionEnded: Promise<void> | undefined;
  /** The statements of the open transaction run here without waiting. */
  private readonly inTransaction: SqlConnection = {
    all: async (sql, args = []) => this.prepare(sql).all(...args) as Row[],
    one: async (sql, args = []) => this.prepare(sql).get(...args) as Row | undefined,
    run: async (sql, args = []) => this.prepare(sql).run(...args).changes,
    script: async (sql) => void this.db.exec(sql),
  };

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced, so a power cut or SIGKILL keeps what was answered as done.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `statement` once no transaction holds the connection, in the same turn as the check. */
  private async whenFree<T>(statement: () => Promise<T>): Promise<T> {
    while (this.transactionEnded) await this.transactionEnded;
    return statement();
  }

  all(sql: string, args: SqlValue[] = []): Promise<Row[]> {
    return this.whenFree(() => this.inTransaction.all(sql, args));
  }

  one(sql: string, args: SqlValue[] = []): Promise<Row | undefined> {
    return this.whenFree(() => this.inTransaction.one(sql, args));
  }

  run(sql: string, args: SqlValue[] = []): Promise<number> {
    return this.whenFree(() => this.inTransaction.run(sql, args));
  }

  script(sql: string): Promise<void> {
    return this.whenFree(() => this.inTransaction.script(sql));
  }

  async transaction<T>(work: (tx: SqlConnection) => Promise<T>): Promise<T> {
    // The check and the taking happen in one turn: no other waiter can slip in between.
    while (this.transactionEnded) await this.transactionEnded;
    let end!: () => void;
    this.transactionEnded = new Promise((resolve) => (end = resolve));
    try {
      // IMMEDIATE takes the write lock at once: another process sharing the file waits (busy_timeout) instead of failing at its first write.
      this.db.exec('BEGIN IMMEDIATE');
      const result = await work(this.inTransaction);
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    } finally {
      this.transactionEnded = undefined;
      end();
    }
  }

  close(): Promise<void> {
    return this.whenFree(async () => {
      if (this.db.open) this.db.close();
    });
  }
}
