/**
 * How `read-identity` and `verify` print a card's identity, address and
 * verdict: aligned label/value lines a person can read, and a JSON form for
 * scripts (without the photo and raw files, which are written to files).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckOutcome, ReadIdentityResult } from '../shared/identity.js';
import type { CardFileId, CardFiles } from '../shared-node/identity-verify.js';

function section(title: string, rows: Array<[string, string | undefined]>): string[] {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([label]) => label.length));
  return [title, ...present.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
}

function outcome(o: CheckOutcome, extra?: string): string {
  const word = o === 'valid' ? 'valid' : o === 'invalid' ? 'INVALID' : 'not checked';
  return extra && o === 'valid' ? `${word} (${extra})` : word;
}

function warningCount(count: number): string {
  return count === 0 ? '' : count === 1 ? ', with a warning' : `, with ${count} warnings`;
}

export interface ReportOptions {
  /** The reader the card was read in. */
  reader?: string;
  /** Lines to add at the end (files written, extra roots). */
  notes?: string[];
}

export function formatIdentityReport(result: ReadIdentityResult, options: ReportOptions = {}): string {
  const id = result.identity;
  const v = result.verification;
  const birth = [id.birthDateOnCard, id.birthDate && id.birthDate !== id.birthDateOnCard ? `(${id.birthDate})` : undefined, id.birthPlace && `in ${id.birthPlace}`]
    .filter(Boolean)
    .join(' ');
  const card = [result.cardType, result.virtual ? 'virtual card' : undefined, options.reader && `reader "${options.reader}"`].filter(Boolean).join(', ');
  const lines = section(`Identity (${card})`, [
    ['Surname', id.surname],
    ['Given names', [id.firstNames, id.thirdNameInitial && `${id.thirdNameInitial}.`].filter(Boolean).join(' ')],
    ['Noble condition', id.nobleCondition],
    ['National number', id.nationalNumberFormatted],
    ['Sex', id.sex === 'M' ? 'M (male)' : id.sex === 'F' ? 'F (female)' : id.sex],
    ['Born', birth],
    ['Nationality', id.nationality],
    ['Document', `${id.documentTypeName} (type ${id.documentType})`],
    ['Card number', id.cardNumberFormatted ?? id.cardNumber],
    ['Valid', `${id.validityBegin} to ${id.validityEnd}`],
    ['Issued in', id.deliveryMunicipality],
    ['Special status', id.specialStatus !== 0 ? id.specialStatusName : undefined],
    ['Organisation', id.specialOrganisationName],
    ['Duplicate', id.duplicate],
    ['Member of family', id.memberOfFamily ? 'yes' : undefined],
    ['Work permit', id.workPermitMention],
    ['Chip number', id.chipNumber],
    ...Object.entries(id.otherTags).map(([tag, hex]): [string, string] => [`Tag ${tag}`, hex]),
  ]);
  if (result.address) {
    lines.push(
      '',
      ...section('Address', [
        ['Street and number', result.address.streetAndNumber],
        ['Postal code', result.address.postalCode],
        ['Municipality', result.address.municipality],
      ]),
    );
  }
  const rrn =
    v.rrnCertificate === 'trusted'
      ? `trusted (${v.rrnKeyType ?? ''}, issued by the trusted root ${v.trustedRoot ?? ''})`
      : v.rrnCertificate === 'untrusted'
        ? 'NOT TRUSTED'
        : 'not checked';
  lines.push(
    '',
    ...section(`Verification: ${v.verified ? 'VERIFIED' : 'NOT VERIFIED'}${warningCount(v.warnings.length)}`, [
      ['Identity signature', outcome(v.identitySignature, v.signatureHash)],
      ['Address signature', outcome(v.addressSignature)],
      ['Photo', v.photoHash === 'not-checked' && !result.photo ? 'not read' : outcome(v.photoHash)],
      ['Basic key (1.8)', v.basicKeyHash ? outcome(v.basicKeyHash) : undefined],
      ['RRN certificate', rrn],
      ['RRN subject', v.rrnSubject],
    ]),
  );
  if (v.problems.length > 0) lines.push('  Problems:', ...v.problems.map((p) => `  - ${p}`));
  if (v.warnings.length > 0) lines.push('  Warnings:', ...v.warnings.map((w) => `  - ${w}`));
  if (options.notes && options.notes.length > 0) lines.push('', ...options.notes);
  return lines.join('\n');
}

/** The JSON the CLI prints: everything except the photo and raw files. */
export function identityJson(result: ReadIdentityResult, extra: Record<string, unknown> = {}): string {
  const { photo: _photo, rawFiles: _raw, ...rest } = result;
  return JSON.stringify({ ...rest, ...extra }, null, 2);
}

const FILE_NAME = /^(?:.*?[_-])?(4031|4032|4033|4034|4035|4040|5038|5039|503A|503B|503C)(?:\.[a-z0-9]+)?$/i;

/** A certificate saved as PEM becomes DER again; anything else is kept as is. */
function pemToDer(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes).toString('latin1');
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return m ? new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')) : bytes;
}

export interface CardFileDirectory {
  files: CardFiles;
  /** Two files claiming the same file id. */
  duplicates: string[];
}

/**
 * Reads a folder of raw card files named by file id: "4031", "4031.bin",
 * "3F00_DF01_4031" (the official viewer's naming) and the like.
 */
export async function readCardFileDirectory(dir: string): Promise<CardFileDirectory> {
  const files: CardFiles = {};
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const m = FILE_NAME.exec(name);
    if (!m) continue;
    const id = m[1]!.toUpperCase() as CardFileId;
    if (seen.has(id)) {
      duplicates.push(`${seen.get(id)} and ${name} are both file ${id}`);
      continue;
    }
    seen.set(id, name);
    const bytes = new Uint8Array(await readFile(join(dir, name)));
    files[id] = id.startsWith('50') ? pemToDer(bytes) : bytes;
  }
  return { files, duplicates };
}
