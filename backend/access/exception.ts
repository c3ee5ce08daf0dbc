/**
 * The exception procedure for legal representatives without eID (seed 003,
 * part II): the representative fills in his national number (or BIS), first
 * name, name and the enterprise number, and the same data as in the standard
 * procedure, without logging in. The request gets a ticket number and a PDF
 * to print, sign and send back; staff mark the signed form received. Or,
 * with an eID, the representative signs the form in the browser (PAdES,
 * ./signed-documents.ts): the server checks the signature and that the
 * signer's certificate carries the requester's national number, keeps the
 * signed form and marks the request received itself. Staff then approve
 * (the HTB is appointed and e-mailed) or reject it.
 */
import { randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatEnterpriseNumber, formatNationalNumber } from '../../shared/identifiers.js';
import type { BackendContext } from '../context.js';
import { requestCap } from '../http/rate-limits.js';
import { object, text } from '../http/schemas.js';
import { isLanguage, type Language } from '../../shared/text/format.js';
import { constantTimeEqual } from '../security/otp.js';
import { randomToken, tokenHash } from '../security/tokens.js';
import type { HtbRequest, HtbRequestStatus } from '../db/store.js';
import { ApiError } from '../http/api-error.js';
import { accessError, accessPdf, nationalNumberOf, requireAccessStaff } from './common.js';
import { field } from '../http/schemas.js';
import { APPOINTMENT_FIELDS, appointHtb, appointmentSummary, emailOf, phoneOf, readAppointment, registeredEnterprise, currentHtb, type HtbAppointment } from './management.js';
import { accessMailText } from './texts/mails/index.js';
import { requestFormText, type RequestFormKey } from './texts/pdf/index.js';
import { FINISH_SIGNATURE_FIELDS, finishAccessSignature, PREPARE_SIGNATURE_FIELDS, prepareAccessSignature, storedAccessPdf, type SigningTrust } from './signed-documents.js';

const TICKET_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Like the real service's 22A001WC5AFGZ: year, a letter, then random characters; 13 in all. */
export function newTicketNumber(now: number): string {
  const year = String(new Date(now).getUTCFullYear()).slice(2);
  let rest = '';
  for (let i = 0; i < 10; i++) rest += TICKET_ALPHABET[randomInt(TICKET_ALPHABET.length)];
  return `${year}A${rest}`;
}

interface StoredRequest {
  language: Language;
  requester: { nationalNumber: string; givenNames: string; surname: string; email: string; phone: string };
  appointment: HtbAppointment;
}

/** The public form: the enterprise, who files it (without eID, so with name and number), and the appointment. */
const EXCEPTION_BODY = object(
  {
    ...APPOINTMENT_FIELDS,
    enterpriseNumber: { type: ['string', 'null'], maxLength: 64 },
    requester: object(
      { nationalNumber: { type: ['string', 'null'], maxLength: 64 }, givenNames: text(200), surname: text(200), email: { type: ['string', 'null'], maxLength: 320 }, phone: { type: ['string', 'null'], maxLength: 64 } },
      ['givenNames', 'surname'],
    ),
  },
  ['appoint', 'requester'],
);
const REJECT_BODY = object({ reason: text(500) }, ['reason']);
/** The token of the request's PDF link proves the caller has the request's answer or e-mail; the signature proves who signs. */
const PREPARE_BODY = object({ token: text(100), ...PREPARE_SIGNATURE_FIELDS }, ['token', 'certificate']);
const FINISH_BODY = object({ token: text(100), ...FINISH_SIGNATURE_FIELDS }, ['token', 'certificate', 'signature']);

/** The signed form, as a PDF in the request's language. */
export function requestPdf(request: HtbRequest, enterprise: { name: string; address: string }): Promise<Buffer> {
  const data = request.payload as unknown as StoredRequest;
  const l = (key: RequestFormKey) => requestFormText(data.language, key);
  const a = data.appointment;
  const { doc, line, done } = accessPdf({ Title: `${l('title')} – ${request.ticket}`, Subject: request.ticket });
  doc.font('Helvetica-Bold').fontSize(15).text(l('title'));
  doc.moveDown(0.5).fontSize(12);
  line(l('ticket'), request.ticket);
  doc.moveDown(0.5).fontSize(10).font('Helvetica').text(l('intro'));
  doc.moveDown().fontSize(12).font('Helvetica-Bold').text(l('enterprise')).fontSize(10);
  line(l('name'), enterprise.name);
  line(l('enterpriseNumber'), formatEnterpriseNumber(a.enterpriseNumber));
  line(l('address'), enterprise.address);
  line(l('enterpriseEmail'), a.enterpriseEmail);
  doc.moveDown().fontSize(12).font('Helvetica-Bold').text(l('requester')).fontSize(10);
  line(l('name'), `${data.requester.givenNames} ${data.requester.surname}`);
  line(l('nationalNumber'), formatNationalNumber(data.requester.nationalNumber));
  line(l('email'), data.requester.email);
  line(l('phone'), data.requester.phone);
  doc.moveDown().fontSize(12).font('Helvetica-Bold').text(l('htb')).fontSize(10);
  if (a.appoint === 'self') doc.font('Helvetica').text(l('htbIsRequester'));
  else {
    line(l('nationalNumber'), formatNationalNumber(a.htb.nationalNumber));
    line(l('email'), a.htb.email);
    line(l('phone'), a.htb.phone);
  }
  doc.moveDown().font('Helvetica').text(l('statement'));
  doc.moveDown(2).text(l('signature'));
  doc.moveDown(3).text('_______________________________________________');
  doc.moveDown(2).fontSize(9).text(l('returnTo'));
  doc.moveDown(0.5).text(l('signedWithEid'));
  doc.end();
  return done;
}

export function registerExceptionRoutes(app: FastifyInstance, ctx: BackendContext, trust: SigningTrust): void {
  const store = ctx.store;

  /** Reads and checks the public form: only a representative the register knows for this enterprise may file it. */
  async function readRequest(body: unknown) {
    const enterprise = await registeredEnterprise(ctx, field(body, 'enterpriseNumber'));
    const r = field(body, 'requester') as { givenNames: string; surname: string };
    const requester = {
      nationalNumber: nationalNumberOf(field(r, 'nationalNumber'), 'requester.nationalNumber'),
      givenNames: r.givenNames.trim(),
      surname: r.surname.trim(),
      email: emailOf(field(r, 'email'), 'requester.email'),
      phone: phoneOf(field(r, 'phone'), 'requester.phone'),
    };
    if (!(await store.isRepresentative(enterprise.enterpriseNumber, requester.nationalNumber))) {
      throw accessError(403, 'NOT_LEGAL_REPRESENTATIVE', 'Only a legal representative of the enterprise (as known in the enterprise register) can file this request');
    }
    const appoint = field(body, 'appoint');
    const form =
      appoint === 'self'
        ? { appoint, email: requester.email, phone: requester.phone, enterpriseEmail: field(body, 'enterpriseEmail') }
        : { appoint, htb: field(body, 'htb'), requester: { email: requester.email, phone: requester.phone }, enterpriseEmail: field(body, 'enterpriseEmail') };
    const appointment = readAppointment(form, enterprise.enterpriseNumber, requester.nationalNumber);
    if ((await currentHtb(ctx, enterprise.enterpriseNumber)) === appointment.htb.nationalNumber) {
      throw accessError(409, 'ALREADY_HTB', 'This person already is the main access manager (HTB) of this enterprise');
    }
    const language: Language = isLanguage(field(body, 'language')) ? (field(body, 'language') as Language) : 'nl';
    return { enterprise, requester, appointment, language };
  }

  app.post('/api/access/exception-requests/check', { schema: { body: EXCEPTION_BODY }, config: { rateLimit: requestCap(ctx, 'exceptionRequest') } }, async (request) => {
    await ctx.throttle.checkIp(request.ip);
    const { enterprise, requester, appointment, language } = await readRequest(request.body);
    const summary = await appointmentSummary(ctx, enterprise, appointment, language);
    // Nobody is logged in here: the form never reveals the name behind a national number the visitor typed.
    const htbName = appointment.appoint === 'self' ? `${requester.givenNames} ${requester.surname}` : '';
    return { status: 'confirm', summary: { ...summary, htb: { ...summary.htb, name: htbName }, requester: { ...requester, nationalNumberFormatted: formatNationalNumber(requester.nationalNumber) } } };
  });

  app.post('/api/access/exception-requests', { schema: { body: EXCEPTION_BODY }, config: { rateLimit: requestCap(ctx, 'exceptionRequest') } }, async (request, reply) => {
    await ctx.throttle.checkIp(request.ip);
    const { enterprise, requester, appointment, language } = await readRequest(request.body);
    if (field(request.body, 'confirmed') !== true) {
      throw accessError(400, 'CONFIRMATION_REQUIRED', `Confirm the data first ("${accessMailText(language, 'confirmText')}"): send "confirmed": true`);
    }
    const now = ctx.clock.now();
    const pdfToken = randomToken();
    const stored: StoredRequest = { language, requester, appointment };
    const ticket = newTicketNumber(now);
    await store.createRequest({ ticket, pdfTokenHash: tokenHash(pdfToken), enterpriseNumber: enterprise.enterpriseNumber, payload: stored as unknown as Record<string, unknown>, status: 'waiting', reason: null, createdAt: now, updatedAt: now });
    const pdfUrl = `/api/access/exception-requests/${ticket}/pdf?token=${encodeURIComponent(pdfToken)}`;
    try {
      await ctx.delivery.sendEmail({
        to: requester.email,
        subject: accessMailText(language, 'mailRequestSubject', { ticket }),
        text: `${accessMailText(language, 'mailRequestBody', { ticket })}\n\n${ctx.publicUrl}${pdfUrl}`,
      });
    } catch (e) {
      console.error(`eid-bridge backend: could not send the request confirmation: ${e instanceof Error ? e.message : String(e)}`);
    }
    reply.code(201);
    // Signing the form with the eID instead of printing it: signatureUrl + /prepare, /finish, with the token of pdfUrl.
    return { status: 'waiting', ticket, pdfUrl, signatureUrl: `/api/access/exception-requests/${ticket}/signature` };
  });

  /** The request of the PDF link's token, still waiting for its signed form; anything else reads as unknown. */
  async function waitingRequest(ticket: string, token: string): Promise<HtbRequest> {
    const found = await store.findRequest(ticket);
    if (!found || !constantTimeEqual(tokenHash(token), found.pdfTokenHash)) throw accessError(404, 'NOT_FOUND', 'No such request');
    if (found.status !== 'waiting') throw accessError(409, 'REQUEST_STATE', `The request is ${found.status}: its form is in already`);
    return found;
  }

  /** The legal representative on the request must sign; the signing certificate names him by his national number. */
  function requesterOf(r: HtbRequest): string {
    return (r.payload as unknown as StoredRequest).requester.nationalNumber;
  }

  const exceptionCap = { rateLimit: requestCap(ctx, 'exceptionRequest') };

  /** Signing the form with the eID, step 1: the representative's signing certificate → the hash the card signs. */
  app.post('/api/access/exception-requests/:ticket/signature/prepare', { schema: { body: PREPARE_BODY }, config: exceptionCap }, async (request, reply) => {
    await ctx.throttle.checkIp(request.ip);
    const body = request.body as { token: string; certificate: string };
    const found = await waitingRequest((request.params as { ticket: string }).ticket, body.token);
    const data = found.payload as unknown as StoredRequest;
    let prepared;
    try {
      prepared = await prepareAccessSignature(ctx, trust, {
        subject: `exception:${found.ticket}`,
        side: 'representative',
        nationalNumber: requesterOf(found),
        certificate: body.certificate,
        language: data.language,
        fileName: `${found.ticket}.pdf`,
        reason: `${requestFormText(data.language, 'ticket')}: ${found.ticket}`,
        makePdf: async () => requestPdf(found, (await store.findRegisterEnterprise(found.enterpriseNumber))!),
      });
    } catch (e) {
      // Nobody is logged in here: "not yours" means the card is not the representative's who filed the request.
      if (e instanceof ApiError && e.code === 'SIGNING_CERTIFICATE_NOT_YOURS') {
        throw accessError(403, 'SIGNER_NOT_REPRESENTATIVE', 'The form must be signed with the eID of the legal representative who filed the request');
      }
      throw e;
    }
    reply.header('Cache-Control', 'no-store');
    return prepared;
  });

  /** Step 2: the card's signature → the signed form is kept and the request is received. */
  app.post('/api/access/exception-requests/:ticket/signature/finish', { schema: { body: FINISH_BODY }, config: exceptionCap }, async (request) => {
    await ctx.throttle.checkIp(request.ip);
    const body = request.body as { token: string; certificate: string; signature: string };
    const found = await waitingRequest((request.params as { ticket: string }).ticket, body.token);
    await finishAccessSignature(ctx, trust, {
      subject: `exception:${found.ticket}`,
      side: 'representative',
      nationalNumber: requesterOf(found),
      certificate: body.certificate,
      signature: body.signature,
      effect: { ticket: found.ticket, at: ctx.clock.now() },
    });
    return { status: 'received', ticket: found.ticket };
  });

  /** The form: signed with the eID when it was, else to print; with the token from the answer (or the e-mail), or for staff. */
  app.get('/api/access/exception-requests/:ticket/pdf', async (request: FastifyRequest, reply) => {
    const ticket = (request.params as { ticket: string }).ticket;
    const token = (request.query as { token?: string }).token;
    const found = await store.findRequest(ticket);
    const tokenOk = typeof token === 'string' && token.length <= 100 && found !== undefined && constantTimeEqual(tokenHash(token), found.pdfTokenHash);
    if (!tokenOk) {
      if (request.headers.authorization) requireAccessStaff(ctx, request);
      else throw accessError(404, 'NOT_FOUND', 'No such request');
    }
    if (!found) throw accessError(404, 'NOT_FOUND', 'No such request');
    const enterprise = (await store.findRegisterEnterprise(found.enterpriseNumber))!;
    const signed = found.status === 'waiting' ? undefined : await storedAccessPdf(ctx, `exception:${found.ticket}`);
    const pdf = signed && Buffer.from(signed).includes('/ByteRange') ? Buffer.from(signed) : await requestPdf(found, enterprise);
    reply.header('Content-Type', 'application/pdf');
    reply.header('Content-Disposition', `attachment; filename="${found.ticket}.pdf"`);
    reply.header('Cache-Control', 'no-store');
    return reply.send(pdf);
  });

  // --- staff ---

  async function requestJson(r: HtbRequest) {
    const data = r.payload as unknown as StoredRequest;
    return {
      ticket: r.ticket,
      status: r.status,
      reason: r.reason,
      enterpriseNumber: r.enterpriseNumber,
      enterpriseName: (await store.findRegisterEnterprise(r.enterpriseNumber))?.name ?? '',
      requester: data.requester,
      appoint: data.appointment.appoint,
      htb: data.appointment.htb,
      enterpriseEmail: data.appointment.enterpriseEmail,
      createdAt: new Date(r.createdAt).toISOString(),
      updatedAt: new Date(r.updatedAt).toISOString(),
    };
  }

  async function staffRequest(request: FastifyRequest): Promise<HtbRequest> {
    requireAccessStaff(ctx, request);
    const r = await store.findRequest((request.params as { ticket: string }).ticket);
    if (!r) throw accessError(404, 'NOT_FOUND', 'No such request');
    return r;
  }

  async function move(r: HtbRequest, from: HtbRequestStatus[], to: HtbRequestStatus, reason: string | null): Promise<void> {
    if (!(await store.setRequestStatus(r.ticket, from, to, reason, ctx.clock.now()))) {
      throw accessError(409, 'REQUEST_STATE', `The request is ${(await store.findRequest(r.ticket))?.status ?? r.status}; it cannot become ${to}`);
    }
  }

  app.get('/api/access/admin/exception-requests', async (request) => {
    requireAccessStaff(ctx, request);
    const status = (request.query as { status?: string }).status;
    const valid = ['waiting', 'received', 'approved', 'rejected'];
    return { requests: await Promise.all((await store.listRequests(status && valid.includes(status) ? (status as HtbRequestStatus) : undefined)).map(requestJson)) };
  });

  app.post('/api/access/admin/exception-requests/:ticket/received', async (request) => {
    const r = await staffRequest(request);
    await move(r, ['waiting'], 'received', null);
    return { request: await requestJson((await store.findRequest(r.ticket))!) };
  });

  app.post('/api/access/admin/exception-requests/:ticket/approve', async (request) => {
    const r = await staffRequest(request);
    if (r.status !== 'received') throw accessError(409, 'REQUEST_STATE', `The request is ${r.status}: mark the signed form received first`);
    const data = r.payload as unknown as StoredRequest;
    const enterprise = (await store.findRegisterEnterprise(r.enterpriseNumber))!;
    await move(r, ['received'], 'approved', null);
    try {
      await appointHtb(ctx, enterprise, data.appointment, data.requester.nationalNumber, data.language);
    } catch (e) {
      // Nothing was appointed: the request goes back to received for another decision.
      await store.setRequestStatus(r.ticket, ['approved'], 'received', null, ctx.clock.now());
      throw e;
    }
    return { request: await requestJson((await store.findRequest(r.ticket))!) };
  });

  app.post('/api/access/admin/exception-requests/:ticket/reject', { schema: { body: REJECT_BODY } }, async (request) => {
    const r = await staffRequest(request);
    const { reason } = request.body as { reason: string };
    await move(r, ['waiting', 'received'], 'rejected', reason);
    const data = r.payload as unknown as StoredRequest;
    try {
      await ctx.delivery.sendEmail({
        to: data.requester.email,
        subject: accessMailText(data.language, 'mailRejectedSubject', { ticket: r.ticket }),
        text: accessMailText(data.language, 'mailRejectedBody', { ticket: r.ticket, enterprise: (await store.findRegisterEnterprise(r.enterpriseNumber))?.name ?? r.enterpriseNumber, reason }),
      });
    } catch (e) {
      console.error(`eid-bridge backend: could not send the rejection: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { request: await requestJson((await store.findRequest(r.ticket))!) };
  });
}
