import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from './helpers.js';
import { PEOPLE, STAFF, startAccessTestBackend, type AccessTestBackend } from './access-helpers.js';

let tb: AccessTestBackend;
const SCHNEIDER = '0812345603';
const KLAUS = { nationalNumber: '70.09.23-789.54', givenNames: 'Klaus', surname: 'Schneider', email: 'klaus@schneider-handel.be', phone: '087 12 34 56' };
const ENTERPRISE_MAIL = 'verwaltung@schneider-handel.be';

beforeAll(async () => {
  tb = await startAccessTestBackend({ alice: PEOPLE.alice });
});
afterAll(async () => {
  await tb?.stop();
});

/** The text a PDF viewer would show: the strings of every TJ/Tj in the (deflated) content streams. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const texts: string[] = [];
  const streams = raw.matchAll(/<<([^]*?)>>\s*stream\r?\n/g);
  for (const match of streams) {
    const start = match.index! + match[0].length;
    const end = raw.indexOf('endstream', start);
    let body = Buffer.from(raw.slice(start, end), 'latin1');
    if (/FlateDecode/.test(match[1]!)) {
      try {
        body = inflateSync(body);
      } catch {
        continue;
      }
    }
    for (const op of body.toString('latin1').matchAll(/\[(.*?)\]\s*TJ/g)) {
      texts.push([...op[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join(''));
    }
  }
  return texts.join('\n');
}

const request = { requester: KLAUS, enterpriseNumber: SCHNEIDER, appoint: 'self', enterpriseEmail: ENTERPRISE_MAIL, language: 'de' };

describe('exception procedure for representatives without eID', () => {
  it('refuses non-representatives, wrong enterprise numbers and missing data', async () => {
    const anyone = tb.client();
    const stranger = await anyone.post('/api/access/exception-requests', { ...request, requester: { ...KLAUS, nationalNumber: PEOPLE.eve.nationalNumber }, confirmed: true });
    expect(stranger.status).toBe(403);
    expect(errorCode(stranger)).toBe('NOT_LEGAL_REPRESENTATIVE');
    expect(errorCode(await anyone.post('/api/access/exception-requests', { ...request, enterpriseNumber: '0812345604', confirmed: true }))).toBe('ENTERPRISE_NUMBER_INVALID');
    expect(errorCode(await anyone.post('/api/access/exception-requests', { ...request, requester: { ...KLAUS, surname: '' }, confirmed: true }))).toBe('BAD_REQUEST');
    expect(errorCode(await anyone.post('/api/access/exception-requests', request))).toBe('CONFIRMATION_REQUIRED');
  });

  it('gives a ticket and a PDF with it; staff mark it received and approve; the HTB is appointed and e-mailed', async () => {
    const klaus = tb.client();
    const check = await klaus.post('/api/access/exception-requests/check', request);
    expect(check.json.summary).toMatchObject({ confirmText: 'Ja, ich bestätige', htb: { name: 'Klaus Schneider' }, enterprise: { name: 'Schneider Handel GmbH' } });
    const before = tb.smtp.messages.length;
    const filed = await klaus.post('/api/access/exception-requests', { ...request, confirmed: true });
    expect(filed.status).toBe(201);
    const ticket = filed.json.ticket as string;
    expect(ticket).toMatch(/^\d{2}A[A-Z2-9]{10}$/);
    const mail = await tb.smtp.waitFor(KLAUS.email, (m) => m.subject.includes(ticket), before);
    expect(mail.text).toContain(filed.json.pdfUrl as string);

    const pdf = await fetch(tb.server.url + (filed.json.pdfUrl as string));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(bytes);
    expect(text).toContain(ticket);
    expect(text).toContain('Schneider Handel GmbH');
    expect(text).toContain('0812.345.603');
    expect(text).toContain('Ich bestätige, dass diese Angaben richtig und vollständig sind.');

    // Without the token only staff get the form.
    expect((await fetch(`${tb.server.url}/api/access/exception-requests/${ticket}/pdf`)).status).toBe(404);
    expect((await fetch(`${tb.server.url}/api/access/exception-requests/${ticket}/pdf?token=guess`)).status).toBe(404);
    expect((await fetch(`${tb.server.url}/api/access/exception-requests/${ticket}/pdf`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${tb.server.url}/api/access/exception-requests/${ticket}/pdf`, { headers: STAFF })).status).toBe(200);

    // Staff only, and in order: received, then approved.
    const alice = await tb.login('alice');
    expect((await alice.post(`/api/access/admin/exception-requests/${ticket}/received`)).status).toBe(401);
    expect((await tb.client().get('/api/access/admin/exception-requests')).status).toBe(401);
    const staff = tb.client();
    expect(errorCode(await staff.post(`/api/access/admin/exception-requests/${ticket}/approve`, {}, STAFF))).toBe('REQUEST_STATE');
    expect((await staff.get('/api/access/admin/exception-requests?status=waiting', STAFF)).json.requests).toEqual([expect.objectContaining({ ticket, status: 'waiting', enterpriseName: 'Schneider Handel GmbH' })]);
    expect((await staff.post(`/api/access/admin/exception-requests/${ticket}/received`, {}, STAFF)).json.request).toMatchObject({ status: 'received' });
    const before2 = tb.smtp.messages.length;
    const approved = await staff.post(`/api/access/admin/exception-requests/${ticket}/approve`, {}, STAFF);
    expect(approved.json.request).toMatchObject({ status: 'approved' });
    const appointed = await tb.smtp.waitFor(ENTERPRISE_MAIL, () => true, before2);
    expect(appointed.text).toContain('Klaus Schneider wurde von Klaus Schneider als Hauptzugriffsverwalter bestellt');
    expect(errorCode(await staff.post(`/api/access/admin/exception-requests/${ticket}/approve`, {}, STAFF))).toBe('REQUEST_STATE');

    // He is the HTB now: a second request for himself is refused.
    expect(errorCode(await tb.client().post('/api/access/exception-requests', { ...request, confirmed: true }))).toBe('ALREADY_HTB');
  });

  it('lets staff reject a request, telling the applicant why', async () => {
    const filed = await tb.client().post('/api/access/exception-requests', {
      ...request,
      appoint: 'other',
      htb: { nationalNumber: PEOPLE.tom.nationalNumber, email: 'tom@schneider-handel.be', phone: '+32471000003' },
      language: 'fr',
      confirmed: true,
    });
    expect(filed.status).toBe(201);
    const ticket = filed.json.ticket as string;
    // The public form never shows the name behind a national number someone typed.
    const check = await tb.client().post('/api/access/exception-requests/check', { ...request, appoint: 'other', htb: { nationalNumber: PEOPLE.alice.nationalNumber, email: 'a@schneider-handel.be', phone: '+32471000004' } });
    expect(check.json.summary).toMatchObject({ htb: { name: '', nationalNumber: PEOPLE.alice.nationalNumber } });
    expect(JSON.stringify(check.json)).not.toContain('Alice');
    const pdf = Buffer.from(await (await fetch(tb.server.url + (filed.json.pdfUrl as string))).arrayBuffer());
    expect(pdfText(pdf)).toContain('88.12.24-002.46');
    const staff = tb.client();
    expect((await staff.post(`/api/access/admin/exception-requests/${ticket}/reject`, {}, STAFF)).status).toBe(400);
    const before = tb.smtp.messages.length;
    const rejected = await staff.post(`/api/access/admin/exception-requests/${ticket}/reject`, { reason: 'Le document n’est pas signé.' }, STAFF);
    expect(rejected.json.request).toMatchObject({ status: 'rejected', reason: 'Le document n’est pas signé.' });
    const mail = await tb.smtp.waitFor(KLAUS.email, (m) => m.subject.includes(ticket), before);
    expect(mail.text).toContain('a été refusée : Le document n’est pas signé.');
    expect(errorCode(await staff.post(`/api/access/admin/exception-requests/${ticket}/received`, {}, STAFF))).toBe('REQUEST_STATE');
  });
});
