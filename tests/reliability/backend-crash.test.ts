/**
 * Backend crash (issue #16, item 7): the backend command of the built CLI as
 * a real process, on SQLite and on PostgreSQL, killed with SIGKILL while
 * concurrent writes are in flight: activation codes issued at the
 * registration office (the first step of a key activation), eID logins (each
 * a new session) and mandates created. After a restart on the same database,
 * every write that was answered 2xx is there: the login's session still
 * answers as logged in, the mandate is readable by its giver, the activation
 * code's row is in the database. Then the database is checked: SQLite with
 * PRAGMA integrity_check and foreign_key_check; PostgreSQL with amcheck
 * (every B-tree index against its table, every table's heap), and every
 * foreign key, key, CHECK constraint and NOT NULL column checked row by row.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../backend/db/open-store.js';
import { Client, loginWithCard } from '../../backend/tests/helpers.js';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from '../../backend/tests/postgres-cluster.js';
import { uniformRequestCaps } from '../../backend/config.js';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { ensureCliBuilt, processExit, startBackendProcess } from '../helpers/cli-process.js';
import { CHECK_TIMEOUT_MS, Tally, caseCount } from './check.js';

const ADMIN = 'backend-crash-admin';
/** Alice, the test card's holder, gives mandates to Transport Dubois (both in the reference data). */
const ALICE = '85073000259';
const TRANSPORT = '0456789034';
/** Writes in flight at once. */
const CONCURRENCY = 100;
/** Every route capped far above this check's load, which all comes from 127.0.0.1. */
const CAPS = Object.keys(uniformRequestCaps(1)).map((route) => `${route}=1000000`).join(',');

let dir: string;
let pki: TestPki;
let cluster: PostgresCluster | undefined;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  ensureCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'eid-bridge-backend-crash-'));
  pki = await createTestPki({ keyType: 'ec', withSigning: false });
  await writeFile(join(dir, 'trust.pem'), pki.root.pem + '\n' + pki.citizenCa.pem);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Store {
  name: string;
  dataDir: string;
  databaseUrl?: string;
}

async function startBackend(store: Store): Promise<{ child: ChildProcess; url: string }> {
  const started = await startBackendProcess(['--dev', '--port', '0', '--http', '--data', store.dataDir, '--admin-token', ADMIN], {
    EID_BRIDGE_TRUSTED_ROOTS: join(dir, 'trust.pem'),
    EID_BRIDGE_OCSP: 'off',
    EID_BRIDGE_REQUEST_CAPS: CAPS,
    EID_BRIDGE_SMTP_URL: '',
    EID_BRIDGE_SMS_GATEWAY_URL: '',
    ...(store.databaseUrl ? { EID_BRIDGE_DATABASE_URL: store.databaseUrl } : {}),
  });
  children.add(started.child);
  return started;
}

type Write =
  | { kind: 'activation'; email: string }
  | { kind: 'login'; client: Client }
  | { kind: 'mandate'; id: string };

const today = () => new Date().toISOString().slice(0, 10);

/** One write of the given kind; the record of it when it was answered 2xx, undefined otherwise. */
async function write(kind: Write['kind'], i: number, url: string, alice: Client): Promise<Write | undefined> {
  switch (kind) {
    case 'activation': {
      const email = `crash-${i}@example.be`;
      const r = await new Client(url).post('/api/lra/activation-codes', { nationalNumber: ALICE, email }, { Authorization: `Bearer ${ADMIN}` });
      return r.status === 201 ? { kind, email } : undefined;
    }
    case 'login': {
      const client = new Client(url);
      const r = await loginWithCard(client, pki, new URL(url).origin);
      return r.status === 200 ? { kind, client } : undefined;
    }
    case 'mandate': {
      const r = await alice.post('/api/mandates', { giver: { type: 'citizen', id: ALICE }, holder: { type: 'enterprise', id: TRANSPORT }, type: 'Tax-on-web', startDate: today(), endDate: null });
      const id = (r.json.mandate as { id?: string } | undefined)?.id;
      return r.status === 201 && id ? { kind, id } : undefined;
    }
  }
}

const KINDS = ['activation', 'login', 'mandate'] as const;

/** Problems the database's checks report (empty when it is sound), and what was checked. */
async function integrityProblems(store: Store): Promise<{ problems: string[]; checked: string }> {
  if (!store.databaseUrl) {
    const db = new Database(join(store.dataDir, SQLITE_FILE), { readonly: true });
    try {
      const integrity = db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
      const foreignKeys = db.pragma('foreign_key_check') as unknown[];
      return {
        problems: [
          ...integrity.filter((r) => r.integrity_check !== 'ok').map((r) => `integrity_check: ${r.integrity_check}`),
          ...foreignKeys.map((r) => `foreign_key_check: ${JSON.stringify(r)}`),
        ],
        checked: 'PRAGMA integrity_check and foreign_key_check',
      };
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  try {
    const problems: string[] = [];
    await client.query('CREATE EXTENSION IF NOT EXISTS amcheck');
    // Every B-tree index of the schema matches its table (heapallindexed: every row is in the index).
    const indexes = await client.query<{ index: string }>(
      `SELECT c.oid::regclass::text AS index FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public'`,
    );
    for (const { index } of indexes.rows) await client.query('SELECT bt_index_check($1::regclass, true)', [index]).catch((e: Error) => problems.push(`${index}: ${e.message}`));
    const tables = await client.query<{ table: string }>(`SELECT c.oid::regclass::text AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'`);
    for (const { table } of tables.rows) {
      const corrupt = await client.query('SELECT * FROM verify_heapam($1::regclass)', [table]);
      for (const row of corrupt.rows) problems.push(`${table}: ${JSON.stringify(row)}`);
    }
    // Every foreign key finds its row.
    const foreignKeys = await client.query<{ child: string; parent: string; columns: string[]; referenced: string[] }>(
      `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent,
              ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = conrelid AND attnum = k.n ORDER BY o)::text[] AS columns,
              ARRAY(SELECT attname FROM unnest(confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = confrelid AND attnum = k.n ORDER BY o)::text[] AS referenced
       FROM pg_constraint WHERE contype = 'f'`,
    );
    for (const fk of foreignKeys.rows) {
      const id = pg.escapeIdentifier;
      const matches = fk.columns.map((c, i) => `p.${id(fk.referenced[i]!)} = c.${id(c)}`).join(' AND ');
      const present = fk.columns.map((c) => `c.${id(c)} IS NOT NULL`).join(' AND ');
      const orphans = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${fk.child} c WHERE ${present} AND NOT EXISTS (SELECT 1 FROM ${fk.parent} p WHERE ${matches})`);
      if (Number(orphans.rows[0]!.n) > 0) problems.push(`${orphans.rows[0]!.n} rows of ${fk.child} without their ${fk.parent}`);
    }
    // amcheck 1.3 (PostgreSQL 15) cannot check uniqueness (checkunique came with 1.4): the keys are counted.
    const keys = await client.query<{ table: string; columns: string[] }>(
      `SELECT conrelid::regclass::text AS table,
              ARRAY(SELECT attname FROM unnest(conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = conrelid AND attnum = k.n ORDER BY o)::text[] AS columns
       FROM pg_constraint WHERE contype IN ('p', 'u') AND connamespace = 'public'::regnamespace`,
    );
    for (const key of keys.rows) {
      const columns = key.columns.map((c) => pg.escapeIdentifier(c)).join(', ');
      const twice = await client.query(`SELECT ${columns} FROM ${key.table} GROUP BY ${columns} HAVING count(*) > 1 LIMIT 1`);
      if (twice.rowCount) problems.push(`${key.table} holds (${key.columns.join(', ')}) = ${JSON.stringify(twice.rows[0])} more than once`);
    }
    // Every CHECK constraint and NOT NULL column holds for every row.
    const checks = await client.query<{ table: string; expression: string }>(
      `SELECT conrelid::regclass::text AS table, substring(pg_get_constraintdef(oid) FROM '^CHECK (.*)$') AS expression
       FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace`,
    );
    const notNull = await client.query<{ table: string; expression: string }>(
      `SELECT a.attrelid::regclass::text AS table, format('(%I IS NOT NULL)', a.attname) AS expression
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace`,
    );
    for (const check of [...checks.rows, ...notNull.rows]) {
      const broken = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${check.table} WHERE NOT ${check.expression}`);
      if (Number(broken.rows[0]!.n) > 0) problems.push(`${broken.rows[0]!.n} rows of ${check.table} break ${check.expression}`);
    }
    const checked =
      `amcheck on ${indexes.rowCount} B-tree indexes and ${tables.rowCount} heaps; ${foreignKeys.rowCount} foreign keys, ${keys.rowCount} keys, ` +
      `${checks.rowCount} CHECK constraints and ${notNull.rowCount} NOT NULL columns row by row`;
    return { problems, checked };
  } finally {
    await client.end();
  }
}

/** The activation codes' e-mail addresses in the database. */
async function activationEmails(store: Store): Promise<Set<string>> {
  if (!store.databaseUrl) {
    const db = new Database(join(store.dataDir, SQLITE_FILE), { readonly: true });
    try {
      return new Set((db.prepare('SELECT email FROM activation_codes').all() as Array<{ email: string }>).map((r) => r.email));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  try {
    return new Set((await client.query<{ email: string }>('SELECT email FROM activation_codes')).rows.map((r) => r.email));
  } finally {
    await client.end();
  }
}

async function crashDuringWrites(store: Store): Promise<void> {
  const tally = new Tally(`backend crash (${store.name})`);
  const total = caseCount(1000, 200);
  const started = performance.now();
  const first = await startBackend(store);
  const alice = new Client(first.url);
  expect((await loginWithCard(alice, pki, new URL(first.url).origin)).status).toBe(200);

  // The writes, CONCURRENCY at a time; the process is killed once half of them were answered, some of each kind.
  const acknowledged: Write[] = [];
  let next = 0;
  let refusedOrLost = 0;
  let answeredOtherwise = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        const done = await write(KINDS[i % KINDS.length]!, i, first.url, alice);
        if (done) acknowledged.push(done);
        else answeredOtherwise++;
      } catch {
        refusedOrLost++; // the connection was refused or reset: the process is gone
      }
    }
  };
  const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
  let loadEnded = false;
  void load.finally(() => (loadEnded = true));
  // Logins take longest (a challenge, a signed token, the login): the kill waits until some of each kind were answered.
  const answeredOfEachKind = () => KINDS.every((k) => acknowledged.filter((w) => w.kind === k).length >= total / 100);
  while ((acknowledged.length < total / 2 || !answeredOfEachKind()) && !loadEnded) await new Promise((r) => setTimeout(r, 1));
  expect(loadEnded, 'the writes ended before the kill').toBe(false);
  const inFlightAtKill = Math.min(CONCURRENCY, next - acknowledged.length - answeredOtherwise - refusedOrLost);
  first.child.kill('SIGKILL');
  await load;
  expect((await processExit(first.child)).signal).toBe('SIGKILL');
  const acknowledgedBeforeRestart = acknowledged.length;
  // Writes answered after the kill signal was sent still count: the process answered them.
  expect(acknowledgedBeforeRestart).toBeGreaterThanOrEqual(total / 2);

  const second = await startBackend(store);
  const emails = await activationEmails(store);
  for (const w of acknowledged) {
    if (w.kind === 'activation') tally.count(emails.has(w.email), () => `activation code for ${w.email} answered 201 is not in the database`);
    else if (w.kind === 'login') {
      const session = new Client(second.url);
      session.cookies = w.client.cookies;
      // The session cookie the old process set answers on the new one.
      const r = await session.get('/api/session');
      tally.count(r.json.authenticated === true, () => `a login answered 200 has no session after the restart: ${JSON.stringify(r.json)}`);
    } else {
      const giver = new Client(second.url);
      giver.cookies = alice.cookies;
      const r = await giver.get(`/api/mandates/${w.id}`);
      tally.count(r.status === 200, () => `mandate ${w.id} answered 201 reads ${r.status} after the restart`);
    }
  }
  second.child.kill('SIGTERM');
  expect((await processExit(second.child)).code).toBe(0);

  const { problems, checked } = await integrityProblems(store);
  tally.count(problems.length === 0, () => `database check: ${problems.slice(0, 5).join('; ')}`);
  tally.figures.push(
    `${total} writes (activation codes, eID logins, mandates), ${CONCURRENCY} at a time`,
    `SIGKILL after ${acknowledgedBeforeRestart} answered 2xx (${KINDS.map((k) => `${acknowledged.filter((w) => w.kind === k).length} ${k}s`).join(', ')}) with about ${inFlightAtKill} in flight; ${refusedOrLost} refused or lost, ${answeredOtherwise} answered otherwise`,
    checked,
    `${Math.round(performance.now() - started)} ms`,
  );
  tally.report();
  expect(tally.shortfalls).toEqual([]);
  expect(tally.fellShort).toBe(0);
}

describe('reliability: backend crash', () => {
  it('SQLite: every write answered 2xx before SIGKILL is there after a restart, and the database is sound', { timeout: CHECK_TIMEOUT_MS }, async () => {
    await crashDuringWrites({ name: 'SQLite', dataDir: join(dir, 'sqlite') });
  });

  it('PostgreSQL: every write answered 2xx before SIGKILL is there after a restart, and the database is sound', { timeout: CHECK_TIMEOUT_MS }, async () => {
    expect(postgresBinDir(), 'PostgreSQL is not installed: scripts/setup.sh installs it').toBeDefined();
    cluster = await startPostgresCluster();
    const databaseUrl = await cluster.createDatabase('backend_crash');
    await crashDuringWrites({ name: 'PostgreSQL', dataDir: join(dir, 'postgresql'), databaseUrl });
  });
});
