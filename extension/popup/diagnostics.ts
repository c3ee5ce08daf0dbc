/**
 * "Lukt het aanmelden niet?": checks each link of the chain a login needs,
 * in order — extension, host installed and compatible, PC/SC service,
 * reader, card, certificates, reference backend — and names the first one
 * that is broken, so the person gets one thing to do, not a list.
 * Pure: the popup gathers the facts, this decides.
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { CertificateDescription } from '../../shared/protocol.js';
import type { PopupStatus } from './messages.js';

export const DIAGNOSTIC_STEPS = ['extension', 'host', 'pcsc', 'reader', 'card', 'certificates', 'backend'] as const;
export type DiagnosticStep = (typeof DIAGNOSTIC_STEPS)[number];

export type StepState = 'ok' | 'failed' | 'skipped';

/** Why a step failed; each has its own advice text. */
export type Finding =
  | 'host.missing'
  | 'host.incompatible'
  | 'host.error'
  | 'pcsc.unavailable'
  | 'pkcs11.unavailable'
  | 'reader.none'
  | 'card.none'
  | 'card.unsupported'
  | 'card.blocked'
  | 'certificates.unreadable'
  | 'certificates.none'
  | 'certificates.expired'
  | 'certificates.notYetValid'
  | 'backend.notConfigured'
  | 'backend.unreachable';

export interface StepResult {
  step: DiagnosticStep;
  state: StepState;
  finding?: Finding;
  /** Facts for the report: versions, reader names, error messages (never a PIN or a national number). */
  detail?: string;
}

export interface ErrorFact {
  bridgeCode: ErrorCode;
  message: string;
  hint?: string;
}

export interface DiagnosticInput {
  extensionVersion: string;
  host: { ok: true; status: PopupStatus } | { ok: false; error: ErrorFact };
  /** list-certificates; absent when the host was not reached. */
  certificates?: { ok: true; certificates: CertificateDescription[] } | { ok: false; error: ErrorFact };
  /** The reference backend; absent when no URL is set. */
  backend?: { url: string; ok: true; version: string } | { url: string; ok: false; error: string };
  now: number;
}

export interface DiagnosticReport {
  steps: StepResult[];
  /** The first broken link, or undefined when everything works. */
  firstBroken?: StepResult;
}

function hostFinding(code: ErrorCode): Finding {
  if (code === 'NATIVE_UNAVAILABLE') return 'host.missing';
  if (code === 'VERSION_MISMATCH' || code === 'VERSION_INVALID') return 'host.incompatible';
  return 'host.error';
}

function errorDetail(error: ErrorFact): string {
  return `${error.bridgeCode}: ${error.message}`;
}

/** The card-side chain: each step needs the one before it. */
function cardChain(input: DiagnosticInput): StepResult[] {
  const out: StepResult[] = [];
  const skip = (from: number) => {
    for (const step of DIAGNOSTIC_STEPS.slice(from, DIAGNOSTIC_STEPS.indexOf('backend'))) out.push({ step, state: 'skipped' });
  };

  if (!input.host.ok) {
    out.push({ step: 'host', state: 'failed', finding: hostFinding(input.host.error.bridgeCode), detail: errorDetail(input.host.error) });
    skip(2);
    return out;
  }
  const status = input.host.status;
  out.push({ step: 'host', state: 'ok', detail: `eid-bridge-host ${status.version}` });

  const pcsc = status.backends.find((b) => b.name === 'pcsc');
  const pkcs11 = status.backends.find((b) => b.name === 'pkcs11');
  if (pcsc && !pcsc.available && !(pkcs11?.available && status.readers.length > 0)) {
    out.push({ step: 'pcsc', state: 'failed', finding: 'pcsc.unavailable', detail: [pcsc.reason, pcsc.detail].filter(Boolean).join(': ') });
    skip(3);
    return out;
  }
  if (!pcsc && pkcs11 && !pkcs11.available) {
    out.push({ step: 'pcsc', state: 'failed', finding: 'pkcs11.unavailable', detail: [pkcs11.reason, pkcs11.detail].filter(Boolean).join(': ') });
    skip(3);
    return out;
  }
  out.push({
    step: 'pcsc',
    state: 'ok',
    detail: status.backends.map((b) => `${b.name}: ${b.available ? 'available' : `unavailable (${b.reason ?? '?'})`}${b.detail && b.available ? ` ${b.detail}` : ''}`).join('; '),
  });

  if (status.readers.length === 0) {
    out.push({ step: 'reader', state: 'failed', finding: 'reader.none' });
    skip(4);
    return out;
  }
  out.push({ step: 'reader', state: 'ok', detail: status.readers.map((r) => r.name + (r.pinPad ? ' (PIN pad)' : '')).join('; ') });

  const withCard = status.readers.filter((r) => r.cardPresent);
  if (withCard.length === 0) {
    out.push({ step: 'card', state: 'failed', finding: 'card.none' });
    skip(5);
    return out;
  }
  const supported = withCard.filter((r) => r.cardType !== 'unsupported card');
  if (supported.length === 0) {
    out.push({ step: 'card', state: 'failed', finding: 'card.unsupported', detail: withCard.map((r) => r.name).join('; ') });
    skip(5);
    return out;
  }
  const cardDetail = supported
    .map((r) => [r.cardType ?? r.tokenLabel ?? 'card', r.virtual ? 'virtual' : '', r.pinTriesLeft !== undefined ? `PIN tries left ${r.pinTriesLeft}` : ''].filter(Boolean).join(', '))
    .join('; ');
  if (supported.every((r) => r.pinTriesLeft === 0)) {
    out.push({ step: 'card', state: 'failed', finding: 'card.blocked', detail: cardDetail });
    skip(5);
    return out;
  }
  out.push({ step: 'card', state: 'ok', detail: cardDetail });

  const certs = input.certificates;
  if (!certs || !certs.ok) {
    out.push({ step: 'certificates', state: 'failed', finding: 'certificates.unreadable', ...(certs && !certs.ok ? { detail: errorDetail(certs.error) } : {}) });
    return out;
  }
  const authentication = certs.certificates.filter((c) => c.usage === 'authentication');
  if (authentication.length === 0) {
    out.push({ step: 'certificates', state: 'failed', finding: 'certificates.none' });
    return out;
  }
  const certDetail = authentication.map((c) => `${c.commonName}, ${c.notBefore.slice(0, 10)} – ${c.notAfter.slice(0, 10)}`).join('; ');
  const valid = authentication.filter((c) => Date.parse(c.notBefore) <= input.now && input.now <= Date.parse(c.notAfter));
  if (valid.length === 0) {
    const expired = authentication.some((c) => Date.parse(c.notAfter) < input.now);
    out.push({ step: 'certificates', state: 'failed', finding: expired ? 'certificates.expired' : 'certificates.notYetValid', detail: certDetail });
    return out;
  }
  out.push({ step: 'certificates', state: 'ok', detail: certDetail });
  return out;
}

function backendStep(input: DiagnosticInput): StepResult {
  const backend = input.backend;
  if (!backend) return { step: 'backend', state: 'failed', finding: 'backend.notConfigured' };
  if (!backend.ok) return { step: 'backend', state: 'failed', finding: 'backend.unreachable', detail: `${backend.url}: ${backend.error}` };
  return { step: 'backend', state: 'ok', detail: `${backend.url} (version ${backend.version})` };
}

export function diagnose(input: DiagnosticInput): DiagnosticReport {
  // The popup runs, so the extension works; its version goes into the report.
  const steps: StepResult[] = [{ step: 'extension', state: 'ok', detail: `eID Bridge ${input.extensionVersion}` }, ...cardChain(input), backendStep(input)];
  const firstBroken = steps.find((s) => s.state === 'failed');
  return firstBroken ? { steps, firstBroken } : { steps };
}

export interface ReportTexts {
  title: string;
  stepName(step: DiagnosticStep): string;
  stateName(state: StepState): string;
  advice(finding: Finding): string;
  firstBroken: string;
  allGood: string;
}

/** Plain text for the helpdesk: every step, its state and facts, and the advice for the first broken one. */
export function reportText(report: DiagnosticReport, texts: ReportTexts, context: { time: string; userAgent: string }): string {
  const lines = [texts.title, `${context.time}`, context.userAgent, ''];
  for (const s of report.steps) {
    const mark = s.state === 'ok' ? '[OK]' : s.state === 'failed' ? '[!!]' : '[--]';
    lines.push(`${mark} ${texts.stepName(s.step)}: ${texts.stateName(s.state)}${s.finding ? ` (${s.finding})` : ''}`);
    if (s.detail) lines.push(`     ${s.detail}`);
  }
  lines.push('');
  lines.push(report.firstBroken?.finding ? `${texts.firstBroken}: ${texts.advice(report.firstBroken.finding)}` : texts.allGood);
  return lines.join('\n');
}
