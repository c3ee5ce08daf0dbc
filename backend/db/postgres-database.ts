/**
 * PostgreSQL through node-postgres (pg), a pool of connections shared by the
 * requests of this process; several processes may share the database.
 * Statements are written with `?` placeholders (the SQL the SQLite store
 * runs too) and numbered here ($1, $2, …). Every integer column is BIGINT
 * (times are milliseconds), read back as a JavaScript number.
 */
import pg from 'pg';
import type { Row, SqlConnection, SqlDatabase, SqlValue } from './sql.js';

const INT8_OID = 20;

/** `?` → `$1`, `$2`, …: the statements hold no `?` inside string literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function connection(client: pg.Pool | pg.PoolClient): SqlConnection {
  const query = (sql: string, args: SqlValue[]) => client.query<Row>(numbered(sql), args);
  return {
    all: async (sql, args = []) => (await query(sql, args)).rows,
    one: async (sql, args = []) => (await query(sql, args)).rows[0],
    run: async (sql, args = []) => (await query(sql, args)).rowCount ?? 0,
    // No parameters: sent as a simple query, which may hold several statements.
    script: async (sql) => void (await client.query(sql)),
  };
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  private readonly pool: pg.Pool;
  private readonly direct: SqlConnection;

  constructor(url: string, options: { maxConnections?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      types: {
        // COUNT(*) and the BIGINT columns: milliseconds and counts, far below 2^53.
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
      },
    });
    // A connection the server drops while idle (a restart, a failover) is replaced at the next query; it must not end the process.
    this.pool.on('error', (error) => console.error(`eid-bridge backend: PostgreSQL connection lost: ${error.message}`));
    this.direct = connection(this.pool);
  }

  all(sql: string, args?: SqlValue[]): Promise<Row[]> {
    return this.direct.all(sql, args);
  }

  one(sql: string, args?: SqlValue[]): Promise<Row | undefined> {
    return this.direct.one(sql, args);
  }

  run(sql: string, args?: SqlValue[]): Promise<number> {
    return this.direct.run(sql, args);
  }

  script(sql: string): Promise<void> {
    return this.direct.script(sql);
  }

  async transaction<T>(work: (tx: SqlConnection) => Promise<T>, serializeOn?: string): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Held until COMMIT or ROLLBACK, by whichever process holds it.
      if (serializeOn !== undefined) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [serializeOn]);
      const result = await work(connection(client));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw e;
    } finally {
      // A connection that could not roll back is closed, not handed to the next request.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
