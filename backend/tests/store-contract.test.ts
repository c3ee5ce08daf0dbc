/**
 * The store's promises, held by both databases alike: the embedded SQLite
 * file and a real PostgreSQL server (a cluster of the test's own). Every
 * record kind goes in and comes back the same, and what must happen once
 * happens once under concurrency: a nonce taken, a code request used, the
 * last failure slot of an address, a TOTP step, an activation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../db/open-store.js';
import { MIGRATIONS } from '../db/migrations.js';
import type { AccessLogEntry, DataStore, MandateRow, Session } from '../db/store.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
const NOW = 1_800_000_000_000;

let cluster: PostgresCluster;
let sqliteDir: string;
let databases = 0;

beforeAll(async () => {
  [cluster, sqliteDir] = await Promise.all([startPostgresCluster(), mkdtemp(join(tmpdir(), 'eid-bridge-store-'))]);
});
afterAll(async () => {
  await cluster?.stop();
  await rm(sqliteDir, { recursive: true, force: true });
});

/** A new, empty store of each kind for each test. */
const KINDS: Array<[string, () => Promise<DataStore>]> = [
  ['SQLite', () => openStore({ dataDir: join(sqliteDir, `db${++databases}`) })],
  ['PostgreSQL', async () => openStore({ dataDir: sqliteDir, databaseUrl: await cluster.createDatabase(`store_${++databases}`) })],
];

function session(tokenHash: string, personId: number | null, expiresAt = NOW + 60_000): Session {
  return { tokenHash, personId, level: personId ? 500 : 0, method: personId ? 'eid' : null, authTime: personId ? NOW : null, csrfToken: `csrf-${tokenHash}`, createdAt: NOW, expiresAt };
}

const log = (action: string): AccessLogEntry => ({ actor: '85073000259', action, details: { why: action }, at: NOW });

function mandate(id: string, overrides: Partial<MandateRow> = {}): MandateRow {
  return {
    id,
    giverType: 'citizen',
    giverId: '85073000259',
    holderType: 'enterprise',
    holderId: '0123456749',
    mandateType: 'tax',
    startDate: '2027-01-01',
    endDate: null,
    giverSignedBy: null,
    giverSignedAt: null,
    holderSignedBy: null,
    holderSignedAt: null,
    stoppedBy: null,
    stoppedAt: null,
    replacedBy: null,
    createdBy: '85073000259',
    createdAt: NOW,
    extensionEndDate: null,
    extensionSide: null,
    extensionBy: null,
    extensionAt: null,
    ...overrides,
  };
}

describe.each(KINDS)('the %s store', (_kind, open) => {
  let store: DataStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('applies every migration, and opening again applies none twice', async () => {
    expect(await store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
  });

  it('keeps people: created once per national number, names from the card, e-mail, phone and language', async () => {
    const created = await store.upsertPerson({ nationalNumber: '85073000259', givenNames: 'Alice', surname: 'Peeters', email: 'Alice@Example.be' }, NOW);
    expect(created).toMatchObject({ nationalNumber: '85073000259', givenNames: 'Alice', surname: 'Peeters', email: 'alice@example.be', language: 'nl', createdAt: NOW });
    const again = await store.upsertPerson({ nationalNumber: '85073000259', givenNames: 'Alice Marie', surname: '', email: 'other@example.be' }, NOW + 1);
    expect(again).toMatchObject({ id: created.id, givenNames: 'Alice Marie', surname: 'Peeters', email: 'alice@example.be', createdAt: NOW });
    await store.setPersonPhone(created.id, '+32470000000');
    await store.setPersonLanguage(created.id, 'fr');
    expect(await store.findPersonByEmail('ALICE@example.be')).toMatchObject({ id: created.id, phone: '+32470000000', language: 'fr' });
    expect(await store.findPersonById(created.id)).toEqual(await store.findPersonByNationalNumber('85073000259'));

    // Twenty logins of one new person at once make one person.
    const many = await Promise.all(Array.from({ length: 20 }, () => store.upsertPerson({ nationalNumber: '85073000160', givenNames: 'Bob', surname: 'Janssens' }, NOW)));
    expect(new Set(many.map((p) => p.id)).size).toBe(1);
  });

  it('keeps passwords and code keys; a username belongs to one person, whatever its case', async () => {
    const alice = (await store.findPersonByNationalNumber('85073000259'))!;
    const bob = (await store.findPersonByNationalNumber('85073000160'))!;
    expect(await store.setPassword(alice.id, ' Alice ', 'hash-1', NOW)).toBe(true);
    expect(await store.setPassword(bob.id, 'ALICE', 'hash-2', NOW)).toBe(false);
    expect(await store.findPasswordByUsername('alice')).toMatchObject({ personId: alice.id, username: 'Alice', passwordHash: 'hash-1' });

    await store.activateCodeKey({ personId: alice.id, kind: 'totp', totpSecret: 'SECRET', totpLastStep: null, activatedAt: NOW });
    await store.activateCodeKey({ personId: alice.id, kind: 'email', totpSecret: null, totpLastStep: null, activatedAt: NOW });
    expect((await store.listCodeKeys(alice.id)).map((k) => k.kind)).toEqual(['email', 'totp']);
    // The same time step accepted at once by many requests: only one of them wins.
    const steps = await Promise.all(Array.from({ length: 10 }, () => store.acceptTotpStep(alice.id, 1000)));
    expect(steps.filter(Boolean)).toHaveLength(1);
    expect(await store.acceptTotpStep(alice.id, 999)).toBe(false);
    await store.deleteCodeKey(alice.id, 'email');
    expect(await store.findCodeKey(alice.id, 'email')).toBeUndefined();
    await store.deletePassword(bob.id);
    expect(await store.findPassword(bob.id)).toBeUndefined();
  });

  it('keeps sessions; rotation moves pending requests along and drops the old nonce; expired ones are swept', async () => {
    const alice = (await store.findPersonByNationalNumber('85073000259'))!;
    await store.createSession(session('anonymous', null));
    await store.putNonce('anonymous', 'nonce-1', NOW + 300_000);
    await store.createPending({ id: 'req-1', sessionHash: 'anonymous', personId: alice.id, purpose: 'login', channel: 'email', codeHash: 'c', payload: { a: 1 }, attempts: 0, createdAt: NOW, expiresAt: NOW + 600_000, usedAt: null });
    await store.rotateSession('anonymous', session('logged-in', alice.id));
    expect(await store.findSession('anonymous', NOW)).toBeUndefined();
    expect(await store.takeNonce('anonymous')).toBeUndefined();
    expect(await store.findSession('logged-in', NOW)).toEqual(session('logged-in', alice.id));
    expect(await store.findPending('req-1')).toMatchObject({ sessionHash: 'logged-in', payload: { a: 1 } });

    await store.createSession(session('other', alice.id));
    expect(await store.deleteOtherSessions(alice.id, 'logged-in')).toBe(1);
    await store.createSession(session('old', null, NOW - 1));
    await store.deleteExpired(NOW);
    expect(await store.findSession('old', NOW - 10)).toBeUndefined();
    expect(await store.findSession('logged-in', NOW)).toBeDefined();
  });

  it('gives a nonce to one taker only, however many ask at once', async () => {
    await store.putNonce('s1', 'nonce-a', NOW + 1000);
    await store.putNonce('s1', 'nonce-b', NOW + 2000);
    const takers = await Promise.all(Array.from({ length: 20 }, () => store.takeNonce('s1')));
    expect(takers.filter((t) => t !== undefined)).toEqual([{ nonce: 'nonce-b', expiresAt: NOW + 2000 }]);
  });

  it('counts attempts of a code request and uses it once', async () => {
    const alice = (await store.findPersonByNationalNumber('85073000259'))!;
    await store.createPending({ id: 'req-2', sessionHash: 'logged-in', personId: alice.id, purpose: 'register-key', channel: 'sms', codeHash: null, payload: {}, attempts: 0, createdAt: NOW, expiresAt: NOW + 1, usedAt: null });
    expect(await Promise.all([store.countAttempt('req-2'), store.countAttempt('req-2')])).toEqual(expect.arrayContaining([1, 2]));
    await store.updatePending('req-2', { channel: 'email', codeHash: 'h', payload: { to: 'x' }, expiresAt: NOW + 5, attempts: 0 });
    expect(await store.findPending('req-2')).toMatchObject({ channel: 'email', codeHash: 'h', payload: { to: 'x' }, expiresAt: NOW + 5, attempts: 0 });
    const uses = await Promise.all(Array.from({ length: 10 }, () => store.usePending('req-2', NOW)));
    expect(uses.filter(Boolean)).toHaveLength(1);
  });

  it('locks accounts and never counts a failure during a lock', async () => {
    const bob = (await store.findPersonByNationalNumber('85073000160'))!;
    const counts = await Promise.all(Array.from({ length: 5 }, () => store.countAccountFailure(bob.id, NOW)));
    expect(counts.sort()).toEqual([1, 2, 3, 4, 5]);
    await store.lockAccount(bob.id, NOW + 60_000);
    await store.lockAccount(bob.id, NOW + 1000);
    expect(await store.findFailures(bob.id)).toEqual({ failures: 5, lockedUntil: NOW + 60_000 });
    expect(await store.countAccountFailure(bob.id, NOW + 1)).toBeUndefined();
    expect(await store.countAccountFailure(bob.id, NOW + 60_000)).toBe(6);
    await store.clearFailures(bob.id);
    expect(await store.findFailures(bob.id)).toBeUndefined();
  });

  it('hands out at most the allowed failure slots of an address to requests arriving together', async () => {
    const slots = await Promise.all(Array.from({ length: 30 }, (_, i) => store.reserveIpFailure('192.0.2.7', NOW + i, NOW - 1000, 10)));
    const taken = slots.filter((s): s is { reservation: number } => 'reservation' in s);
    expect(taken).toHaveLength(10);
    await store.releaseIpFailure(taken[0]!.reservation);
    expect(await store.countIpFailures('192.0.2.7', NOW - 1000)).toEqual({ count: 9, oldest: expect.any(Number) });
    expect(await store.countIpFailures('192.0.2.8', NOW - 1000)).toEqual({ count: 0, oldest: null });
  });

  it('counts requests per key in a window that starts again once it has ended', async () => {
    const counts = await Promise.all(Array.from({ length: 25 }, () => store.countRequest('POST /api/eid/login 192.0.2.7', NOW, 60_000)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(counts.map((c) => c.windowEnds))).toEqual(new Set([NOW + 60_000]));
    expect(await store.countRequest('POST /api/eid/login 192.0.2.7', NOW + 60_000, 60_000)).toEqual({ count: 1, windowEnds: NOW + 120_000 });
    expect(await store.countRequest('POST /api/eid/challenge 192.0.2.7', NOW, 60_000)).toEqual({ count: 1, windowEnds: NOW + 60_000 });
  });

  it('completes an activation once, and not at all when the username is taken', async () => {
    const alice = (await store.findPersonByNationalNumber('85073000259'))!;
    const bob = (await store.findPersonByNationalNumber('85073000160'))!;
    const code = { personId: bob.id, linkTokenHash: 'link-1', codeHash: 'code', email: 'bob@example.be', createdBy: 'lra', attempts: 0, createdAt: NOW, expiresAt: NOW + 1000, usedAt: null };
    await store.createActivationCode({ id: 'act-1', ...code });
    expect(await store.countActivationAttempt('act-1')).toBe(1);
    expect(await store.findActivationByLink('link-1')).toMatchObject({ id: 'act-1', attempts: 1 });
    const input = { activationId: 'act-1', personId: bob.id, passwordHash: 'h', key: { personId: bob.id, kind: 'sms' as const, totpSecret: null, totpLastStep: null, activatedAt: NOW }, email: 'Bob@Example.be', phone: '+32471000000', now: NOW };
    // Alice holds "alice": the whole activation is rolled back, the code stays usable.
    expect(await store.completeActivation({ ...input, username: 'ALICE' })).toBe('username-taken');
    expect(await store.findActivation('act-1')).toMatchObject({ usedAt: null });
    expect(await store.findCodeKey(bob.id, 'sms')).toBeUndefined();
    const results = await Promise.all([store.completeActivation({ ...input, username: 'bob' }), store.completeActivation({ ...input, username: 'bob' })]);
    expect(results.sort()).toEqual(['ok', 'used']);
    expect(await store.findPasswordByUsername('bob')).toMatchObject({ personId: bob.id });
    expect(await store.findPersonById(bob.id)).toMatchObject({ email: 'bob@example.be', phone: '+32471000000' });
    expect(alice.id).not.toBe(bob.id);
  });

  it('keeps the outbox, newest first', async () => {
    await store.addOutbox({ channel: 'email', recipient: 'a@example.be', subject: 'one', body: 'b1', createdAt: NOW });
    await store.addOutbox({ channel: 'sms', recipient: '+32470000000', subject: '', body: 'b2', createdAt: NOW + 1 });
    expect((await store.listOutbox(10)).map((m) => m.body)).toEqual(['b2', 'b1']);
    expect(await store.listOutbox(1)).toHaveLength(1);
  });

  it('keeps the enterprise register, access managers with their change log, and one HTB per enterprise', async () => {
    await store.putRegisterEnterprise({ enterpriseNumber: '0123456749', name: 'Peeters BV', address: 'Brussel', representatives: [{ nationalNumber: '85073000259', givenNames: 'Alice', surname: 'Peeters' }] }, 'test', NOW);
    await store.putRegisterEnterprise({ enterpriseNumber: '0123456749', name: 'Ignored', address: '', representatives: [] }, 'test', NOW, false);
    expect(await store.findRegisterEnterprise('0123456749')).toMatchObject({ name: 'Peeters BV', representatives: [{ nationalNumber: '85073000259' }] });
    expect(await store.listRegisterEnterprises()).toHaveLength(1);
    expect(await store.isRepresentative('0123456749', '85073000259')).toBe(true);
    expect(await store.representativeName('85073000259')).toEqual({ givenNames: 'Alice', surname: 'Peeters' });

    // Two people appointed HTB at once: one of them is the HTB afterwards, not both.
    const appoint = (nationalNumber: string) =>
      store.appointHtb({ enterpriseNumber: '0123456749', enterpriseEmail: 'info@peeters.be', nationalNumber, email: `${nationalNumber}@peeters.be`, phone: null, by: nationalNumber, now: NOW, log: log('appoint') });
    await Promise.all([appoint('85073000259'), appoint('85073000160')]);
    expect((await store.listManagers('0123456749')).filter((m) => m.role === 'htb')).toHaveLength(1);
    expect(await store.findAccessEnterprise('0123456749')).toMatchObject({ email: 'info@peeters.be' });

    const tb = { enterpriseNumber: '0123456749', nationalNumber: '90010100123', role: 'tb' as const, domain: 'tax', email: null, phone: null, appointedBy: 'x', appointedAt: NOW };
    expect(await store.addManager(tb, log('add'))).toBe(true);
    expect(await store.addManager(tb, log('add again'))).toBe(false);
    expect(await store.rolesOf('90010100123')).toEqual([tb]);
    expect(await store.setDomainContact('0123456749', 'tax', 'tax@peeters.be', log('contact'))).toBe(true);
    expect(await store.domainContacts('0123456749')).toEqual(new Map([['tax', 'tax@peeters.be']]));
    expect(await store.setDomainContact('0123456749', 'tax', null, log('no contact'))).toBe(true);
    expect(await store.setDomainContact('0123456749', 'tax', null, log('nothing'))).toBe(false);
    await store.setEnterpriseEmail('0123456749', 'new@peeters.be', log('email'));
    expect(await store.removeManager('0123456749', '90010100123', 'tb', 'tax', log('remove'))).toBe(true);
    // Only changes that happened are logged.
    expect((await store.listLog('0123456749')).map((e) => e.action).sort()).toEqual(['add', 'appoint', 'appoint', 'contact', 'email', 'no contact', 'remove'].sort());
    expect((await store.listLog('0123456749', 1))[0]).toMatchObject({ details: expect.any(Object) });
  });

  it('keeps HTB exception requests, each decided once', async () => {
    await store.createRequest({ ticket: 'T-1', pdfTokenHash: 'p', enterpriseNumber: '0123456749', payload: { name: 'x' }, status: 'waiting', reason: null, createdAt: NOW, updatedAt: NOW });
    expect(await store.setRequestStatus('T-1', ['waiting'], 'received', null, NOW + 1)).toBe(true);
    const decisions = await Promise.all([store.setRequestStatus('T-1', ['received'], 'approved', null, NOW + 2), store.setRequestStatus('T-1', ['received'], 'rejected', 'no', NOW + 2)]);
    expect(decisions.filter(Boolean)).toHaveLength(1);
    expect(await store.listRequests('waiting')).toEqual([]);
    expect(await store.findRequest('T-1')).toMatchObject({ payload: { name: 'x' }, updatedAt: NOW + 2 });
    expect(await store.listRequests()).toHaveLength(1);
  });

  it('keeps mandates, their changes, and a transfer as one unit', async () => {
    await store.createMandate(mandate('m-1'));
    await store.updateMandate('m-1', { giverSignedBy: '85073000259', giverSignedAt: NOW, extensionEndDate: '2030-01-01', extensionSide: 'giver', extensionBy: '85073000259', extensionAt: NOW });
    await store.transferMandate('m-1', mandate('m-2', { holderId: '0987654321' }), { by: '85073000259', at: NOW + 5 });
    expect(await store.findMandate('m-1')).toEqual(mandate('m-1', { giverSignedBy: '85073000259', giverSignedAt: NOW, extensionEndDate: '2030-01-01', extensionSide: 'giver', extensionBy: '85073000259', extensionAt: NOW, stoppedBy: '85073000259', stoppedAt: NOW + 5, replacedBy: 'm-2' }));
    expect((await store.listMandatesOf([{ type: 'enterprise', id: '0987654321' }])).map((m) => m.id)).toEqual(['m-2']);
    expect((await store.listMandatesOf([{ type: 'citizen', id: '85073000259' }])).map((m) => m.id).sort()).toEqual(['m-1', 'm-2']);
    expect(await store.listMandatesOf([])).toEqual([]);
    // A transfer whose new mandate cannot be written leaves the old one running.
    await expect(store.transferMandate('m-2', mandate('m-1'), { by: 'x', at: NOW })).rejects.toThrow();
    expect(await store.findMandate('m-2')).toMatchObject({ stoppedAt: null, replacedBy: null });
  });

  it('keeps a document signed with the eID; a finished signature counts once, with its effect in the same unit', async () => {
    await store.createMandate(mandate('m-signed'));
    const prepared = { subject: 'mandate:m-signed', language: 'fr', pdf: 'UERG', pending: '{"n":1}', pendingSide: 'giver', pendingBy: '85073000259', updatedAt: NOW };
    await store.saveAccessDocument(prepared);
    expect(await store.findAccessDocument('mandate:m-signed')).toEqual(prepared);
    // Prepared again: the row is replaced, the first prepared signature is gone.
    await store.saveAccessDocument({ ...prepared, pending: '{"n":2}', updatedAt: NOW + 1 });
    const effect = { mandateId: 'm-signed', side: 'giver' as const, by: '85073000259', at: NOW + 2 };
    expect(await store.finishAccessSignature('mandate:m-signed', '{"n":1}', 'U0lHTkVE', effect)).toBe(false);
    const finishes = await Promise.all([store.finishAccessSignature('mandate:m-signed', '{"n":2}', 'U0lHTkVE', effect), store.finishAccessSignature('mandate:m-signed', '{"n":2}', 'U0lHTkVE', effect)]);
    expect(finishes.filter(Boolean)).toHaveLength(1);
    expect(await store.findAccessDocument('mandate:m-signed')).toEqual({ ...prepared, pdf: 'U0lHTkVE', pending: null, pendingSide: null, pendingBy: null, updatedAt: NOW + 2 });
    expect(await store.findMandate('m-signed')).toMatchObject({ giverSignedBy: '85073000259', giverSignedAt: NOW + 2, holderSignedAt: null });

    // The exception form: the finished signature makes the waiting request received.
    await store.createRequest({ ticket: 'T-signed', pdfTokenHash: 'p', enterpriseNumber: '0123456749', payload: {}, status: 'waiting', reason: null, createdAt: NOW, updatedAt: NOW });
    await store.saveAccessDocument({ ...prepared, subject: 'exception:T-signed', pendingSide: 'representative' });
    expect(await store.finishAccessSignature('exception:T-signed', '{"n":1}', 'U0lHTkVE', { ticket: 'T-signed', at: NOW + 3 })).toBe(true);
    expect(await store.findRequest('T-signed')).toMatchObject({ status: 'received', updatedAt: NOW + 3 });
    expect(await store.findAccessDocument('nothing')).toBeUndefined();
  });
});
