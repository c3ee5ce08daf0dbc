import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, ManualClock } from '../clock.js';
import { errorCode, type Client } from './helpers.js';
import { appointEveAtTransport, BAKERY, PEOPLE, TRANSPORT, signWithCard, startAccessTestBackend, type AccessTestBackend } from './access-helpers.js';

let tb: AccessTestBackend;
// 10 January 2027, 09:00 UTC: mandate dates are checked against this clock.
const clock = new ManualClock(Date.UTC(2027, 0, 10, 9, 0));
const ALICE = { type: 'citizen', id: PEOPLE.alice.nationalNumber };
const TRANSPORT_PARTY = { type: 'enterprise', id: TRANSPORT };

beforeAll(async () => {
  tb = await startAccessTestBackend(PEOPLE, { clock });
  // Transport Dubois: Sophie (representative) appoints Eve as HTB; Eve makes Tom access manager for health care only.
  await tb.login('tom');
  await appointEveAtTransport(tb);
  const eve = await tb.login('eve');
  expect((await eve.post(`/api/access/enterprises/${TRANSPORT}/domains/health-care/managers`, { nationalNumber: PEOPLE.tom.nationalNumber })).status).toBe(201);
});
afterAll(async () => {
  await tb?.stop();
});

type Mandate = {
  id: string;
  state: string;
  stateName: string;
  giver: { signed: boolean; name: string };
  holder: { signed: boolean; name: string };
  endDate: string | null;
  replacedBy?: string;
  extension?: { endDate: string | null; proposedBy: string };
};
const mandateOf = (r: { json: Record<string, unknown> }) => r.json.mandate as Mandate;

/** `who` signs the mandate with the signature key of their own eID card. */
async function sign(client: Client, who: keyof typeof PEOPLE, id: string) {
  return signWithCard(client, tb.cards.get(who)!, `/api/mandates/${id}/signature`);
}

describe('mandates', () => {
  let alice: Client;
  beforeAll(async () => {
    alice = await tb.login('alice');
  });

  it('lists the configurable mandate types', async () => {
    const types = await alice.get('/api/mandates/types');
    expect((types.json.types as Array<{ id: string }>).map((t) => t.id)).toEqual(['tax-on-web', 'biztax', 'ehealth']);
  });

  it('checks the parties, the type and the dates', async () => {
    const base = { giver: ALICE, holder: TRANSPORT_PARTY, type: 'tax-on-web', startDate: '2027-01-10' };
    expect(errorCode(await alice.post('/api/mandates', { ...base, startDate: '2027-01-09' }))).toBe('MANDATE_DATE_INVALID');
    expect(errorCode(await alice.post('/api/mandates', { ...base, startDate: '2027-02-30' }))).toBe('MANDATE_DATE_INVALID');
    expect(errorCode(await alice.post('/api/mandates', { ...base, endDate: '2027-01-01' }))).toBe('MANDATE_DATE_INVALID');
    expect(errorCode(await alice.post('/api/mandates', { ...base, type: 'lottery' }))).toBe('MANDATE_TYPE_UNKNOWN');
    expect(errorCode(await alice.post('/api/mandates', { ...base, holder: { type: 'enterprise', id: '0456789035' } }))).toBe('ENTERPRISE_NUMBER_INVALID');
    expect(errorCode(await alice.post('/api/mandates', { ...base, holder: { type: 'enterprise', id: '0765432146' } }))).toBe('ENTERPRISE_UNKNOWN');
    // Nobody creates a mandate between two others.
    const marc = await tb.login('marc');
    const refused = await marc.post('/api/mandates', base);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('NOT_MANDATE_PARTY');
  });

  it('is active only when both sides have signed, and expires after its end date', async () => {
    const created = await alice.post('/api/mandates', { giver: ALICE, holder: TRANSPORT_PARTY, type: 'Tax-on-web', startDate: '10/01/2027', endDate: '2027-03-31' });
    expect(created.status).toBe(201);
    const m = mandateOf(created);
    // Creating it signs nothing; the old click-to-sign is refused: the giver signs with the eID.
    expect(m).toMatchObject({ state: 'waiting-for-signature', stateName: 'Wacht op handtekening', giver: { signed: false, name: 'Alice Marie Peeters' }, holder: { signed: false, name: 'Transport Dubois SRL' } });
    expect(errorCode(await alice.post(`/api/mandates/${m.id}/sign`))).toBe('MANDATE_SIGN_WITH_EID');
    expect(mandateOf(await sign(alice, 'alice', m.id))).toMatchObject({ state: 'waiting-for-signature', giver: { signed: true }, holder: { signed: false } });
    expect(errorCode(await sign(alice, 'alice', m.id))).toBe('MANDATE_STATE');
    expect(mandateOf(await alice.get(`/api/mandates/${m.id}?lang=fr`)).stateName).toBe('En attente de signature');

    // Outsiders (including a TB of another domain of the holder) neither see nor sign it.
    for (const who of ['marc', 'tom'] as const) {
      const other = await tb.login(who);
      expect((await other.get(`/api/mandates/${m.id}`)).status, who).toBe(404);
      expect((await other.post(`/api/mandates/${m.id}/sign`)).status, who).toBe(404);
      expect((await sign(other, who, m.id)).status, who).toBe(404);
      expect((await other.post(`/api/mandates/${m.id}/stop`)).status, who).toBe(404);
      expect((await other.get('/api/mandates')).json.mandates as Mandate[]).not.toContainEqual(expect.objectContaining({ id: m.id }));
    }

    // The holder enterprise's HTB signs for it.
    const eve = await tb.login('eve');
    expect(((await eve.get('/api/mandates')).json.mandates as Mandate[]).map((x) => x.id)).toContain(m.id);
    const signed = await sign(eve, 'eve', m.id);
    expect(mandateOf(signed)).toMatchObject({ state: 'active', stateName: 'Actief', holder: { signed: true } });

    clock.advance(81 * DAY); // 1 April 2027
    const later = await tb.login('alice');
    const expired = mandateOf(await later.get(`/api/mandates/${m.id}`));
    expect(expired.state).toBe('expired');
    expect(errorCode(await later.post(`/api/mandates/${m.id}/extend`, { endDate: '2027-12-31' }))).toBe('MANDATE_STATE');
    expect(errorCode(await later.post(`/api/mandates/${m.id}/stop`))).toBe('MANDATE_STATE');
  });

  it('waits for its start date, is extended once both sides agree, and can be stopped by either side', async () => {
    alice = await tb.login('alice');
    // Today is 1 April 2027; the mandate starts in May.
    const created = mandateOf(await alice.post('/api/mandates', { giver: ALICE, holder: TRANSPORT_PARTY, type: 'biztax', startDate: '2027-05-01', endDate: '2027-06-30' }));
    await sign(alice, 'alice', created.id);
    const eve = await tb.login('eve');
    expect(mandateOf(await sign(eve, 'eve', created.id)).state).toBe('future');
    clock.advance(30 * DAY); // 1 May
    const alice2 = await tb.login('alice');
    expect(mandateOf(await alice2.get(`/api/mandates/${created.id}`)).state).toBe('active');

    expect(errorCode(await alice2.post(`/api/mandates/${created.id}/extend`, { endDate: '2027-06-01' }))).toBe('MANDATE_DATE_INVALID');
    const eve2 = await tb.login('eve');
    const proposed = mandateOf(await eve2.post(`/api/mandates/${created.id}/extend`, { endDate: '2027-12-31' }));
    expect(proposed).toMatchObject({ endDate: '2027-06-30', state: 'active', extension: { endDate: '2027-12-31', proposedBy: 'holder' } });
    const extended = mandateOf(await alice2.post(`/api/mandates/${created.id}/extend`, { endDate: '2027-12-31' }));
    expect(extended).toMatchObject({ endDate: '2027-12-31', state: 'active' });
    expect(extended).not.toHaveProperty('extension');

    const stopped = mandateOf(await eve2.post(`/api/mandates/${created.id}/stop`));
    expect(stopped).toMatchObject({ state: 'stopped', stateName: 'Gestopt' });
    expect(errorCode(await sign(alice2, 'alice', created.id))).toBe('MANDATE_STATE');
  });

  it('lets only the giver transfer a mandate to another holder', async () => {
    const alice3 = await tb.login('alice');
    const created = mandateOf(await alice3.post('/api/mandates', { giver: ALICE, holder: TRANSPORT_PARTY, type: 'tax-on-web', startDate: '2027-05-01' }));
    await sign(alice3, 'alice', created.id);
    const eve = await tb.login('eve');
    expect(mandateOf(await sign(eve, 'eve', created.id)).state).toBe('active');
    const refused = await eve.post(`/api/mandates/${created.id}/transfer`, { holder: { type: 'enterprise', id: BAKERY } });
    expect(errorCode(refused)).toBe('NOT_MANDATE_PARTY');

    const moved = await alice3.post(`/api/mandates/${created.id}/transfer`, { holder: { type: 'enterprise', id: BAKERY } });
    expect(moved.status).toBe(201);
    // The new mandate is a new document: both sides sign it again.
    expect(mandateOf(moved)).toMatchObject({ state: 'waiting-for-signature', holder: { name: 'Bakkerij Peeters BV', signed: false }, giver: { signed: false } });
    expect(moved.json.previous).toMatchObject({ state: 'stopped', replacedBy: mandateOf(moved).id });
    // Alice is also a representative of the bakery: she signs as giver, then the holder side separately.
    expect(mandateOf(await sign(alice3, 'alice', mandateOf(moved).id)).state).toBe('waiting-for-signature');
    expect(mandateOf(await sign(alice3, 'alice', mandateOf(moved).id)).state).toBe('active');
  });

  it('lets an access manager act for the enterprise only in his domain', async () => {
    const tom = await tb.login('tom');
    const marcParty = { type: 'citizen', id: PEOPLE.marc.nationalNumber };
    const ehealth = await tom.post('/api/mandates', { giver: TRANSPORT_PARTY, holder: marcParty, type: 'ehealth', startDate: '2027-05-01' });
    expect(ehealth.status).toBe(201);
    expect(errorCode(await tom.post('/api/mandates', { giver: TRANSPORT_PARTY, holder: marcParty, type: 'tax-on-web', startDate: '2027-05-01' }))).toBe('NOT_MANDATE_PARTY');
    const marc = await tb.login('marc');
    // The holder cannot sign before the giver.
    expect(errorCode(await sign(marc, 'marc', mandateOf(ehealth).id))).toBe('GIVER_SIGNS_FIRST');
    expect(mandateOf(await sign(tom, 'tom', mandateOf(ehealth).id)).giver.signed).toBe(true);
    expect(mandateOf(await sign(marc, 'marc', mandateOf(ehealth).id)).state).toBe('active');
  });

  it('imports mandates from CSV in the 7-field format, line by line', async () => {
    const alice4 = await tb.login('alice');
    const csv = [
      'giverType;giverId;holderType;holderId;mandateType;startDate;endDate',
      `citizen;${PEOPLE.alice.nationalNumber};enterprise;${TRANSPORT};ehealth;2027-06-01;2027-12-31`,
      `citizen;${PEOPLE.alice.nationalNumber};enterprise;${TRANSPORT};ehealth;2027-01-01;`,
      `citizen;${PEOPLE.alice.nationalNumber};enterprise;${TRANSPORT};ehealth;2027-06-01`,
      `citizen;${PEOPLE.marc.nationalNumber};enterprise;${TRANSPORT};biztax;2027-06-01;`,
      `enterprise,${BAKERY},citizen,${PEOPLE.marc.nationalNumber},biztax,15/06/2027,`,
    ].join('\n');
    const r = await alice4.post('/api/mandates/import', { csv });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ created: 2, failed: 3 });
    expect(r.json.results).toEqual([
      expect.objectContaining({ line: 2, status: 'created' }),
      expect.objectContaining({ line: 3, status: 'error', code: 'MANDATE_DATE_INVALID' }),
      expect.objectContaining({ line: 4, status: 'error', code: 'BAD_REQUEST' }),
      expect.objectContaining({ line: 5, status: 'error', code: 'NOT_MANDATE_PARTY' }),
      expect.objectContaining({ line: 6, status: 'created' }),
    ]);
    const list = (await alice4.get('/api/mandates')).json.mandates as Mandate[];
    const imported = (r.json.results as Array<{ id?: string }>).filter((x) => x.id).map((x) => x.id);
    expect(list.filter((m) => imported.includes(m.id)).map((m) => m.state)).toEqual(['waiting-for-signature', 'waiting-for-signature']);
    expect((await tb.client().post('/api/mandates/import', { csv })).status).toBe(401);
  });

  it('needs both sides to extend a mandate or remove its end date, and e-mails the side that has to agree', async () => {
    const alice5 = await tb.login('alice');
    expect((await alice5.put('/api/profile/email', { email: 'alice.peeters@example.be' })).status).toBe(200);
    const startDate = new Date(clock.now()).toISOString().slice(0, 10);
    const created = mandateOf(await alice5.post('/api/mandates', { giver: ALICE, holder: TRANSPORT_PARTY, type: 'tax-on-web', startDate, endDate: '2030-06-30' }));
    await sign(alice5, 'alice', created.id);
    const eve = await tb.login('eve');
    expect(mandateOf(await sign(eve, 'eve', created.id)).state).toBe('active');

    // The holder alone (on a French page) cannot extend: the giver is asked, in her own language.
    const before = tb.smtp.messages.length;
    const proposal = mandateOf(await eve.post(`/api/mandates/${created.id}/extend?lang=fr`, { endDate: '2031-12-31' }));
    expect(proposal).toMatchObject({ endDate: '2030-06-30', extension: { endDate: '2031-12-31', proposedBy: 'holder' } });
    const toGiver = await tb.smtp.waitFor('alice.peeters@example.be', (m) => m.subject.includes('wacht op uw akkoord'), before);
    expect(toGiver.text).toContain('2031-12-31');
    expect(toGiver.text).toContain(PEOPLE.eve.surname);
    expect(errorCode(await eve.post(`/api/mandates/${created.id}/extend`, { endDate: '2031-12-31' }))).toBe('MANDATE_STATE');
    expect(mandateOf(await alice5.get(`/api/mandates/${created.id}`)).endDate).toBe('2030-06-30');

    // The giver alone cannot remove the end date either: the enterprise is asked at its contact address.
    const beforeRemoval = tb.smtp.messages.length;
    const removal = mandateOf(await alice5.post(`/api/mandates/${created.id}/extend`, { endDate: null }));
    expect(removal).toMatchObject({ endDate: '2030-06-30', extension: { endDate: null, proposedBy: 'giver' } });
    const toHolder = await tb.smtp.waitFor('direction@transport-dubois.be', (m) => m.subject.includes('wacht op uw akkoord'), beforeRemoval);
    expect(toHolder.text).toContain('geen einddatum');

    // The holder agrees to the same change: now it counts.
    const agreed = mandateOf(await eve.post(`/api/mandates/${created.id}/extend`, { endDate: null }));
    expect(agreed).toMatchObject({ endDate: null, state: 'active' });
    expect(agreed).not.toHaveProperty('extension');

    // Outsiders see nothing.
    expect((await (await tb.login('marc')).post(`/api/mandates/${created.id}/extend`, { endDate: '2032-01-01' })).status).toBe(404);
  });
});
