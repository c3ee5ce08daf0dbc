/**
 * Every access-management, exception and mandate action tried by the wrong
 * people: nobody logged in, a stranger with eID, an access manager (TB) where
 * only the HTB may act, a representative who is not HTB, and a password-only
 * session. Each is refused, and afterwards nothing has changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers.js';
import { BAKERY, PEOPLE, STAFF, TRANSPORT, startAccessTestBackend, type AccessTestBackend } from './access-helpers.js';

let tb: AccessTestBackend;
let alice: Client;
let mandateId = '';
let ticket = '';

beforeAll(async () => {
  tb = await startAccessTestBackend(PEOPLE);
  await tb.login('tom');
  await tb.login('eve');
  alice = await tb.login('alice');
  expect((await alice.post(`/api/access/enterprises/${BAKERY}/htb`, { appoint: 'self', email: 'alice@bakkerij-peeters.be', phone: '+32470123456', enterpriseEmail: 'directie@bakkerij-peeters.be', confirmed: true })).status).toBe(201);
  expect((await alice.post(`/api/access/enterprises/${BAKERY}/domains/finance/managers`, { nationalNumber: PEOPLE.tom.nationalNumber })).status).toBe(201);
  expect((await alice.put(`/api/access/enterprises/${BAKERY}/domains/finance/contact`, { email: 'finance@bakkerij-peeters.be' })).status).toBe(200);
  const m = await alice.post('/api/mandates', { giver: { type: 'citizen', id: PEOPLE.alice.nationalNumber }, holder: { type: 'enterprise', id: TRANSPORT }, type: 'tax-on-web', startDate: new Date().toISOString().slice(0, 10), endDate: '2099-12-31' });
  mandateId = (m.json.mandate as { id: string }).id;
  const filed = await tb.client().post('/api/access/exception-requests', {
    requester: { nationalNumber: PEOPLE.sophie.nationalNumber, givenNames: 'Sophie', surname: 'Dubois', email: 'sophie@transport-dubois.be', phone: '+32471000002' },
    enterpriseNumber: TRANSPORT,
    appoint: 'self',
    enterpriseEmail: 'direction@transport-dubois.be',
    confirmed: true,
  });
  ticket = filed.json.ticket as string;
  // Marc sets a password so a level-200 session can be tried too.
  const marc = await tb.login('marc');
  expect((await marc.put('/api/keys/password', { username: 'marc.peeters', password: 'bread rises at four' })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await tb?.stop();
});

type Action = [method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: () => string, body?: unknown];

const MANAGEMENT: Action[] = [
  ['GET', () => `/api/access/enterprises/${BAKERY}`],
  ['GET', () => `/api/access/enterprises/${BAKERY}/persons/${PEOPLE.tom.nationalNumber}`],
  ['PUT', () => `/api/access/enterprises/${BAKERY}/email`, { email: 'evil@example.be' }],
  ['POST', () => `/api/access/enterprises/${BAKERY}/co-htbs`, { nationalNumber: PEOPLE.eve.nationalNumber }],
  ['DELETE', () => `/api/access/enterprises/${BAKERY}/co-htbs/${PEOPLE.alice.nationalNumber}`],
  ['POST', () => `/api/access/enterprises/${BAKERY}/domains/justice/managers`, { nationalNumber: PEOPLE.eve.nationalNumber }],
  ['DELETE', () => `/api/access/enterprises/${BAKERY}/domains/finance/managers/${PEOPLE.tom.nationalNumber}`],
  ['PUT', () => `/api/access/enterprises/${BAKERY}/domains/finance/contact`, { email: 'evil@example.be' }],
  ['DELETE', () => `/api/access/enterprises/${BAKERY}/domains/finance/contact`],
];

const APPOINTMENT: Action[] = [
  ['GET', () => `/api/access/enterprises/${BAKERY}/status`],
  ['POST', () => `/api/access/enterprises/${BAKERY}/htb/check`, { appoint: 'self', email: 'x@example.be', phone: '+32470000000', enterpriseEmail: 'evil@example.be' }],
  ['POST', () => `/api/access/enterprises/${BAKERY}/htb`, { appoint: 'self', email: 'x@example.be', phone: '+32470000000', enterpriseEmail: 'evil@example.be', confirmed: true }],
];

const MANDATE: Action[] = [
  ['GET', () => `/api/mandates/${mandateId}`],
  ['POST', () => `/api/mandates/${mandateId}/sign`, {}],
  ['POST', () => `/api/mandates/${mandateId}/stop`, {}],
  ['POST', () => `/api/mandates/${mandateId}/extend`, { endDate: '2100-01-01' }],
  ['POST', () => `/api/mandates/${mandateId}/transfer`, { holder: { type: 'enterprise', id: BAKERY } }],
  ['GET', () => `/api/mandates/${mandateId}/pdf`],
  ['POST', () => `/api/mandates/${mandateId}/signature/prepare`, { certificate: 'AAAA' }],
  ['POST', () => `/api/mandates/${mandateId}/signature/finish`, { certificate: 'AAAA', signature: 'AAAA' }],
];

const STAFF_ONLY: Action[] = [
  ['GET', () => '/api/access/admin/register'],
  ['POST', () => '/api/access/admin/register', { enterpriseNumber: '0765432146', name: 'Evil', representatives: [{ nationalNumber: PEOPLE.eve.nationalNumber }] }],
  ['GET', () => '/api/access/admin/exception-requests'],
  ['POST', () => `/api/access/admin/exception-requests/${ticket}/received`, {}],
  ['POST', () => `/api/access/admin/exception-requests/${ticket}/approve`, {}],
  ['POST', () => `/api/access/admin/exception-requests/${ticket}/reject`, { reason: 'no' }],
];

async function call(client: Client, [method, path, body]: Action) {
  return client.request(method, path(), method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}));
}

async function passwordOnly(): Promise<Client> {
  const c = tb.client();
  const r = await c.post('/api/login/password', { username: 'marc.peeters', password: 'bread rises at four', key: 'password' });
  expect(r.json.level).toBe(200);
  return c;
}

describe('authorization of every access action', () => {
  it('refuses management actions to everyone but the HTB and co-HTBs', async () => {
    const cases: Array<[string, Client, number, string]> = [
      ['nobody', tb.client(), 401, 'UNAUTHENTICATED'],
      ['stranger', await tb.login('eve'), 403, 'NOT_ACCESS_MANAGER'],
      ['TB of a domain', await tb.login('tom'), 403, 'NOT_ACCESS_MANAGER'],
      ['representative who is not HTB', await tb.login('marc'), 403, 'NOT_ACCESS_MANAGER'],
      ['password only', await passwordOnly(), 403, 'LEVEL_TOO_LOW'],
    ];
    for (const [who, client, status, code] of cases) {
      for (const action of MANAGEMENT) {
        const r = await call(client, action);
        expect(r.status, `${who}: ${action[0]} ${action[1]()}`).toBe(status);
        expect((r.json.error as { code: string }).code, `${who}: ${action[0]} ${action[1]()}`).toBe(code);
      }
    }
  });

  it('refuses the HTB appointment to everyone but a legal representative', async () => {
    const cases: Array<[string, Client, number]> = [
      ['nobody', tb.client(), 401],
      ['stranger', await tb.login('eve'), 403],
      ['TB of a domain', await tb.login('tom'), 403],
      ['password only', await passwordOnly(), 403],
    ];
    for (const [who, client, status] of cases) {
      for (const action of APPOINTMENT) expect((await call(client, action)).status, `${who}: ${action[0]} ${action[1]()}`).toBe(status);
    }
  });

  it('refuses mandate actions to people who act for neither side, and transfer to the holder', async () => {
    const cases: Array<[string, Client, number]> = [
      ['nobody', tb.client(), 401],
      ['stranger', await tb.login('marc'), 404],
      ['TB of another enterprise', await tb.login('tom'), 404],
      ['password only', await passwordOnly(), 403],
    ];
    for (const [who, client, status] of cases) {
      for (const action of MANDATE) expect((await call(client, action)).status, `${who}: ${action[0]} ${action[1]()}`).toBe(status);
    }
    // Sophie represents the holder: she may sign, but only the giver transfers.
    const sophie = await tb.login('sophie');
    expect((await call(sophie, MANDATE[4]!)).status).toBe(403);
  });

  it('refuses staff actions to anyone without the staff token, logged in or not', async () => {
    for (const client of [tb.client(), alice, await tb.login('eve')]) {
      for (const action of STAFF_ONLY) expect((await call(client, action)).status, `${action[0]} ${action[1]()}`).toBe(401);
    }
    const wrongToken = tb.client();
    for (const action of STAFF_ONLY) {
      const [method, path, body] = action;
      expect((await wrongToken.request(method, path(), method === 'GET' ? undefined : (body ?? {}), { Authorization: 'Bearer not-the-token' })).status).toBe(401);
    }
  });

  it('changed nothing', async () => {
    const view = await (await tb.login('alice')).get(`/api/access/enterprises/${BAKERY}`);
    expect(view.json).toMatchObject({ email: 'directie@bakkerij-peeters.be', htb: { nationalNumber: PEOPLE.alice.nationalNumber }, coHtbs: [] });
    const domains = view.json.domains as Array<{ id: string; managers: Array<{ nationalNumber: string }>; contactEmail: string | null }>;
    expect(domains.find((d) => d.id === 'finance')).toMatchObject({ managers: [{ nationalNumber: PEOPLE.tom.nationalNumber }], contactEmail: 'finance@bakkerij-peeters.be' });
    expect(domains.find((d) => d.id === 'justice')!.managers).toEqual([]);
    expect((view.json.log as unknown[]).length).toBe(3);
    const m = await alice.get(`/api/mandates/${mandateId}`);
    expect(m.json.mandate).toMatchObject({ state: 'waiting-for-signature', endDate: '2099-12-31', holder: { signed: false, id: TRANSPORT } });
    const requests = await tb.client().get('/api/access/admin/exception-requests', STAFF);
    expect(requests.json.requests).toEqual([expect.objectContaining({ ticket, status: 'waiting' })]);
    expect((await tb.client().get('/api/access/admin/register', STAFF)).json.enterprises).not.toContainEqual(expect.objectContaining({ enterpriseNumber: '0765432146' }));
  });
});
