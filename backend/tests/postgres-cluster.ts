/**
 * A PostgreSQL server of the tests' own: a new cluster (initdb) in a
 * temporary directory, started with pg_ctl on a free port on loopback, and
 * removed at the end. The Debian package `postgresql` provides the programs
 * (scripts/setup.sh installs it). PostgreSQL refuses to run as root, so as
 * root the cluster belongs to the package's `postgres` user and its
 * programs run as that user.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const POSTGRES_LIB = '/usr/lib/postgresql';
/** The cluster's superuser; local connections are trusted (loopback only, a throwaway cluster). */
const SUPERUSER = 'eidbridge';

/** The programs of the newest PostgreSQL installed, or undefined when there is none. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_LIB)) return undefined;
  const versions = readdirSync(POSTGRES_LIB)
    .filter((v) => existsSync(join(POSTGRES_LIB, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(POSTGRES_LIB, versions[0], 'bin');
}

/** A TCP port on loopback that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface PostgresCluster {
  port: number;
  /** A new, empty database on the cluster: its postgres:// URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`PostgreSQL is not installed (no ${POSTGRES_LIB}/<version>/bin/initdb): run scripts/setup.sh, which installs the Debian package postgresql`);
  const asRoot = userInfo().uid === 0;
  const dir = await mkdtemp(join(tmpdir(), 'eid-bridge-postgres-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const program = (name: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args));
  const data = join(dir, 'data');
  const port = await freePort();
  await program('initdb', ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  // Loopback TCP only; the socket in the cluster's own directory. fsync off: the tests kill backend instances, never this server.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`;
  await program('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  const url = (database: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;

  return {
    port,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      await program('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
