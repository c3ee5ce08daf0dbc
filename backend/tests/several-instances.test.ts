/**
 * Three backend processes on one PostgreSQL database, as behind a load
 * balancer: every request goes to the next instance in turn, so the
 * challenge and the login of one person land on different instances. A
 * nonce works once wherever it is used; 1,000 logins from 50 clients at once
 * all succeed; and an instance killed with SIGKILL in the middle of the load
 * leaves the others answering, with every login that was answered 200 in the
 * database.
 *
 * The instances are the backend command of the CLI, bundled from the source
 * tree for this test (not the shared dist/ build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { webcrypto } from 'node:crypto';
import { build, type BuildOptions } from 'esbuild';
import pg from 'pg';
// The esbuild options of the CLI's own build (scripts/build.mjs).
import nodeBundle from '../../scripts/node-bundle.json' with { type: 'json' };
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { createTestAuthToken } from '../../shared/token-validator/test-token.js';
import type { WebEidAuthToken } from '../../shared/token-validator/validator.js';
import { projectRoot } from '../../tests/helpers/host-process.js';
import pageBundle from '../pages/browser/bundle.json' with { type: 'json' };
import { SESSION_COOKIE } from '../http/sessions.js';
import { tokenHash } from '../security/tokens.js';
import { Client, errorCode } from './helpers.js';
import { freePort, startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

const INSTANCES = 3;
/** The one address people use: the load balancer's. Tokens are signed for its origin, whichever instance checks them. */
const PUBLIC_URL = 'http://localhost:8443';
const ADMIN = 'several-instances-admin';

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** Set when a connection to it is refused: the balancer sends it nothing more. */
  down: boolean;
  requests: number;
}

let cluster: PostgresCluster;
let databaseUrl: string;
let dir: string;
let pki: TestPki;
let instances: Instance[] = [];
let turn = 0;

/** Where this run bundles the backend: under node_modules, so its dependencies resolve from there. */
function bundleDir(): string {
  return join(projectRoot(), 'node_modules', '.cache', 'eid-bridge-tests', `instances-${process.pid}`);
}

/** The CLI's backend command as one file, with its pages' scripts beside it, as scripts/build.mjs lays them out. */
async function bundleBackend(): Promise<string> {
  const root = projectRoot();
  const outfile = join(bundleDir(), 'backend.mjs');
  await mkdir(bundleDir(), { recursive: true });
  await build({
    stdin: {
      contents: "import { backendCommand } from './cli/commands/backend.ts';\nprocess.exitCode = await backendCommand.run(process.argv.slice(2));\n",
      resolveDir: root,
      loader: 'ts',
    },
    ...(nodeBundle as BuildOptions),
    outfile,
    logLevel: 'warning',
  });
  await build({
    ...(pageBundle.esbuild as BuildOptions),
    entryPoints: Object.fromEntries(pageBundle.scripts.map((name) => [name, join(root, 'backend/pages/browser', `${name}.ts`)])),
    outdir: join(bundleDir(), 'backend-pages'),
    logLevel: 'warning',
  });
  return outfile;
}

async function startInstance(bin: string, name: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [bin, '--dev', '--http', '--port', String(port), '--data', join(dir, name), '--admin-token', ADMIN, '--public-url', PUBLIC_URL],
    {
      env: {
        ...process.env,
        EID_BRIDGE_DATABASE_URL: databaseUrl,
        EID_BRIDGE_TRUSTED_ROOTS: join(dir, 'trust.pem'),
        EID_BRIDGE_OCSP: 'off',
        // Every client of this test comes from 127.0.0.1: the per-address caps are lifted, their counting stays on.
        EID_BRIDGE_REQUEST_CAPS: 'eidChallenge=1000000,eidLogin=1000000',
        EID_BRIDGE_SMTP_URL: '',
        EID_BRIDGE_SMS_GATEWAY_URL: '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend ${name} did not start`)), 30_000);
    child.once('exit', (code) => reject(new Error(`backend ${name} exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { name, url: `http://127.0.0.1:${port}`, child, down: false, requests: 0 };
}

function refused(error: unknown): boolean {
  return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
}

/**
 * One request through the round-robin balancer with the client's cookies. An
 * instance that refuses the connection is taken out and the request goes to
 * the next (it never reached the dead one); any other failure is the answer.
 */
async function viaBalancer(cookies: Map<string, string>, method: string, path: string, body?: unknown) {
  for (;;) {
    const live = instances.filter((i) => !i.down);
    if (live.length === 0) throw new Error('no instance left');
    const instance = live[turn++ % live.length]!;
    const client = new Client(instance.url);
    client.cookies = cookies;
    try {
      instance.requests++;
      return await client.request(method, path, body);
    } catch (e) {
      if (!refused(e)) throw e;
      instance.down = true;
    }
  }
}

async function signedToken(nonce: string): Promise<WebEidAuthToken> {
  return createTestAuthToken({
    certificateDer: pki.authentication.der,
    privateKey: pki.authentication.privateKey,
    origin: new URL(PUBLIC_URL).origin,
    nonce,
    crypto: webcrypto as unknown as Crypto,
  });
}

/** A whole eID login through the balancer: the session token when it was answered 200. */
async function loginThroughBalancer(): Promise<{ status: number; sessionToken?: string }> {
  const cookies = new Map<string, string>();
  const challenge = await viaBalancer(cookies, 'POST', '/api/eid/challenge', {});
  if (challenge.status !== 200) return { status: challenge.status };
  const login = await viaBalancer(cookies, 'POST', '/api/eid/login', { authToken: await signedToken(challenge.json.challengeNonce as string) });
  return login.status === 200 ? { status: 200, sessionToken: cookies.get(SESSION_COOKIE)! } : { status: login.status };
}

interface LoadResult {
  ok: string[];
  failures: Array<{ status?: number; error?: string }>;
  ms: number;
}

/** `total` logins from `concurrency` clients at once; `onProgress` sees the count of finished logins. */
async function loginLoad(total: number, concurrency: number, onProgress: (done: number) => void = () => undefined): Promise<LoadResult> {
  const result: LoadResult = { ok: [], failures: [], ms: 0 };
  let started = 0;
  const start = performance.now();
  const client = async () => {
    while (started < total) {
      started++;
      try {
        const r = await loginThroughBalancer();
        if (r.sessionToken) result.ok.push(r.sessionToken);
        else result.failures.push({ status: r.status });
      } catch (e) {
        result.failures.push({ error: (e as Error).message });
      }
      onProgress(result.ok.length + result.failures.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  result.ms = performance.now() - start;
  return result;
}

/** The sessions of these tokens that the database holds, counted there directly. */
async function sessionsInDatabase(tokens: string[]): Promise<number> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const r = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM sessions WHERE token_hash = ANY($1) AND person_id IS NOT NULL', [tokens.map(tokenHash)]);
    return Number(r.rows[0]!.n);
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  [cluster, dir, pki] = await Promise.all([startPostgresCluster(), mkdtemp(join(tmpdir(), 'eid-bridge-instances-')), createTestPki({ keyType: 'ec', withSigning: false })]);
  databaseUrl = await cluster.createDatabase('several_instances');
  await writeFile(join(dir, 'trust.pem'), pki.root.pem + '\n' + pki.citizenCa.pem);
  const bin = await bundleBackend();
  // Started together: each applies the migrations it finds missing, and only one of them does.
  instances = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => startInstance(bin, `instance-${i + 1}`)));
}, 120_000);

afterAll(async () => {
  for (const instance of instances) if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGKILL');
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  await rm(bundleDir(), { recursive: true, force: true });
});

describe('several backend instances on one PostgreSQL database', () => {
  it('takes a nonce issued by one instance once at another, refuses its replay at a third, and knows the session everywhere', async () => {
    const [first, second, third] = instances as [Instance, Instance, Instance];
    const person = new Client(first.url);
    const challenge = await person.post('/api/eid/challenge');
    expect(challenge.status).toBe(200);
    const token = await signedToken(challenge.json.challengeNonce as string);
    const anonymousCookies = new Map(person.cookies);

    const atSecond = new Client(second.url);
    atSecond.cookies = person.cookies;
    const login = await atSecond.post('/api/eid/login', { authToken: token });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ status: 'logged-in', level: 500, person: { nationalNumber: '85073000259' } });

    // The same token again at the third, with the session the login gave and with the one that asked for the nonce.
    for (const cookies of [person.cookies, anonymousCookies]) {
      const atThird = new Client(third.url);
      atThird.cookies = new Map(cookies);
      const replay = await atThird.post('/api/eid/login', { authToken: token });
      expect(replay.status).toBe(401);
      expect(errorCode(replay)).toBe('NONCE_NOT_FOUND');
    }

    for (const instance of instances) {
      const here = new Client(instance.url);
      here.cookies = new Map(person.cookies);
      expect((await here.get('/api/session')).json).toMatchObject({ authenticated: true, level: 500, method: 'eid' });
    }
  });

  it('answers 1,000 logins from 50 clients at once, spread over the instances, without an error', async () => {
    for (const instance of instances) instance.requests = 0;
    const load = await loginLoad(1000, 50);
    console.log(`several instances: 1000 eID logins from 50 clients over ${INSTANCES} instances in ${Math.round(load.ms)} ms (${Math.round((1000 / load.ms) * 1000)} logins/s)`);
    expect(load.failures).toEqual([]);
    expect(load.ok).toHaveLength(1000);
    // Round robin: each instance served about a third of the 2,000 requests.
    for (const instance of instances) expect(instance.requests).toBeGreaterThan(600);
    expect(await sessionsInDatabase(load.ok)).toBe(1000);
  }, 180_000);

  it('keeps answering when an instance is killed with SIGKILL mid-load, and every login answered 200 is in the database', async () => {
    const victim = instances[2]!;
    let killedAt: number | undefined;
    const load = await loginLoad(600, 50, (done) => {
      if (done >= 150 && killedAt === undefined) {
        killedAt = done;
        victim.child.kill('SIGKILL');
      }
    });
    expect(killedAt).toBeDefined();
    console.log(`several instances: one of ${INSTANCES} killed after ${killedAt} of 600 logins; ${load.ok.length} answered 200, ${load.failures.length} failed (${JSON.stringify(load.failures.slice(0, 3))})`);
    expect(victim.child.signalCode ?? (await new Promise((r) => victim.child.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
    // Only the logins with a request in flight at the killed instance may fail: at most one per client.
    expect(load.failures.length).toBeLessThanOrEqual(50);
    expect(load.ok.length).toBeGreaterThanOrEqual(550);
    // The others went on: far more logins finished than had when the instance died.
    expect(load.ok.length + load.failures.length).toBe(600);
    expect(await sessionsInDatabase(load.ok)).toBe(load.ok.length);

    // And the survivors know every one of those sessions.
    const survivors = instances.filter((i) => i !== victim);
    for (const [n, sessionToken] of load.ok.entries()) {
      const here = new Client(survivors[n % survivors.length]!.url);
      here.cookies.set(SESSION_COOKIE, sessionToken);
      expect((await here.get('/api/session')).json).toMatchObject({ authenticated: true });
    }
  }, 180_000);
});
