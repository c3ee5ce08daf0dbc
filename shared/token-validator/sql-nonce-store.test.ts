import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresCluster, type PostgresCluster } from '../../backend/tests/postgres-cluster.js';
import { consumeChallengeNonce, issueChallengeNonce, type Clock } from './nonce-store.js';
import { SqlNonceStore, type SqlQuery, type SqlNonceStoreOptions } from './sql-nonce-store.js';
import { isTokenValidationError } from './errors.js';

/** The adapters the package README shows. */
function betterSqliteQuery(db: Database.Database): SqlQuery {
  return async (sql, parameters) => {
    const statement = db.prepare(sql);
    return statement.reader ? statement.all(...parameters) : (statement.run(...parameters), []);
  };
}

function pgQuery(pool: pg.Pool): SqlQuery {
  return async (sql, parameters) => (await pool.query(sql, [...parameters])).rows;
}

class TestClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
}

interface Backend {
  store(options?: SqlNonceStoreOptions): Promise<SqlNonceStore>;
  rowCount(table?: string): Promise<number>;
}

function behavesAsANonceStore(backend: () => Backend) {
  it('gives a session its nonce once, and a later issue replaces the earlier one', async () => {
    const clock = new TestClock();
    const store = await backend().store({ clock });
    const first = await issueChallengeNonce(store, 'session-a', { clock });
    const second = await issueChallengeNonce(store, 'session-a', { clock });
    await issueChallengeNonce(store, 'session-b', { clock });
    expect(second.nonce).not.toBe(first.nonce);
    expect(await consumeChallengeNonce(store, 'session-a', clock)).toBe(second.nonce);
    await expect(consumeChallengeNonce(store, 'session-a', clock)).rejects.toSatisfy((e) => isTokenValidationError(e, 'NONCE_NOT_FOUND'));
    expect(await store.take('session-b')).toMatchObject({ expiresAt: clock.time + 5 * 60 * 1000 });
  });

  it('refuses an expired nonce, with the expiry kept to the millisecond', async () => {
    const clock = new TestClock();
    const store = await backend().store({ clock });
    const issued = await issueChallengeNonce(store, 'late', { clock, lifetimeMs: 1000 });
    clock.time += 1000;
    const taken = await store.take('late');
    expect(taken).toEqual(issued);
    await store.put('late', issued);
    await expect(consumeChallengeNonce(store, 'late', clock)).rejects.toSatisfy((e) => isTokenValidationError(e, 'NONCE_EXPIRED'));
  });

  it('hands a nonce to exactly one of many simultaneous takers', async () => {
    const store = await backend().store();
    for (let round = 0; round < 5; round++) {
      await issueChallengeNonce(store, `race-${round}`);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.take(`race-${round}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('deletes expired nonces as new ones are issued, so the table holds only live ones', async () => {
    const clock = new TestClock();
    const store = await backend().store({ clock, table: 'nonces_cleanup', deleteExpiredEvery: 10 });
    for (let i = 0; i < 9; i++) await issueChallengeNonce(store, `old-${i}`, { clock, lifetimeMs: 1000 });
    expect(await backend().rowCount('nonces_cleanup')).toBe(9);
    clock.time += 1000;
    await issueChallengeNonce(store, 'new', { clock });
    expect(await backend().rowCount('nonces_cleanup')).toBe(1);
    expect(await store.take('new')).toBeDefined();
  });
}

describe('SqlNonceStore on SQLite (better-sqlite3)', () => {
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(':memory:');
  });
  afterAll(() => db.close());

  behavesAsANonceStore(() => ({
    async store(options) {
      const store = new SqlNonceStore(betterSqliteQuery(db), { parameters: '?', ...options });
      await store.createTable();
      await store.createTable(); // a second start finds the table there
      return store;
    },
    async rowCount(table = 'web_eid_nonces') {
      return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    },
  }));

  it('refuses a table name that would change the statements', () => {
    expect(() => new SqlNonceStore(betterSqliteQuery(db), { table: 'nonces; DROP TABLE users' })).toThrow(/table name/);
  });
});

describe('SqlNonceStore on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let pool: pg.Pool;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    pool = new pg.Pool({ connectionString: await cluster.createDatabase('nonces'), max: 20 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  });

  behavesAsANonceStore(() => ({
    async store(options) {
      const store = new SqlNonceStore(pgQuery(pool), options);
      await store.createTable();
      return store;
    },
    async rowCount(table = 'web_eid_nonces') {
      return Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    },
  }));

  it('lets one instance take a nonce another issued, and neither take it again', async () => {
    const otherPool = new pg.Pool({ connectionString: (pool.options as { connectionString: string }).connectionString, max: 2 });
    try {
      const issuing = new SqlNonceStore(pgQuery(pool));
      const taking = new SqlNonceStore(pgQuery(otherPool));
      const issued = await issueChallengeNonce(issuing, 'shared-session');
      expect(await consumeChallengeNonce(taking, 'shared-session')).toBe(issued.nonce);
      expect(await issuing.take('shared-session')).toBeUndefined();
    } finally {
      await otherPool.end();
    }
  });
});
