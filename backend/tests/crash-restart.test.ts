/**
 * The built CLI as a real process: SIGKILL in the middle of writes loses
 * nothing that was answered as done (SQLite WAL, fsync on commit); SIGTERM
 * shuts down cleanly; a restart keeps every record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, processExit, startBackendProcess } from '../../tests/helpers/cli-process.js';
import { createTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { Client, errorCode, loginWithCard } from './helpers.js';
import { MIGRATIONS } from '../db/migrations.js';

/** Every migration applied: the health check reports the newest. */
const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

const ADMIN = 'crash-test-admin';
let dir: string;
let pki: TestPki;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  ensureCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'eid-bridge-crash-'));
  pki = await createTestPki({ keyType: 'ec', withSigning: false });
  await writeFile(join(dir, 'trust.pem'), pki.root.pem + '\n' + pki.citizenCa.pem);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function startCli(): Promise<{ child: ChildProcess; url: string }> {
  return startBackendProcess(['--dev', '--port', '0', '--http', '--data', join(dir, 'data'), '--admin-token', ADMIN], {
    EID_BRIDGE_TRUSTED_ROOTS: join(dir, 'trust.pem'),
    EID_BRIDGE_SMTP_URL: '',
    EID_BRIDGE_SMS_GATEWAY_URL: '',
  }).then((started) => {
    children.add(started.child);
    return started;
  });
}

async function eidLogin(client: Client, url: string) {
  const r = await loginWithCard(client, pki, new URL(url).origin);
  expect(r.status).toBe(200);
}

describe('eid-bridge backend as a process', () => {
  it('keeps every acknowledged write across SIGKILL, and shuts down cleanly on SIGTERM', async () => {
    const first = await startCli();
    const owner = new Client(first.url);
    await eidLogin(owner, first.url);
    expect((await owner.put('/api/keys/password', { username: 'survivor', password: 'still here after a crash' })).status).toBe(200);

    // Writes in flight when the process dies: each acknowledged one must survive.
    const acknowledged: string[] = [];
    const staff = new Client(first.url);
    let killed = false;
    const writer = (async () => {
      for (let i = 0; i < 200 && !killed; i++) {
        try {
          const r = await staff.post('/api/lra/activation-codes', { nationalNumber: '85073000160', email: 'crash@example.be' }, { Authorization: `Bearer ${ADMIN}` });
          if (r.status === 201) acknowledged.push(r.json.activationCode as string);
        } catch {
          break; // connection refused or reset: the process is gone
        }
      }
    })();
    while (acknowledged.length < 10) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    killed = true;
    await writer;
    expect((await processExit(first.child)).signal).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);

    const second = await startCli();
    const health = await new Client(second.url).get('/healthz');
    expect(health.json).toMatchObject({ status: 'ok', schemaVersion: LATEST_SCHEMA_VERSION });

    // The password written before the crash still logs in.
    const login = await new Client(second.url).post('/api/login/password', { username: 'survivor', password: 'still here after a crash', key: 'password' });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ person: { nationalNumber: '85073000259' } });

    // Every acknowledged activation code is there, with its e-mail in the outbox.
    const outbox = await new Client(second.url).get('/api/dev/outbox', { Authorization: `Bearer ${ADMIN}` });
    const links = (outbox.json.messages as Array<{ body: string }>).map((m) => /token=([^\s&]+)/.exec(m.body)?.[1]).filter((t): t is string => !!t);
    expect(links.length).toBeGreaterThanOrEqual(Math.min(acknowledged.length, 100));
    const lastCode = acknowledged[acknowledged.length - 1]!;
    let found = false;
    for (const link of links.slice(0, 5)) {
      const r = await new Client(second.url).post('/api/activation/start', { token: decodeURIComponent(link), activationCode: lastCode });
      if (r.status === 200) found = true;
      else expect(errorCode(r)).toBe('ACTIVATION_INVALID');
    }
    expect(found).toBe(true);

    second.child.kill('SIGTERM');
    const end = await processExit(second.child);
    expect(end.code).toBe(0);

    // And once more: still all there after a clean stop.
    const third = await startCli();
    expect((await new Client(third.url).post('/api/login/password', { username: 'survivor', password: 'still here after a crash', key: 'password' })).status).toBe(200);
    third.child.kill('SIGTERM');
    expect((await processExit(third.child)).code).toBe(0);
  }, 60_000);
});
