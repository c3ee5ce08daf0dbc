/** What the access-management and mandate routes share: the store, errors, staff checks, names, notices, the PDF page. */
import PDFDocument from 'pdfkit';
import type { FastifyRequest } from 'fastify';
import { formatEnterpriseNumber, formatNationalNumber, parseEnterpriseNumber, parseNationalNumber } from '../../shared/identifiers.js';
import type { BackendContext } from '../context.js';
import { ApiError, type ApiErrorCode } from '../http/api-error.js';
import { requireStaff } from '../http/staff.js';
import { isLanguage, type Language } from '../../shared/text/format.js';
import type { AccessLogEntry, Person } from '../db/store.js';
import { languageOf } from '../people.js';
import { findDomain } from './reference-data.js';
import { accessMailText, hasAccessMailKey } from './texts/mails/index.js';

/** Error codes of this part of the API (kept here so the main list stays the backend's own). */
export type AccessErrorCode =
  | 'ENTERPRISE_NUMBER_INVALID'
  | 'ENTERPRISE_UNKNOWN'
  | 'ENTERPRISE_NOT_REGISTERED'
  | 'NOT_LEGAL_REPRESENTATIVE'
  | 'NOT_ACCESS_MANAGER'
  | 'ALREADY_HTB'
  | 'ALREADY_APPOINTED'
  | 'NOT_APPOINTED'
  | 'CONFIRMATION_REQUIRED'
  | 'PERSON_UNKNOWN'
  | 'DOMAIN_UNKNOWN'
  | 'REQUEST_STATE'
  | 'MANDATE_TYPE_UNKNOWN'
  | 'MANDATE_DATE_INVALID'
  | 'MANDATE_STATE'
  | 'MANDATE_SIGN_WITH_EID'
  | 'GIVER_SIGNS_FIRST'
  | 'SIGNER_NOT_REPRESENTATIVE'
  | 'NOT_MANDATE_PARTY';

export function accessError(status: number, code: AccessErrorCode | ApiErrorCode, message: string, details: Record<string, unknown> = {}): ApiError {
  return new ApiError(status, code as ApiErrorCode, message, details);
}

/** Staff of the service: the same bearer token as the registration-office API. */
export const requireAccessStaff = (ctx: BackendContext, request: FastifyRequest): string => requireStaff(ctx, request, 'staff');

export function enterpriseNumberOf(value: unknown): string {
  const n = typeof value === 'string' ? parseEnterpriseNumber(value) : undefined;
  if (!n) throw accessError(400, 'ENTERPRISE_NUMBER_INVALID', 'This is not a valid enterprise number (10 digits, the last two a mod-97 check)');
  return n;
}

export function nationalNumberOf(value: unknown, field = 'nationalNumber'): string {
  const nn = typeof value === 'string' ? parseNationalNumber(value) : undefined;
  if (!nn) throw accessError(400, 'NATIONAL_NUMBER_INVALID', 'This is not a valid national or BIS number', { field });
  return nn.nationalNumber;
}

export function domainOf(value: unknown): string {
  const d = typeof value === 'string' ? findDomain(value) : undefined;
  if (!d) throw accessError(404, 'DOMAIN_UNKNOWN', 'No such domain');
  return d.id;
}

/** The name the backend knows for a national number: from its persons (who logged in or were registered) or the register stand-in. */
export async function knownName(ctx: BackendContext, nationalNumber: string): Promise<string | undefined> {
  const person = await ctx.store.findPersonByNationalNumber(nationalNumber);
  const name = person ? `${person.givenNames} ${person.surname}`.trim() : '';
  if (name) return name;
  const rep = await ctx.store.representativeName(nationalNumber);
  if (rep) return `${rep.givenNames} ${rep.surname}`.trim();
  return person ? '' : undefined;
}

export async function personRef(ctx: BackendContext, nationalNumber: string) {
  return { nationalNumber, nationalNumberFormatted: formatNationalNumber(nationalNumber), name: (await knownName(ctx, nationalNumber)) ?? '' };
}

export function enterpriseRef(enterpriseNumber: string, name: string) {
  return { enterpriseNumber, enterpriseNumberFormatted: formatEnterpriseNumber(enterpriseNumber), name };
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One change of the log in words: "Toegangsbeheerder toegevoegd voor Financiën: Tom Maes". */
export function describeChange(language: Language, entry: Pick<AccessLogEntry, 'action' | 'details'>): string {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry.details)) values[k] = String(v);
  if (values.domain) values.domain = findDomain(values.domain)?.names[language] ?? values.domain;
  const key = `change:${entry.action}`;
  return hasAccessMailKey(key) ? accessMailText(language, key, values) : entry.action;
}

/**
 * Records nothing itself (the store logs in the same transaction as the
 * change); e-mails the enterprise address. A failed notice is logged, not
 * fatal: the change is done.
 */
export async function mailChange(
  ctx: BackendContext,
  language: Language,
  enterprise: { enterpriseNumber: string; name: string; email: string },
  entry: AccessLogEntry,
  actorName: string,
): Promise<void> {
  const change = describeChange(language, entry);
  try {
    await ctx.delivery.sendEmail({
      to: enterprise.email,
      subject: accessMailText(language, 'mailChangeSubject', { enterprise: enterprise.name }),
      text: accessMailText(language, 'mailChangeBody', { date: new Date(entry.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC', actor: actorName, enterprise: enterprise.name, number: formatEnterpriseNumber(enterprise.enterpriseNumber), change }),
    });
  } catch (e) {
    console.error(`eid-bridge backend: could not send the access-change notice: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The language of an answer: ?lang= (the page the person is on), else the person's own. */
export function answerLanguage(request: FastifyRequest, person: Person): Language {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  return isLanguage(lang) ? lang : languageOf(person);
}

/**
 * An A4 PDF of this part (the exception form, the mandate), written with
 * pdfkit: the document to write on, `line` for a "label: value" line, and
 * `done`, the bytes once the caller has ended the document.
 */
export function accessPdf(info: { Title: string; Subject: string }): { doc: PDFKit.PDFDocument; line: (label: string, value: string) => void; done: Promise<Buffer> } {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { ...info, Author: 'eID Bridge' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const line = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
  };
  return { doc, line, done };
}
