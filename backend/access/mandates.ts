/**
 * The generic mandate service: a mandate giver (citizen or enterprise) lets a
 * mandate holder (citizen or enterprise) act for him in one kind of service
 * (Tax-on-web, Biztax, eHealth, … from the configurable list), from a start
 * date (not in the past) until an optional end date. Either side may create
 * it. It is a PDF (parties, type, dates, in the page language of the first
 * signer) that the giver and then the holder sign with their eID (PAdES, the
 * holder's signature an incremental update that keeps the giver's valid,
 * ./signed-documents.ts); it is active only once both signatures are made and
 * checked, each by a person who acts for that side. Either side may stop it;
 * a later end date (or none) needs both sides, as the mandate itself did: one
 * side proposes it, the other side is e-mailed and agrees by extending to the
 * same date. The giver may transfer it to another holder.
 *
 * Who acts for an enterprise: its legal representatives, its HTB and
 * co-HTBs, and the access managers (TB) of the domain the mandate type
 * belongs to.
 *
 * States are computed from the dates with the backend's clock (dates are
 * calendar days in UTC): waiting-for-signature, future (signed, start date
 * still ahead), active, stopped, expired.
 *
 * CSV bulk import, 7 fields per line, separated by ";" (or ","), an optional
 * header line, dates as YYYY-MM-DD or DD/MM/YYYY, the end date may be empty:
 *   giverType;giverId;holderType;holderId;mandateType;startDate;endDate
 *   citizen;85073000259;enterprise;0456789034;tax-on-web;2027-01-01;2027-12-31
 * The importer must be able to act for the giver or the holder of every line;
 * each line is checked and created on its own, and the answer lists the
 * result per line.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatEnterpriseNumber, formatNationalNumber, parseEnterpriseNumber, parseNationalNumber } from '../../shared/identifiers.js';
import type { BackendContext } from '../context.js';
import { requireAuth, type Authenticated } from '../http/sessions.js';
import { randomToken } from '../security/tokens.js';
import { ApiError } from '../http/api-error.js';
import type { Language } from '../../shared/text/format.js';
import type { MandateRow, PartyType } from '../db/store.js';
import { object } from '../http/schemas.js';
import { accessError, accessPdf, answerLanguage, isoDate, knownName } from './common.js';
import { field } from '../http/schemas.js';
import { ACCESS_MIN_LEVEL } from './management.js';
import { MANDATE_TYPES, findMandateType } from './reference-data.js';
import { accessPageText } from './texts/pages/index.js';
import { accessMailText } from './texts/mails/index.js';
import { languageOf } from '../people.js';
import { requestFormText } from './texts/pdf/index.js';
import { FINISH_SIGNATURE_BODY, finishAccessSignature, PREPARE_SIGNATURE_BODY, prepareAccessSignature, storedAccessPdf, type SigningTrust } from './signed-documents.js';

export type MandateState = 'waiting-for-signature' | 'future' | 'active' | 'stopped' | 'expired';

export interface Party {
  type: PartyType;
  id: string;
}

export function mandateState(m: MandateRow, today: string): MandateState {
  if (m.stoppedAt !== null) return 'stopped';
  if (m.endDate !== null && today > m.endDate) return 'expired';
  if (m.giverSignedAt === null || m.holderSignedAt === null) return 'waiting-for-signature';
  if (today < m.startDate) return 'future';
  return 'active';
}

/** YYYY-MM-DD or DD/MM/YYYY, a real calendar day; undefined otherwise. */
export function parseDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const belgian = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  const m = iso ? [iso[1], iso[2], iso[3]] : belgian ? [belgian[3], belgian[2], belgian[1]] : undefined;
  if (!m) return undefined;
  const [y, mo, d] = m.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/** A giver or holder as sent: its type and number are read by partyOf (CSV lines use the same reader). */
const PARTY = object({ type: { type: ['string', 'null'], maxLength: 16 }, id: { type: ['string', 'null'], maxLength: 64 } });
const DATE = { type: ['string', 'null'], maxLength: 10 };
const MANDATE_BODY = object({ giver: PARTY, holder: PARTY, type: { type: ['string', 'null'], maxLength: 64 }, startDate: DATE, endDate: DATE });
const EXTEND_BODY = object({ endDate: DATE });
const TRANSFER_BODY = object({ holder: PARTY });
/** Up to 1000 lines of about 100 characters. */
const IMPORT_BODY = object({ csv: { type: 'string', maxLength: 200_000 } });

export function partyOf(value: unknown, name: string): Party {
  const type = field(value, 'type');
  const id = field(value, 'id');
  if (type === 'citizen') {
    const nn = typeof id === 'string' ? parseNationalNumber(id) : undefined;
    if (!nn) throw accessError(400, 'NATIONAL_NUMBER_INVALID', `"${name}.id" must be a valid national number`, { field: `${name}.id` });
    return { type, id: nn.nationalNumber };
  }
  if (type === 'enterprise') {
    const n = typeof id === 'string' ? parseEnterpriseNumber(id) : undefined;
    if (!n) throw accessError(400, 'ENTERPRISE_NUMBER_INVALID', `"${name}.id" must be a valid enterprise number`, { field: `${name}.id` });
    return { type, id: n };
  }
  throw accessError(400, 'BAD_REQUEST', `"${name}.type" must be "citizen" or "enterprise"`, { field: `${name}.type` });
}

/** A party as the mandate PDF names it. */
export interface NamedParty extends Party {
  name: string;
}

/** The mandate as a PDF in `language`: parties, service, dates, and how it is signed. */
export function mandatePdf(m: MandateRow, giver: NamedParty, holder: NamedParty, language: Language): Promise<Buffer> {
  const l = (key: Parameters<typeof requestFormText>[1]) => requestFormText(language, key);
  const typeName = findMandateType(m.mandateType)?.names[language] ?? m.mandateType;
  const title = `${l('mandateTitle')}: ${typeName}`;
  const { doc, line, done } = accessPdf({ Title: title, Subject: m.id });
  const party = (heading: string, p: NamedParty) => {
    doc.moveDown().fontSize(12).font('Helvetica-Bold').text(heading).fontSize(10);
    line(l('name'), p.name || '–');
    if (p.type === 'citizen') line(l('nationalNumber'), formatNationalNumber(p.id));
    else line(l('enterpriseNumber'), formatEnterpriseNumber(p.id));
    doc.font('Helvetica').text(p.type === 'citizen' ? l('citizen') : l('enterprise'));
  };
  doc.font('Helvetica-Bold').fontSize(15).text(title);
  doc.moveDown(0.5).fontSize(10);
  line(l('mandateReference'), m.id);
  doc.moveDown(0.5).font('Helvetica').text(l('mandateIntro'));
  party(l('mandateGiver'), giver);
  party(l('mandateHolder'), holder);
  doc.moveDown().fontSize(10);
  line(l('mandateType'), typeName);
  line(l('mandateStart'), m.startDate);
  line(l('mandateEnd'), m.endDate ?? l('mandateNoEnd'));
  doc.moveDown().font('Helvetica').text(l('mandateSignatures'));
  doc.end();
  return done;
}

export function registerMandateRoutes(app: FastifyInstance, ctx: BackendContext, trust: SigningTrust): void {
  const store = ctx.store;
  const today = () => isoDate(ctx.clock.now());

  /** Whether this person may act for the party in a mandate of this type. */
  async function canActFor(auth: Authenticated, party: Party, mandateType: string): Promise<boolean> {
    const nn = auth.person.nationalNumber;
    if (party.type === 'citizen') return party.id === nn;
    if (await store.isRepresentative(party.id, nn)) return true;
    const domain = findMandateType(mandateType)?.domain;
    return (await store.rolesOf(nn)).some((r) => r.enterpriseNumber === party.id && (r.role === 'htb' || r.role === 'co-htb' || (r.role === 'tb' && r.domain === domain)));
  }

  /** The parties this person can act for (for the list). */
  async function partiesOf(auth: Authenticated): Promise<Party[]> {
    const nn = auth.person.nationalNumber;
    const enterprises = new Set<string>();
    for (const e of await store.listRegisterEnterprises()) if (e.representatives.some((r) => r.nationalNumber === nn)) enterprises.add(e.enterpriseNumber);
    for (const r of await store.rolesOf(nn)) enterprises.add(r.enterpriseNumber);
    return [{ type: 'citizen', id: nn }, ...[...enterprises].map((id) => ({ type: 'enterprise' as const, id }))];
  }

  async function partyJson(p: Party) {
    const name = p.type === 'citizen' ? ((await knownName(ctx, p.id)) ?? '') : ((await store.findRegisterEnterprise(p.id))?.name ?? '');
    return { type: p.type, id: p.id, name };
  }

  async function mandateJson(m: MandateRow, auth: Authenticated, language: Language) {
    const state = mandateState(m, today());
    const giver = { type: m.giverType, id: m.giverId };
    const holder = { type: m.holderType, id: m.holderId };
    return {
      id: m.id,
      type: m.mandateType,
      typeName: findMandateType(m.mandateType)?.names[language] ?? m.mandateType,
      giver: { ...(await partyJson(giver)), signed: m.giverSignedAt !== null },
      holder: { ...(await partyJson(holder)), signed: m.holderSignedAt !== null },
      startDate: m.startDate,
      endDate: m.endDate,
      state,
      stateName: accessPageText(language, `state.${state}`),
      ...(m.replacedBy ? { replacedBy: m.replacedBy } : {}),
      ...(m.extensionSide ? { extension: { endDate: m.extensionEndDate, proposedBy: m.extensionSide } } : {}),
      youActFor: [...((await canActFor(auth, giver, m.mandateType)) ? ['giver'] : []), ...((await canActFor(auth, holder, m.mandateType)) ? ['holder'] : [])],
    };
  }

  interface NewMandate {
    giver: Party;
    holder: Party;
    type: string;
    startDate: string;
    endDate: string | null;
  }

  async function checkNew(input: { giver: unknown; holder: unknown; type: unknown; startDate: unknown; endDate: unknown }): Promise<NewMandate> {
    const giver = partyOf(input.giver, 'giver');
    const holder = partyOf(input.holder, 'holder');
    if (giver.type === holder.type && giver.id === holder.id) throw accessError(400, 'BAD_REQUEST', 'Giver and holder must differ');
    for (const p of [giver, holder]) {
      if (p.type === 'enterprise' && !(await store.findRegisterEnterprise(p.id))) throw accessError(404, 'ENTERPRISE_UNKNOWN', 'The enterprise register does not know this enterprise number', { enterpriseNumber: p.id });
    }
    const type = typeof input.type === 'string' ? findMandateType(input.type) : undefined;
    if (!type) throw accessError(400, 'MANDATE_TYPE_UNKNOWN', `"type" must be one of ${MANDATE_TYPES.map((m) => m.id).join(', ')}`);
    const startDate = parseDate(input.startDate);
    if (!startDate) throw accessError(400, 'MANDATE_DATE_INVALID', 'The start date must be a date (YYYY-MM-DD)', { field: 'startDate' });
    if (startDate < today()) throw accessError(400, 'MANDATE_DATE_INVALID', 'The start date cannot be in the past', { field: 'startDate' });
    let endDate: string | null = null;
    if (input.endDate !== undefined && input.endDate !== null && input.endDate !== '') {
      endDate = parseDate(input.endDate) ?? null;
      if (!endDate) throw accessError(400, 'MANDATE_DATE_INVALID', 'The end date must be a date (YYYY-MM-DD)', { field: 'endDate' });
      if (endDate < startDate) throw accessError(400, 'MANDATE_DATE_INVALID', 'The end date cannot be before the start date', { field: 'endDate' });
    }
    return { giver, holder, type: type.id, startDate, endDate };
  }

  /** The new mandate, waiting for the giver's and then the holder's eID signature (not stored yet). */
  async function newMandateRow(auth: Authenticated, m: NewMandate): Promise<MandateRow> {
    const forGiver = await canActFor(auth, m.giver, m.type);
    const forHolder = await canActFor(auth, m.holder, m.type);
    if (!forGiver && !forHolder) throw accessError(403, 'NOT_MANDATE_PARTY', 'You can only create a mandate you give or receive yourself, or for an enterprise you act for');
    const now = ctx.clock.now();
    const row: MandateRow = {
      id: randomToken(12),
      giverType: m.giver.type,
      giverId: m.giver.id,
      holderType: m.holder.type,
      holderId: m.holder.id,
      mandateType: m.type,
      startDate: m.startDate,
      endDate: m.endDate,
      // Creating signs nothing: each side signs the mandate's PDF with its eID.
      giverSignedBy: null,
      giverSignedAt: null,
      holderSignedBy: null,
      holderSignedAt: null,
      stoppedBy: null,
      stoppedAt: null,
      replacedBy: null,
      createdBy: auth.person.nationalNumber,
      createdAt: now,
      extensionEndDate: null,
      extensionSide: null,
      extensionBy: null,
      extensionAt: null,
    };
    return row;
  }

  async function create(auth: Authenticated, m: NewMandate): Promise<MandateRow> {
    const row = await newMandateRow(auth, m);
    await store.createMandate(row);
    return row;
  }

  async function partyMandate(request: FastifyRequest) {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const m = await store.findMandate((request.params as { id: string }).id);
    if (!m) throw accessError(404, 'NOT_FOUND', 'No such mandate');
    const forGiver = await canActFor(auth, { type: m.giverType, id: m.giverId }, m.mandateType);
    const forHolder = await canActFor(auth, { type: m.holderType, id: m.holderId }, m.mandateType);
    // Same answer as a missing mandate: outsiders learn nothing about it.
    if (!forGiver && !forHolder) throw accessError(404, 'NOT_FOUND', 'No such mandate');
    return { auth, m, forGiver, forHolder };
  }

  function requireState(m: MandateRow, allowed: MandateState[]): void {
    const state = mandateState(m, today());
    if (!allowed.includes(state)) throw accessError(409, 'MANDATE_STATE', `Not possible for a mandate that is ${state}`, { state });
  }

  app.get('/api/mandates/types', async (request) => {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const language = answerLanguage(request, auth.person);
    return { types: MANDATE_TYPES.map((t) => ({ id: t.id, name: t.names[language], domain: t.domain })) };
  });

  app.get('/api/mandates', async (request) => {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const all = await store.listMandatesOf(await partiesOf(auth));
    const visible = await Promise.all(all.map(async (m) => (await canActFor(auth, { type: m.giverType, id: m.giverId }, m.mandateType)) || (await canActFor(auth, { type: m.holderType, id: m.holderId }, m.mandateType))));
    const rows = all.filter((_, i) => visible[i]);
    return { mandates: await Promise.all(rows.map((m) => mandateJson(m, auth, answerLanguage(request, auth.person)))) };
  });

  app.post('/api/mandates', { schema: { body: MANDATE_BODY } }, async (request, reply) => {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const b = request.body;
    const row = await create(auth, await checkNew({ giver: field(b, 'giver'), holder: field(b, 'holder'), type: field(b, 'type'), startDate: field(b, 'startDate'), endDate: field(b, 'endDate') }));
    reply.code(201);
    return { mandate: await mandateJson(row, auth, answerLanguage(request, auth.person)) };
  });

  app.get('/api/mandates/:id', async (request) => {
    const { auth, m } = await partyMandate(request);
    return { mandate: await mandateJson(m, auth, answerLanguage(request, auth.person)) };
  });

  /** The former click-to-sign: refused everywhere, a mandate is signed with the eID only. */
  app.post('/api/mandates/:id/sign', async (request) => {
    await partyMandate(request);
    throw accessError(410, 'MANDATE_SIGN_WITH_EID', 'A mandate is signed with the eID: POST /api/mandates/:id/signature/prepare, then /signature/finish');
  });

  /** The side this person signs next: the giver first, then the holder. */
  function nextSide(m: MandateRow, forGiver: boolean, forHolder: boolean): 'giver' | 'holder' {
    requireState(m, ['waiting-for-signature']);
    if (m.giverSignedAt === null) {
      if (forGiver) return 'giver';
      throw accessError(409, 'GIVER_SIGNS_FIRST', 'The mandate giver signs first, then the holder');
    }
    if (m.holderSignedAt === null && forHolder) return 'holder';
    throw accessError(409, 'MANDATE_STATE', 'Your side has signed already; the other side must sign');
  }

  const subjectOf = (m: MandateRow) => `mandate:${m.id}`;

  async function namedParties(m: MandateRow): Promise<[NamedParty, NamedParty]> {
    return Promise.all([partyJson({ type: m.giverType, id: m.giverId }), partyJson({ type: m.holderType, id: m.holderId })]);
  }

  /** The mandate as signed so far; before the first signature, a fresh copy in the page language. */
  app.get('/api/mandates/:id/pdf', async (request, reply) => {
    const { auth, m } = await partyMandate(request);
    const pdf = (await storedAccessPdf(ctx, subjectOf(m))) ?? (await mandatePdf(m, ...(await namedParties(m)), answerLanguage(request, auth.person)));
    reply.header('Content-Type', 'application/pdf');
    reply.header('Content-Disposition', `attachment; filename="mandate-${m.id}.pdf"`);
    reply.header('Cache-Control', 'no-store');
    return reply.send(Buffer.from(pdf));
  });

  /** Step 1 of a side's signature: the person's signing certificate → the hash the card signs and what the dialog shows. */
  app.post('/api/mandates/:id/signature/prepare', { schema: { body: PREPARE_SIGNATURE_BODY } }, async (request, reply) => {
    const { auth, m, forGiver, forHolder } = await partyMandate(request);
    const side = nextSide(m, forGiver, forHolder);
    const language = answerLanguage(request, auth.person);
    const prepared = await prepareAccessSignature(ctx, trust, {
      subject: subjectOf(m),
      side,
      nationalNumber: auth.person.nationalNumber,
      certificate: (request.body as { certificate: string }).certificate,
      language,
      fileName: `mandate-${m.id}.pdf`,
      reason: `${requestFormText(language, side === 'giver' ? 'mandateGiver' : 'mandateHolder')}: ${m.id}`,
      makePdf: async () => mandatePdf(m, ...(await namedParties(m)), language),
    });
    reply.header('Cache-Control', 'no-store');
    return { side, ...prepared };
  });

  /** Step 2: the card's signature → the side is signed (checked: the signature, and that the signer acts for that side). */
  app.post('/api/mandates/:id/signature/finish', { schema: { body: FINISH_SIGNATURE_BODY } }, async (request) => {
    const { auth, m, forGiver, forHolder } = await partyMandate(request);
    const side = nextSide(m, forGiver, forHolder);
    const body = request.body as { certificate: string; signature: string };
    const nn = auth.person.nationalNumber;
    await finishAccessSignature(ctx, trust, {
      subject: subjectOf(m),
      side,
      nationalNumber: nn,
      certificate: body.certificate,
      signature: body.signature,
      effect: { mandateId: m.id, side, by: nn, at: ctx.clock.now() },
    });
    return { mandate: await mandateJson((await store.findMandate(m.id))!, auth, answerLanguage(request, auth.person)) };
  });

  app.post('/api/mandates/:id/stop', async (request) => {
    const { auth, m } = await partyMandate(request);
    requireState(m, ['waiting-for-signature', 'future', 'active']);
    await store.updateMandate(m.id, { stoppedBy: auth.person.nationalNumber, stoppedAt: ctx.clock.now() });
    return { mandate: await mandateJson((await store.findMandate(m.id))!, auth, answerLanguage(request, auth.person)) };
  });

  /** E-mails the side that has to agree to a proposed extension: a citizen in their own language, an enterprise at its contact address. */
  async function mailExtensionProposal(m: MandateRow, toSide: 'giver' | 'holder', endDate: string | null, auth: Authenticated, pageLanguage: Language): Promise<void> {
    const party: Party = toSide === 'giver' ? { type: m.giverType, id: m.giverId } : { type: m.holderType, id: m.holderId };
    let to: string | undefined;
    let language = pageLanguage;
    if (party.type === 'citizen') {
      const person = await store.findPersonByNationalNumber(party.id);
      to = person?.email ?? undefined;
      if (person) language = languageOf(person);
    } else {
      to = (await store.findAccessEnterprise(party.id))?.email;
    }
    if (!to) return;
    const [giver, holder] = await Promise.all([partyJson({ type: m.giverType, id: m.giverId }), partyJson({ type: m.holderType, id: m.holderId })]);
    const type = findMandateType(m.mandateType)?.names[language] ?? m.mandateType;
    try {
      await ctx.delivery.sendEmail({
        to,
        subject: accessMailText(language, 'mailMandateExtensionSubject', { type }),
        text: accessMailText(language, 'mailMandateExtensionBody', {
          by: `${auth.person.givenNames} ${auth.person.surname}`,
          type,
          giver: giver.name || giver.id,
          holder: holder.name || holder.id,
          endDate: endDate ?? accessMailText(language, 'mandateNoEnd'),
          link: `${ctx.publicUrl}/mandates?lang=${language}`,
        }),
      });
    } catch (e) {
      console.error(`eid-bridge backend: could not send the mandate extension notice: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * A later end date, or none: the consent the mandate needed, from both sides.
   * The first side's request proposes it (the end date stays) and e-mails the
   * other side; the other side's request for the same date makes it count.
   */
  app.post('/api/mandates/:id/extend', { schema: { body: EXTEND_BODY } }, async (request) => {
    const { auth, m, forGiver, forHolder } = await partyMandate(request);
    requireState(m, ['waiting-for-signature', 'future', 'active']);
    const raw = field(request.body, 'endDate');
    const endDate = raw === null || raw === '' ? null : parseDate(raw);
    if (endDate === undefined) throw accessError(400, 'MANDATE_DATE_INVALID', 'The new end date must be a date (YYYY-MM-DD), or null for no end', { field: 'endDate' });
    if (m.endDate === null) throw accessError(409, 'MANDATE_STATE', 'This mandate has no end date to extend');
    if (endDate !== null && endDate <= m.endDate) throw accessError(400, 'MANDATE_DATE_INVALID', 'The new end date must be later than the current one', { field: 'endDate' });
    const language = answerLanguage(request, auth.person);
    const proposed = m.extensionSide !== null && m.extensionEndDate === endDate ? m.extensionSide : undefined;
    const agrees = (proposed === 'giver' && forHolder) || (proposed === 'holder' && forGiver);
    if (agrees) {
      await store.updateMandate(m.id, { endDate, extensionEndDate: null, extensionSide: null, extensionBy: null, extensionAt: null });
    } else {
      // One person acting for both sides proposes as giver, like a new mandate: the holder side agrees separately.
      const side = forGiver ? 'giver' : 'holder';
      if (proposed === side) throw accessError(409, 'MANDATE_STATE', 'Your side has proposed this already; the other side must agree');
      await store.updateMandate(m.id, { extensionEndDate: endDate, extensionSide: side, extensionBy: auth.person.nationalNumber, extensionAt: ctx.clock.now() });
      await mailExtensionProposal(m, side === 'giver' ? 'holder' : 'giver', endDate, auth, language);
    }
    return { mandate: await mandateJson((await store.findMandate(m.id))!, auth, language) };
  });

  /** The giver moves the mandate to another holder: the old one stops, the new one waits for the new holder's signature. */
  app.post('/api/mandates/:id/transfer', { schema: { body: TRANSFER_BODY } }, async (request, reply) => {
    const { auth, m, forGiver } = await partyMandate(request);
    if (!forGiver) throw accessError(403, 'NOT_MANDATE_PARTY', 'Only the mandate giver can transfer a mandate');
    requireState(m, ['waiting-for-signature', 'future', 'active']);
    const startDate = m.startDate > today() ? m.startDate : today();
    const next = await checkNew({ giver: { type: m.giverType, id: m.giverId }, holder: field(request.body, 'holder'), type: m.mandateType, startDate, endDate: m.endDate });
    const row = await newMandateRow(auth, next);
    await store.transferMandate(m.id, row, { by: auth.person.nationalNumber, at: ctx.clock.now() });
    reply.code(201);
    return { mandate: await mandateJson(row, auth, answerLanguage(request, auth.person)), previous: await mandateJson((await store.findMandate(m.id))!, auth, answerLanguage(request, auth.person)) };
  });

  app.post('/api/mandates/import', { schema: { body: IMPORT_BODY } }, async (request) => {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const csv = field(request.body, 'csv');
    if (typeof csv !== 'string' || csv.trim() === '') throw accessError(400, 'BAD_REQUEST', '"csv" must hold the lines to import');
    const lines = csv.split(/\r?\n/);
    if (lines.length > 1001) throw accessError(400, 'BAD_REQUEST', 'At most 1000 lines per import');
    const results: Array<Record<string, unknown>> = [];
    for (const [index, text] of lines.entries()) {
      const line = index + 1;
      if (text.trim() === '') continue;
      const separator = text.includes(';') ? ';' : ',';
      const f = text.split(separator).map((x) => x.trim().replace(/^"(.*)"$/, '$1'));
      if (index === 0 && /^giver.?type$/i.test(f[0] ?? '')) continue;
      if (f.length !== 7) {
        results.push({ line, status: 'error', code: 'BAD_REQUEST', message: `Expected 7 fields, found ${f.length}` });
        continue;
      }
      try {
        const row = await create(auth, await checkNew({ giver: { type: f[0], id: f[1] }, holder: { type: f[2], id: f[3] }, type: f[4], startDate: f[5], endDate: f[6] }));
        results.push({ line, status: 'created', id: row.id });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        results.push({ line, status: 'error', code: e.code, message: e.message });
      }
    }
    return { created: results.filter((r) => r.status === 'created').length, failed: results.filter((r) => r.status === 'error').length, results };
  });
}
