/**
 * Access-manager management (seed 003): a legal representative registers the
 * enterprise and appoints its main access manager (HTB, standard procedure);
 * the HTB and co-HTBs manage co-HTBs, the enterprise's contact address and,
 * per domain, the access managers (TB) and a contact address. Every change is
 * logged (who, when, what) and e-mailed to the enterprise address.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatEnterpriseNumber } from '../../shared/identifiers.js';
import type { BackendContext } from '../context.js';
import { LEVELS } from '../context.js';
import { object, oneOf, optionalText, text } from '../http/schemas.js';
import { requestCap } from '../http/rate-limits.js';
import { requireAuth, type Authenticated } from '../http/sessions.js';
import { normalizeEmail, normalizePhone } from '../people.js';
import type { Language } from '../../shared/text/format.js';
import type { AccessLogEntry, ManagerRole, RegisterEnterprise } from '../db/store.js';
import { accessError, answerLanguage, describeChange, domainOf, enterpriseNumberOf, enterpriseRef, knownName, mailChange, nationalNumberOf, personRef, requireAccessStaff } from './common.js';
import { field } from '../http/schemas.js';
import { DOMAINS, REFERENCE_ENTERPRISES } from './reference-data.js';
import { accessMailText } from './texts/mails/index.js';

/** eID (500) or a key with a code (400); a password alone is not enough. */
export const ACCESS_MIN_LEVEL = LEVELS.totp;

type Params = { number: string; domain?: string; nn?: string };

/**
 * Request bodies. Values with a meaning of their own (national and
 * enterprise numbers, e-mail addresses, phone numbers) are declared as
 * strings here and read by their parsers, which answer with their own
 * error codes (NATIONAL_NUMBER_INVALID, EMAIL_INVALID, …).
 */
const IDENTIFIER = { type: ['string', 'null'], maxLength: 64 };
const EMAIL = { type: ['string', 'null'], maxLength: 320 };
const PHONE = { type: ['string', 'null'], maxLength: 64 };
const CONTACT = object({ nationalNumber: IDENTIFIER, email: EMAIL, phone: PHONE });
/** The appointment form: the HTB is the representative ("self") or another person. */
export const APPOINTMENT_FIELDS = { appoint: oneOf(['self', 'other']), enterpriseEmail: EMAIL, email: EMAIL, phone: PHONE, htb: CONTACT, requester: CONTACT, language: optionalText(8) };
const APPOINTMENT_BODY = object(APPOINTMENT_FIELDS, ['appoint']);
const REGISTER_BODY = object(
  {
    enterpriseNumber: IDENTIFIER,
    name: text(200),
    address: optionalText(300),
    representatives: { type: 'array', maxItems: 100, items: object({ nationalNumber: IDENTIFIER, givenNames: optionalText(200), surname: optionalText(200) }) },
  },
  ['name', 'representatives'],
);
const EMAIL_BODY = object({ email: EMAIL });
const MANAGER_BODY = object({ nationalNumber: IDENTIFIER, email: EMAIL });

export function emailOf(value: unknown, name: string): string {
  const e = typeof value === 'string' ? normalizeEmail(value) : undefined;
  if (!e) throw accessError(400, 'EMAIL_INVALID', `"${name}" must be a valid e-mail address`, { field: name });
  return e;
}

export function phoneOf(value: unknown, name: string): string {
  const p = typeof value === 'string' ? normalizePhone(value) : undefined;
  if (!p) throw accessError(400, 'PHONE_INVALID', `"${name}" must be a phone number with country code, e.g. +32470123456`, { field: name });
  return p;
}

export async function registeredEnterprise(ctx: BackendContext, number: unknown): Promise<RegisterEnterprise> {
  const n = enterpriseNumberOf(number);
  const e = await ctx.store.findRegisterEnterprise(n);
  if (!e) throw accessError(404, 'ENTERPRISE_UNKNOWN', 'The enterprise register does not know this enterprise number');
  return e;
}

export interface HtbAppointment {
  enterpriseNumber: string;
  appoint: 'self' | 'other';
  htb: { nationalNumber: string; email: string; phone: string };
  requester: { nationalNumber: string; email: string; phone: string };
  enterpriseEmail: string;
}

/**
 * Reads the appointment form: for "self" the representative's own e-mail and
 * phone; for "other" the HTB's national number, e-mail and phone plus the
 * representative's own contact data (for the administration only).
 */
export function readAppointment(body: unknown, enterpriseNumber: string, requesterNationalNumber: string): HtbAppointment {
  const appoint = field(body, 'appoint') as HtbAppointment['appoint'];
  const enterpriseEmail = emailOf(field(body, 'enterpriseEmail'), 'enterpriseEmail');
  if (appoint === 'self') {
    const contact = { email: emailOf(field(body, 'email'), 'email'), phone: phoneOf(field(body, 'phone'), 'phone') };
    return { enterpriseNumber, appoint, htb: { nationalNumber: requesterNationalNumber, ...contact }, requester: { nationalNumber: requesterNationalNumber, ...contact }, enterpriseEmail };
  }
  const htb = field(body, 'htb');
  const requester = field(body, 'requester');
  return {
    enterpriseNumber,
    appoint,
    htb: { nationalNumber: nationalNumberOf(field(htb, 'nationalNumber'), 'htb.nationalNumber'), email: emailOf(field(htb, 'email'), 'htb.email'), phone: phoneOf(field(htb, 'phone'), 'htb.phone') },
    requester: { nationalNumber: requesterNationalNumber, email: emailOf(field(requester, 'email'), 'requester.email'), phone: phoneOf(field(requester, 'phone'), 'requester.phone') },
    enterpriseEmail,
  };
}

export async function currentHtb(ctx: BackendContext, enterpriseNumber: string): Promise<string | undefined> {
  return (await ctx.store.listManagers(enterpriseNumber)).find((m) => m.role === 'htb')?.nationalNumber;
}

export async function appointmentSummary(ctx: BackendContext, enterprise: RegisterEnterprise, a: HtbAppointment, language: Language) {
  return {
    enterprise: { ...enterpriseRef(enterprise.enterpriseNumber, enterprise.name), address: enterprise.address },
    appoint: a.appoint,
    htb: { ...(await personRef(ctx, a.htb.nationalNumber)), email: a.htb.email, phone: a.htb.phone },
    ...(a.appoint === 'other' ? { requester: { email: a.requester.email, phone: a.requester.phone } } : {}),
    enterpriseEmail: a.enterpriseEmail,
    confirmText: accessMailText(language, 'confirmText'),
  };
}

/** Appoints the HTB (both procedures end here) and sends the confirmation e-mail. */
export async function appointHtb(ctx: BackendContext, enterprise: RegisterEnterprise, a: HtbAppointment, by: string, language: Language): Promise<void> {
  const now = ctx.clock.now();
  const htbName = (await knownName(ctx, a.htb.nationalNumber)) ?? '';
  const byName = (await knownName(ctx, by)) ?? by;
  const entry: AccessLogEntry = { actor: by, action: 'htb-appointed', details: { nationalNumber: a.htb.nationalNumber, name: htbName, procedure: a.appoint }, at: now };
  const result = await ctx.store.appointHtb({ enterpriseNumber: enterprise.enterpriseNumber, enterpriseEmail: a.enterpriseEmail, nationalNumber: a.htb.nationalNumber, email: a.htb.email, phone: a.htb.phone, by, now, log: entry });
  if (result === 'same') throw accessError(409, 'ALREADY_HTB', 'This person already is the main access manager (HTB) of this enterprise');
  const recipients = new Set([a.enterpriseEmail, a.htb.email]);
  for (const to of recipients) {
    try {
      await ctx.delivery.sendEmail({
        to,
        subject: accessMailText(language, 'mailHtbSubject'),
        text: accessMailText(language, 'mailHtbBody', { enterprise: enterprise.name, number: formatEnterpriseNumber(enterprise.enterpriseNumber), htb: htbName || a.htb.nationalNumber, by: byName, link: `${ctx.publicUrl}/access?lang=${language}` }),
      });
    } catch (e) {
      console.error(`eid-bridge backend: could not send the HTB confirmation: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

export function registerAccessManagementRoutes(app: FastifyInstance, ctx: BackendContext): void {
  const store = ctx.store;
  // The register stand-in starts with the reference enterprises (a known one is left as it is).
  const seeded = Promise.all(REFERENCE_ENTERPRISES.map((e) => store.putRegisterEnterprise(e, 'reference', ctx.clock.now(), false)));
  app.addHook('onReady', async () => {
    await seeded;
  });

  async function requireRepresentative(auth: Authenticated, enterprise: RegisterEnterprise): Promise<void> {
    if (!(await store.isRepresentative(enterprise.enterpriseNumber, auth.person.nationalNumber))) {
      throw accessError(403, 'NOT_LEGAL_REPRESENTATIVE', 'Only a legal representative of the enterprise (as known in the enterprise register) can appoint its main access manager');
    }
  }

  /** The HTB or a co-HTB of this enterprise. */
  async function requireMainManager(request: FastifyRequest) {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const enterprise = await registeredEnterprise(ctx, (request.params as Params).number);
    const access = await store.findAccessEnterprise(enterprise.enterpriseNumber);
    const role = (await store.listManagers(enterprise.enterpriseNumber)).find((m) => m.nationalNumber === auth.person.nationalNumber && (m.role === 'htb' || m.role === 'co-htb'));
    if (!access || !role) throw accessError(403, 'NOT_ACCESS_MANAGER', 'Only the main access manager (HTB) or a co-HTB of this enterprise can do this');
    const language = answerLanguage(request, auth.person);
    const actorName = `${auth.person.givenNames} ${auth.person.surname}`.trim() || auth.person.nationalNumber;
    return { auth, enterprise, access, role: role.role, language, actorName };
  }

  async function enterpriseView(enterpriseNumber: string, language: Language) {
    const enterprise = (await store.findRegisterEnterprise(enterpriseNumber))!;
    const access = (await store.findAccessEnterprise(enterpriseNumber))!;
    const managers = await store.listManagers(enterpriseNumber);
    const contacts = await store.domainContacts(enterpriseNumber);
    const ref = async (nationalNumber: string, email: string | null) => ({ ...(await personRef(ctx, nationalNumber)), email });
    const htb = managers.find((m) => m.role === 'htb');
    return {
      enterprise: { ...enterpriseRef(enterpriseNumber, enterprise.name), address: enterprise.address },
      email: access.email,
      htb: htb ? await ref(htb.nationalNumber, htb.email) : null,
      coHtbs: await Promise.all(managers.filter((m) => m.role === 'co-htb').map((m) => ref(m.nationalNumber, m.email))),
      domains: await Promise.all(
        DOMAINS.map(async (d) => ({
          id: d.id,
          name: d.names[language],
          managers: await Promise.all(managers.filter((m) => m.role === 'tb' && m.domain === d.id).map((m) => ref(m.nationalNumber, m.email))),
          contactEmail: contacts.get(d.id) ?? null,
        })),
      ),
      log: await Promise.all(
        (await store.listLog(enterpriseNumber)).map(async (l) => ({ at: new Date(l.at).toISOString(), actor: await personRef(ctx, l.actor), action: l.action, details: l.details, description: describeChange(language, l) })),
      ),
    };
  }

  // --- the enterprise register stand-in (staff) ---

  app.get('/api/access/admin/register', async (request) => {
    requireAccessStaff(ctx, request);
    return { notice: 'Reference data set standing in for the enterprise register (KBO/BCE)', enterprises: await store.listRegisterEnterprises() };
  });

  app.post('/api/access/admin/register', { schema: { body: REGISTER_BODY }, config: { rateLimit: requestCap(ctx, 'staff') } }, async (request, reply) => {
    requireAccessStaff(ctx, request);
    const body = request.body as { enterpriseNumber?: unknown; name: string; address?: string | null; representatives: Array<{ nationalNumber?: unknown; givenNames?: string | null; surname?: string | null }> };
    const enterpriseNumber = enterpriseNumberOf(body.enterpriseNumber);
    const { name } = body;
    const address = body.address ?? '';
    const representatives = body.representatives.map((r, i) => ({
      nationalNumber: nationalNumberOf(r.nationalNumber, `representatives[${i}].nationalNumber`),
      givenNames: r.givenNames ?? '',
      surname: r.surname ?? '',
    }));
    await store.putRegisterEnterprise({ enterpriseNumber, name, address, representatives }, 'admin', ctx.clock.now());
    reply.code(201);
    return { enterprise: await store.findRegisterEnterprise(enterpriseNumber) };
  });

  // --- what the logged-in person can manage ---

  app.get('/api/access/me', async (request) => {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const roles = await store.rolesOf(auth.person.nationalNumber);
    const language = answerLanguage(request, auth.person);
    return {
      person: await personRef(ctx, auth.person.nationalNumber),
      roles: await Promise.all(roles.map(async (r) => ({
        ...enterpriseRef(r.enterpriseNumber, (await store.findRegisterEnterprise(r.enterpriseNumber))?.name ?? ''),
        role: r.role,
        ...(r.role === 'tb' ? { domain: r.domain, domainName: DOMAINS.find((d) => d.id === r.domain)?.names[language] ?? r.domain } : {}),
      }))),
    };
  });

  // --- appointing the HTB, standard procedure ---

  app.get('/api/access/enterprises/:number/status', async (request) => {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const enterprise = await registeredEnterprise(ctx, (request.params as Params).number);
    await requireRepresentative(auth, enterprise);
    const htb = await currentHtb(ctx, enterprise.enterpriseNumber);
    return {
      enterprise: { ...enterpriseRef(enterprise.enterpriseNumber, enterprise.name), address: enterprise.address },
      registered: (await store.findAccessEnterprise(enterprise.enterpriseNumber)) !== undefined,
      htb: htb ? await personRef(ctx, htb) : null,
      youAreHtb: htb === auth.person.nationalNumber,
    };
  });

  async function checkedAppointment(request: FastifyRequest) {
    const auth = await requireAuth(ctx, request, ACCESS_MIN_LEVEL);
    const enterprise = await registeredEnterprise(ctx, (request.params as Params).number);
    await requireRepresentative(auth, enterprise);
    const appointment = readAppointment(request.body, enterprise.enterpriseNumber, auth.person.nationalNumber);
    if ((await currentHtb(ctx, enterprise.enterpriseNumber)) === appointment.htb.nationalNumber) {
      throw accessError(409, 'ALREADY_HTB', appointment.appoint === 'self' ? 'You already are the main access manager (HTB) of this enterprise' : 'This person already is the main access manager (HTB) of this enterprise');
    }
    return { auth, enterprise, appointment, language: answerLanguage(request, auth.person) };
  }

  /** Step "Bevestiging": the data as they will be registered, and the text to confirm. */
  app.post('/api/access/enterprises/:number/htb/check', { schema: { body: APPOINTMENT_BODY } }, async (request) => {
    const { enterprise, appointment, language } = await checkedAppointment(request);
    return { status: 'confirm', summary: await appointmentSummary(ctx, enterprise, appointment, language) };
  });

  app.post('/api/access/enterprises/:number/htb', { schema: { body: APPOINTMENT_BODY } }, async (request, reply) => {
    const { auth, enterprise, appointment, language } = await checkedAppointment(request);
    if (field(request.body, 'confirmed') !== true) {
      throw accessError(400, 'CONFIRMATION_REQUIRED', `Confirm the data first ("${accessMailText(language, 'confirmText')}"): send "confirmed": true`);
    }
    await appointHtb(ctx, enterprise, appointment, auth.person.nationalNumber, language);
    reply.code(201);
    return { status: 'appointed', summary: await appointmentSummary(ctx, enterprise, appointment, language), emailSentTo: appointment.enterpriseEmail };
  });

  // --- management by the HTB and co-HTBs ---

  app.get('/api/access/enterprises/:number', async (request) => {
    const { enterprise, role, language } = await requireMainManager(request);
    return { ...(await enterpriseView(enterprise.enterpriseNumber, language)), yourRole: role };
  });

  app.get('/api/access/enterprises/:number/persons/:nn', async (request) => {
    await requireMainManager(request);
    const nn = nationalNumberOf((request.params as Params).nn);
    const name = await knownName(ctx, nn);
    if (name === undefined) throw accessError(404, 'PERSON_UNKNOWN', 'No person with this national number (INSZ) is known');
    return { person: await personRef(ctx, nn) };
  });

  async function change(
    m: Awaited<ReturnType<typeof requireMainManager>>,
    action: string,
    details: Record<string, unknown>,
    apply: (entry: AccessLogEntry) => Promise<boolean>,
    failure: () => Error,
  ) {
    const entry: AccessLogEntry = { actor: m.auth.person.nationalNumber, action, details, at: ctx.clock.now() };
    if (!(await apply(entry))) throw failure();
    const email = (await store.findAccessEnterprise(m.enterprise.enterpriseNumber))!.email;
    await mailChange(ctx, m.language, { enterpriseNumber: m.enterprise.enterpriseNumber, name: m.enterprise.name, email }, entry, m.actorName);
    return enterpriseView(m.enterprise.enterpriseNumber, m.language);
  }

  async function knownPerson(value: unknown): Promise<{ nationalNumber: string; name: string }> {
    const nn = nationalNumberOf(value);
    const name = await knownName(ctx, nn);
    if (name === undefined) throw accessError(404, 'PERSON_UNKNOWN', 'No person with this national number (INSZ) is known');
    return { nationalNumber: nn, name };
  }

  function optionalEmail(body: unknown): string | null {
    const value = field(body, 'email');
    return value === undefined || value === null || value === '' ? null : emailOf(value, 'email');
  }

  app.put('/api/access/enterprises/:number/email', { schema: { body: EMAIL_BODY } }, async (request) => {
    const m = await requireMainManager(request);
    const email = emailOf(field(request.body, 'email'), 'email');
    const old = m.access.email;
    const view = await change(m, 'email-changed', { email }, async (entry) => (await store.setEnterpriseEmail(m.enterprise.enterpriseNumber, email, entry), true), () => new Error('unreachable'));
    // The old address hears of the change too, so a hijacked address does not go unnoticed.
    if (old !== email) await mailChange(ctx, m.language, { enterpriseNumber: m.enterprise.enterpriseNumber, name: m.enterprise.name, email: old }, { actor: m.auth.person.nationalNumber, action: 'email-changed', details: { email }, at: ctx.clock.now() }, m.actorName);
    return view;
  });

  async function addRole(request: FastifyRequest, role: ManagerRole, domain: string) {
    const m = await requireMainManager(request);
    const person = await knownPerson(field(request.body, 'nationalNumber'));
    const email = optionalEmail(request.body);
    if (role === 'co-htb' && (await currentHtb(ctx, m.enterprise.enterpriseNumber)) === person.nationalNumber) {
      throw accessError(409, 'ALREADY_HTB', 'This person is the main access manager (HTB) already');
    }
    return change(
      m,
      role === 'co-htb' ? 'co-htb-added' : 'tb-added',
      { nationalNumber: person.nationalNumber, name: person.name, ...(domain ? { domain } : {}) },
      (entry) => store.addManager({ enterpriseNumber: m.enterprise.enterpriseNumber, nationalNumber: person.nationalNumber, role, domain, email, phone: null, appointedBy: m.auth.person.nationalNumber, appointedAt: entry.at }, entry),
      () => accessError(409, 'ALREADY_APPOINTED', 'This person already has this role'),
    );
  }

  async function removeRole(request: FastifyRequest, role: ManagerRole, domain: string) {
    const m = await requireMainManager(request);
    const nn = nationalNumberOf((request.params as Params).nn);
    const name = (await knownName(ctx, nn)) ?? '';
    return change(
      m,
      role === 'co-htb' ? 'co-htb-removed' : 'tb-removed',
      { nationalNumber: nn, name, ...(domain ? { domain } : {}) },
      (entry) => store.removeManager(m.enterprise.enterpriseNumber, nn, role, domain, entry),
      () => accessError(404, 'NOT_APPOINTED', 'This person does not have this role'),
    );
  }

  app.post('/api/access/enterprises/:number/co-htbs', { schema: { body: MANAGER_BODY } }, async (request, reply) => {
    const view = await addRole(request, 'co-htb', '');
    reply.code(201);
    return view;
  });
  app.delete('/api/access/enterprises/:number/co-htbs/:nn', async (request) => removeRole(request, 'co-htb', ''));

  app.post('/api/access/enterprises/:number/domains/:domain/managers', { schema: { body: MANAGER_BODY } }, async (request, reply) => {
    const domain = domainOf((request.params as Params).domain);
    const view = await addRole(request, 'tb', domain);
    reply.code(201);
    return view;
  });
  app.delete('/api/access/enterprises/:number/domains/:domain/managers/:nn', async (request) => removeRole(request, 'tb', domainOf((request.params as Params).domain)));

  app.put('/api/access/enterprises/:number/domains/:domain/contact', { schema: { body: EMAIL_BODY } }, async (request) => {
    const domain = domainOf((request.params as Params).domain);
    const m = await requireMainManager(request);
    const email = emailOf(field(request.body, 'email'), 'email');
    return change(m, 'domain-contact-set', { domain, email }, (entry) => store.setDomainContact(m.enterprise.enterpriseNumber, domain, email, entry), () => new Error('unreachable'));
  });

  app.delete('/api/access/enterprises/:number/domains/:domain/contact', async (request) => {
    const domain = domainOf((request.params as Params).domain);
    const m = await requireMainManager(request);
    return change(m, 'domain-contact-removed', { domain }, (entry) => store.setDomainContact(m.enterprise.enterpriseNumber, domain, null, entry), () => accessError(404, 'NOT_FOUND', 'This domain has no contact e-mail address'));
  });
}
