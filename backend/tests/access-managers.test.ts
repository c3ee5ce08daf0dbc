import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, type Client } from './helpers.js';
import { BAKERY, PEOPLE, STAFF, TRANSPORT, UNKNOWN_INSZ, startAccessTestBackend, type AccessTestBackend } from './access-helpers.js';

let tb: AccessTestBackend;
const BAKERY_MAIL = 'directie@bakkerij-peeters.be';
const TRANSPORT_MAIL = 'direction@transport-dubois.be';

beforeAll(async () => {
  tb = await startAccessTestBackend(PEOPLE);
});
afterAll(async () => {
  await tb?.stop();
});

const selfAppointment = { appoint: 'self', email: 'alice@bakkerij-peeters.be', phone: '0470 12 34 56', enterpriseEmail: BAKERY_MAIL };

describe('appointing the main access manager (HTB), standard procedure', () => {
  it('refuses people who are not logged in, wrong enterprise numbers, unknown enterprises and non-representatives', async () => {
    expect((await tb.client().get(`/api/access/enterprises/${BAKERY}/status`)).status).toBe(401);
    const eve = await tb.login('eve');
    const refused = await eve.get(`/api/access/enterprises/${BAKERY}/status`);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('NOT_LEGAL_REPRESENTATIVE');
    expect(errorCode(await eve.post(`/api/access/enterprises/${BAKERY}/htb`, { ...selfAppointment, confirmed: true }))).toBe('NOT_LEGAL_REPRESENTATIVE');

    const alice = await tb.login('alice');
    const badCheck = await alice.get('/api/access/enterprises/0301234588/status');
    expect(badCheck.status).toBe(400);
    expect(errorCode(badCheck)).toBe('ENTERPRISE_NUMBER_INVALID');
    expect(errorCode(await alice.get('/api/access/enterprises/0765432146/status'))).toBe('ENTERPRISE_UNKNOWN');
    // A representative of one enterprise is not one of another.
    expect(errorCode(await alice.get(`/api/access/enterprises/${TRANSPORT}/status`))).toBe('NOT_LEGAL_REPRESENTATIVE');
  });

  it('lets a legal representative appoint himself: status, confirmation, result, e-mail; not twice', async () => {
    const alice = await tb.login('alice');
    const status = await alice.get('/api/access/enterprises/0301.234.587/status');
    expect(status.json).toMatchObject({ registered: false, htb: null, youAreHtb: false, enterprise: { name: 'Bakkerij Peeters BV', enterpriseNumberFormatted: '0301.234.587' } });

    const check = await alice.post(`/api/access/enterprises/${BAKERY}/htb/check`, selfAppointment);
    expect(check.status).toBe(200);
    expect(check.json.summary).toMatchObject({ appoint: 'self', htb: { name: 'Alice Marie Peeters', email: 'alice@bakkerij-peeters.be', phone: '+32470123456' }, enterpriseEmail: BAKERY_MAIL, confirmText: 'Ja, ik bevestig' });
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/htb`, selfAppointment))).toBe('CONFIRMATION_REQUIRED');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/htb`, { ...selfAppointment, enterpriseEmail: 'not-an-address', confirmed: true }))).toBe('EMAIL_INVALID');

    const before = tb.smtp.messages.length;
    const done = await alice.post(`/api/access/enterprises/${BAKERY}/htb`, { ...selfAppointment, confirmed: true });
    expect(done.status).toBe(201);
    expect(done.json.status).toBe('appointed');
    const mail = await tb.smtp.waitFor(BAKERY_MAIL, (m) => m.subject.includes('Beheer der Toegangsbeheerders'), before);
    expect(mail.text).toContain('Bakkerij Peeters BV (0301.234.587)');
    expect(mail.text).toContain('Alice Marie Peeters werd aangesteld als Hoofdtoegangsbeheerder');

    const after = await alice.get(`/api/access/enterprises/${BAKERY}/status`);
    expect(after.json).toMatchObject({ registered: true, youAreHtb: true, htb: { name: 'Alice Marie Peeters' } });
    const twice = await alice.post(`/api/access/enterprises/${BAKERY}/htb`, { ...selfAppointment, confirmed: true });
    expect(twice.status).toBe(409);
    expect(errorCode(twice)).toBe('ALREADY_HTB');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/htb/check`, selfAppointment))).toBe('ALREADY_HTB');

    // Another representative sees who the HTB is.
    const marc = await tb.login('marc');
    expect((await marc.get(`/api/access/enterprises/${BAKERY}/status`)).json).toMatchObject({ registered: true, youAreHtb: false, htb: { name: 'Alice Marie Peeters', nationalNumber: PEOPLE.alice.nationalNumber } });
  });

  it('lets a legal representative appoint another person with his own contact data', async () => {
    await tb.login('eve'); // Eve is known to the backend once she has logged in
    const sophie = await tb.login('sophie');
    const body = {
      appoint: 'other',
      htb: { nationalNumber: '92.06.11-456.24', email: 'eve@transport-dubois.be', phone: '+32 471 00 00 01' },
      requester: { email: 'sophie@transport-dubois.be', phone: '+32 471 00 00 02' },
      enterpriseEmail: TRANSPORT_MAIL,
    };
    expect(errorCode(await sophie.post(`/api/access/enterprises/${TRANSPORT}/htb`, { ...body, htb: { ...body.htb, nationalNumber: '92061145625' }, confirmed: true }))).toBe('NATIONAL_NUMBER_INVALID');
    expect(errorCode(await sophie.post(`/api/access/enterprises/${TRANSPORT}/htb`, { ...body, requester: {}, confirmed: true }))).toBe('EMAIL_INVALID');
    const before = tb.smtp.messages.length;
    const done = await sophie.post(`/api/access/enterprises/${TRANSPORT}/htb`, { ...body, confirmed: true });
    expect(done.status).toBe(201);
    expect(done.json.summary).toMatchObject({ appoint: 'other', htb: { name: 'Eve Janssens' }, requester: { email: 'sophie@transport-dubois.be' } });
    const toHtb = await tb.smtp.waitFor('eve@transport-dubois.be', () => true, before);
    expect(toHtb.text).toContain('Eve Janssens werd aangesteld als Hoofdtoegangsbeheerder (HTB) door Sophie Dubois');
    await tb.smtp.waitFor(TRANSPORT_MAIL, () => true, before);

    // The HTB of one enterprise cannot appoint an HTB for it: only representatives can.
    const eve = await tb.login('eve');
    expect(errorCode(await eve.post(`/api/access/enterprises/${TRANSPORT}/htb`, { ...body, confirmed: true }))).toBe('NOT_LEGAL_REPRESENTATIVE');
    expect((await eve.get(`/api/access/me`)).json.roles).toEqual([expect.objectContaining({ enterpriseNumber: TRANSPORT, role: 'htb' })]);
  });

  it('needs a key of level 400 or more: a password alone is refused', async () => {
    const marc = await tb.login('marc');
    expect((await marc.put('/api/keys/password', { username: 'marc.peeters', password: 'bread rises at four' })).status).toBe(200);
    const weak = tb.client();
    const login = await weak.post('/api/login/password', { username: 'marc.peeters', password: 'bread rises at four', key: 'password' });
    expect(login.json.level).toBe(200);
    const refused = await weak.get(`/api/access/enterprises/${BAKERY}/status`);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('LEVEL_TOO_LOW');
  });
});

describe('managing access managers as HTB and co-HTB', () => {
  let alice: Client;
  beforeAll(async () => {
    alice = await tb.login('alice');
    await tb.login('tom'); // known to the backend
  });

  it('shows the enterprise only to its HTB and co-HTBs', async () => {
    const view = await alice.get(`/api/access/enterprises/${BAKERY}`);
    expect(view.status).toBe(200);
    expect(view.json).toMatchObject({ email: BAKERY_MAIL, yourRole: 'htb', htb: { name: 'Alice Marie Peeters' }, coHtbs: [] });
    const domains = view.json.domains as Array<{ id: string; name: string; managers: unknown[]; contactEmail: string | null }>;
    expect(domains.map((d) => d.name)).toEqual(['Binnenlandse zaken', 'Buitenlandse zaken', 'Economie', 'Financiën', 'Gezondheidszorg', 'Huisvesting', 'Justitie', 'Mobiliteit']);

    for (const who of ['marc', 'eve', 'tom'] as const) {
      const other = await tb.login(who);
      const r = await other.get(`/api/access/enterprises/${BAKERY}`);
      expect(r.status, who).toBe(403);
      expect(errorCode(r)).toBe('NOT_ACCESS_MANAGER');
    }
    expect((await tb.client().get(`/api/access/enterprises/${BAKERY}`)).status).toBe(401);
  });

  it('adds and removes co-HTBs, and every change is logged and e-mailed to the enterprise', async () => {
    const before = tb.smtp.messages.length;
    const added = await alice.post(`/api/access/enterprises/${BAKERY}/co-htbs`, { nationalNumber: PEOPLE.marc.nationalNumber, email: 'marc@bakkerij-peeters.be' });
    expect(added.status).toBe(201);
    expect(added.json.coHtbs).toEqual([expect.objectContaining({ name: 'Marc Peeters', email: 'marc@bakkerij-peeters.be' })]);
    const mail = await tb.smtp.waitFor(BAKERY_MAIL, (m) => m.text.includes('co-Hoofdtoegangsbeheerder toegevoegd: Marc Peeters'), before);
    expect(mail.text).toContain('Alice Marie Peeters');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/co-htbs`, { nationalNumber: PEOPLE.marc.nationalNumber }))).toBe('ALREADY_APPOINTED');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/co-htbs`, { nationalNumber: PEOPLE.alice.nationalNumber }))).toBe('ALREADY_HTB');

    // The co-HTB now sees and manages the enterprise.
    const marc = await tb.login('marc');
    expect((await marc.get(`/api/access/enterprises/${BAKERY}`)).json.yourRole).toBe('co-htb');
    // Others still cannot add co-HTBs.
    const eve = await tb.login('eve');
    expect(errorCode(await eve.post(`/api/access/enterprises/${BAKERY}/co-htbs`, { nationalNumber: PEOPLE.eve.nationalNumber }))).toBe('NOT_ACCESS_MANAGER');
    expect(errorCode(await eve.delete(`/api/access/enterprises/${BAKERY}/co-htbs/${PEOPLE.marc.nationalNumber}`))).toBe('NOT_ACCESS_MANAGER');

    const log = (await alice.get(`/api/access/enterprises/${BAKERY}`)).json.log as Array<{ action: string; actor: { name: string }; at: string }>;
    expect(log[0]).toMatchObject({ action: 'co-htb-added', actor: { name: 'Alice Marie Peeters' }, description: 'co-Hoofdtoegangsbeheerder toegevoegd: Marc Peeters' });
    expect(log.map((l) => l.action)).toContain('htb-appointed');
  });

  it('shows a person’s name by INSZ before adding, and refuses an unknown or invalid INSZ', async () => {
    const lookup = await alice.get(`/api/access/enterprises/${BAKERY}/persons/88.12.24-002.46`);
    expect(lookup.json.person).toMatchObject({ name: 'Tom Maes', nationalNumberFormatted: '88.12.24-002.46' });
    const unknown = await alice.get(`/api/access/enterprises/${BAKERY}/persons/${UNKNOWN_INSZ}`);
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('PERSON_UNKNOWN');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/domains/finance/managers`, { nationalNumber: UNKNOWN_INSZ }))).toBe('PERSON_UNKNOWN');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/domains/finance/managers`, { nationalNumber: '88122400247' }))).toBe('NATIONAL_NUMBER_INVALID');
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/domains/space/managers`, { nationalNumber: PEOPLE.tom.nationalNumber }))).toBe('DOMAIN_UNKNOWN');
    // A stranger cannot use the lookup to find names.
    const eve = await tb.login('eve');
    expect(errorCode(await eve.get(`/api/access/enterprises/${BAKERY}/persons/${PEOPLE.tom.nationalNumber}`))).toBe('NOT_ACCESS_MANAGER');
  });

  it('adds and removes access managers (TB) per domain and manages the domain contact address', async () => {
    const before = tb.smtp.messages.length;
    const added = await alice.post(`/api/access/enterprises/${BAKERY}/domains/finance/managers`, { nationalNumber: PEOPLE.tom.nationalNumber, email: 'tom@bakkerij-peeters.be' });
    expect(added.status).toBe(201);
    const finance = (added.json.domains as Array<{ id: string; managers: Array<{ name: string }> }>).find((d) => d.id === 'finance')!;
    expect(finance.managers).toEqual([expect.objectContaining({ name: 'Tom Maes', email: 'tom@bakkerij-peeters.be' })]);
    await tb.smtp.waitFor(BAKERY_MAIL, (m) => m.text.includes('Toegangsbeheerder toegevoegd voor Financiën: Tom Maes'), before);
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/domains/finance/managers`, { nationalNumber: PEOPLE.tom.nationalNumber }))).toBe('ALREADY_APPOINTED');

    // A TB manages applications of his domain, not the access managers.
    const tom = await tb.login('tom');
    expect((await tom.get('/api/access/me')).json.roles).toEqual([expect.objectContaining({ role: 'tb', domain: 'finance', domainName: 'Financiën' })]);
    expect(errorCode(await tom.post(`/api/access/enterprises/${BAKERY}/domains/justice/managers`, { nationalNumber: PEOPLE.tom.nationalNumber }))).toBe('NOT_ACCESS_MANAGER');
    expect(errorCode(await tom.put(`/api/access/enterprises/${BAKERY}/domains/finance/contact`, { email: 'x@example.be' }))).toBe('NOT_ACCESS_MANAGER');

    // Contact e-mail per domain: add, change, remove (here by the co-HTB).
    const marc = await tb.login('marc');
    const set = await marc.put(`/api/access/enterprises/${BAKERY}/domains/finance/contact`, { email: 'finance@bakkerij-peeters.be' });
    expect((set.json.domains as Array<{ id: string; contactEmail: string }>).find((d) => d.id === 'finance')!.contactEmail).toBe('finance@bakkerij-peeters.be');
    const changed = await marc.put(`/api/access/enterprises/${BAKERY}/domains/finance/contact`, { email: 'boekhouding@bakkerij-peeters.be' });
    expect((changed.json.domains as Array<{ id: string; contactEmail: string }>).find((d) => d.id === 'finance')!.contactEmail).toBe('boekhouding@bakkerij-peeters.be');
    await tb.smtp.waitFor(BAKERY_MAIL, (m) => m.text.includes('Contact e-mailadres voor Financiën: boekhouding@bakkerij-peeters.be') && m.text.includes('Marc Peeters'), before);
    const removed = await marc.delete(`/api/access/enterprises/${BAKERY}/domains/finance/contact`);
    expect((removed.json.domains as Array<{ id: string; contactEmail: string | null }>).find((d) => d.id === 'finance')!.contactEmail).toBeNull();
    expect(errorCode(await marc.delete(`/api/access/enterprises/${BAKERY}/domains/finance/contact`))).toBe('NOT_FOUND');

    expect(errorCode(await tom.delete(`/api/access/enterprises/${BAKERY}/domains/finance/managers/${PEOPLE.tom.nationalNumber}`))).toBe('NOT_ACCESS_MANAGER');
    const gone = await alice.delete(`/api/access/enterprises/${BAKERY}/domains/finance/managers/${PEOPLE.tom.nationalNumber}`);
    expect(gone.status).toBe(200);
    expect((gone.json.domains as Array<{ id: string; managers: unknown[] }>).find((d) => d.id === 'finance')!.managers).toEqual([]);
    expect(errorCode(await alice.delete(`/api/access/enterprises/${BAKERY}/domains/finance/managers/${PEOPLE.tom.nationalNumber}`))).toBe('NOT_APPOINTED');

    const log = (await alice.get(`/api/access/enterprises/${BAKERY}`)).json.log as Array<{ action: string; actor: { nationalNumber: string } }>;
    expect(log.slice(0, 5).map((l) => l.action)).toEqual(['tb-removed', 'domain-contact-removed', 'domain-contact-set', 'domain-contact-set', 'tb-added']);
    expect(log[1]!.actor.nationalNumber).toBe(PEOPLE.marc.nationalNumber);
  });

  it('changes the enterprise address, telling the old and the new one', async () => {
    const before = tb.smtp.messages.length;
    const r = await alice.put(`/api/access/enterprises/${BAKERY}/email`, { email: 'info@bakkerij-peeters.be' });
    expect(r.json.email).toBe('info@bakkerij-peeters.be');
    await tb.smtp.waitFor('info@bakkerij-peeters.be', (m) => m.text.includes('Contact e-mailadres gewijzigd'), before);
    await tb.smtp.waitFor(BAKERY_MAIL, (m) => m.text.includes('Contact e-mailadres gewijzigd: info@bakkerij-peeters.be'), before);
  });

  it('needs the CSRF token for changes over a cookie session', async () => {
    const token = alice.csrfToken;
    alice.csrfToken = undefined;
    expect(errorCode(await alice.post(`/api/access/enterprises/${BAKERY}/co-htbs`, { nationalNumber: PEOPLE.tom.nationalNumber }))).toBe('CSRF_TOKEN_INVALID');
    alice.csrfToken = token;
  });
});

describe('the enterprise register stand-in', () => {
  it('lets only staff list and extend it; a new representative can then appoint an HTB', async () => {
    expect((await tb.client().get('/api/access/admin/register')).status).toBe(401);
    const alice = await tb.login('alice');
    expect((await alice.post('/api/access/admin/register', { enterpriseNumber: '0765432146', name: 'X', representatives: [] })).status).toBe(401);
    const list = await tb.client().get('/api/access/admin/register', STAFF);
    expect(list.json.notice).toMatch(/Reference data set/);
    expect((list.json.enterprises as Array<{ enterpriseNumber: string; source: string }>).find((e) => e.enterpriseNumber === BAKERY)).toMatchObject({ source: 'reference' });

    expect(errorCode(await tb.client().post('/api/access/admin/register', { enterpriseNumber: '0765432147', name: 'Maes Solutions', representatives: [] }, STAFF))).toBe('ENTERPRISE_NUMBER_INVALID');
    const added = await tb.client().post(
      '/api/access/admin/register',
      { enterpriseNumber: 'BE 0765.432.146', name: 'Maes Solutions', address: 'Kerkstraat 3, 9000 Gent', representatives: [{ nationalNumber: PEOPLE.tom.nationalNumber, givenNames: 'Tom', surname: 'Maes' }] },
      STAFF,
    );
    expect(added.status).toBe(201);
    const tom = await tb.login('tom');
    expect((await tom.get('/api/access/enterprises/0765432146/status')).json).toMatchObject({ registered: false, enterprise: { name: 'Maes Solutions' } });
  });
});
