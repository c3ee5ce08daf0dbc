import { describe, expect, it } from 'vitest';
import type { CertificateDescription, ReaderStatus } from '../../shared/protocol.js';
import { diagnose, reportText, type DiagnosticInput } from './diagnostics.js';
import { popupText } from '../ui/popup/texts/index.js';
import { reportTexts } from '../ui/popup/diagnostics-view.js';
import { translator } from '../ui/popup/texts/index.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');

const reader = (patch: Partial<ReaderStatus> = {}): ReaderStatus => ({
  name: 'Virtual PCD 00 01',
  backend: 'pcsc',
  cardPresent: true,
  pinPad: false,
  cardType: 'eID (applet 1.8)',
  pinTriesLeft: 3,
  virtual: true,
  ...patch,
});

const certificate = (patch: Partial<CertificateDescription> = {}): CertificateDescription => ({
  certificate: 'AAAA',
  usage: 'authentication',
  subject: 'CN=Alice Peeters (Authentication)',
  commonName: 'Alice Peeters (Authentication)',
  issuer: 'CN=Citizen CA',
  serialNumber: '01',
  notBefore: '2025-01-01T00:00:00Z',
  notAfter: '2030-01-01T00:00:00Z',
  keyType: 'EC',
  keySize: 384,
  tokenId: 'pcsc:1',
  tokenLabel: 'BELPIC',
  reader: 'Virtual PCD 00 01',
  ...patch,
});

function input(patch: Partial<DiagnosticInput> = {}): DiagnosticInput {
  return {
    extensionVersion: '0.1.0',
    host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [reader()] } },
    certificates: { ok: true, certificates: [certificate()] },
    backend: { url: 'https://127.0.0.1:8443', ok: true, version: '0.1.0' },
    now: NOW,
    ...patch,
  };
}

const states = (i: DiagnosticInput) => diagnose(i).steps.map((s) => `${s.step}:${s.state}`);

describe('diagnose', () => {
  it('reports every link OK and no broken link when everything works', () => {
    const report = diagnose(input());
    expect(report.steps.map((s) => s.state)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(report.firstBroken).toBeUndefined();
  });

  it('names a missing host and skips the card links, but still checks the backend', () => {
    const i = input({ host: { ok: false, error: { bridgeCode: 'NATIVE_UNAVAILABLE', message: 'Specified native messaging host not found.' } } });
    delete i.certificates;
    expect(states(i)).toEqual(['extension:ok', 'host:failed', 'pcsc:skipped', 'reader:skipped', 'card:skipped', 'certificates:skipped', 'backend:ok']);
    expect(diagnose(i).firstBroken?.finding).toBe('host.missing');
  });

  it('tells an incompatible host apart from a missing one', () => {
    const i = input({ host: { ok: false, error: { bridgeCode: 'VERSION_MISMATCH', message: 'host 2.0.0, extension 0.1.0' } } });
    expect(diagnose(i).firstBroken?.finding).toBe('host.incompatible');
  });

  it('names the PC/SC service when the host cannot reach it', () => {
    const i = input({
      host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: false, reason: 'PCSC_UNAVAILABLE', detail: 'SCardEstablishContext: no service' }], readers: [] } },
    });
    const report = diagnose(i);
    expect(report.firstBroken).toMatchObject({ step: 'pcsc', finding: 'pcsc.unavailable' });
    expect(report.firstBroken?.detail).toContain('no service');
    expect(states(i).slice(3, 6)).toEqual(['reader:skipped', 'card:skipped', 'certificates:skipped']);
  });

  it('does not blame PC/SC when the PKCS#11 backend reaches the reader', () => {
    const i = input({
      host: {
        ok: true,
        status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: false, reason: 'PCSC_UNAVAILABLE' }, { name: 'pkcs11', available: true }], readers: [reader({ backend: 'pkcs11' })] },
      },
    });
    expect(diagnose(i).firstBroken).toBeUndefined();
  });

  it('names a PKCS#11 module that cannot be loaded when PKCS#11 is the only backend', () => {
    const i = input({ host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pkcs11', available: false, reason: 'PKCS11_MODULE_MISSING' }], readers: [] } } });
    expect(diagnose(i).firstBroken?.finding).toBe('pkcs11.unavailable');
  });

  it('names the reader, then the card, in that order', () => {
    const noReader = input({ host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [] } } });
    expect(diagnose(noReader).firstBroken?.finding).toBe('reader.none');
    const noCard = input({ host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [reader({ cardPresent: false })] } } });
    expect(diagnose(noCard).firstBroken?.finding).toBe('card.none');
    const foreign = input({ host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [reader({ cardType: 'unsupported card' })] } } });
    expect(diagnose(foreign).firstBroken?.finding).toBe('card.unsupported');
    const blocked = input({ host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [reader({ pinTriesLeft: 0 })] } } });
    expect(diagnose(blocked).firstBroken?.finding).toBe('card.blocked');
  });

  it('checks that an authentication certificate is valid today', () => {
    expect(diagnose(input({ certificates: { ok: true, certificates: [certificate({ notAfter: '2026-05-31T23:59:59Z' })] } })).firstBroken?.finding).toBe('certificates.expired');
    expect(diagnose(input({ certificates: { ok: true, certificates: [certificate({ notBefore: '2026-06-02T00:00:00Z' })] } })).firstBroken?.finding).toBe('certificates.notYetValid');
    expect(diagnose(input({ certificates: { ok: true, certificates: [certificate({ usage: 'signing' })] } })).firstBroken?.finding).toBe('certificates.none');
    expect(diagnose(input({ certificates: { ok: false, error: { bridgeCode: 'CARD_ERROR', message: 'read failed' } } })).firstBroken?.finding).toBe('certificates.unreadable');
    // One valid certificate is enough, even next to an expired one.
    expect(diagnose(input({ certificates: { ok: true, certificates: [certificate({ notAfter: '2020-01-01T00:00:00Z' }), certificate()] } })).firstBroken).toBeUndefined();
  });

  it('names the backend last, when it is unreachable or not set', () => {
    expect(diagnose(input({ backend: { url: 'https://127.0.0.1:1', ok: false, error: 'Failed to fetch' } })).firstBroken?.finding).toBe('backend.unreachable');
    const none = input();
    delete none.backend;
    expect(diagnose(none).firstBroken?.finding).toBe('backend.notConfigured');
  });

  it('reports the first broken link when several are broken', () => {
    const i = input({
      host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [reader({ cardPresent: false })] } },
      backend: { url: 'https://x.example', ok: false, error: 'down' },
    });
    expect(diagnose(i).firstBroken?.step).toBe('card');
  });
});

describe('reportText', () => {
  it('lists every link with its state and facts and ends with what to do, in the chosen language', () => {
    const i = input({ host: { ok: true, status: { version: '0.1.0', extensionVersion: '0.1.0', backends: [{ name: 'pcsc', available: true }], readers: [reader({ cardPresent: false })] } } });
    const text = reportText(diagnose(i), reportTexts(translator('nl')), { time: '2026-06-01T12:00:00Z', userAgent: 'Chromium' });
    expect(text.split('\n')[0]).toBe(popupText('nl', 'diag.reportTitle'));
    expect(text).toContain('[OK] eID Bridge-programma geïnstalleerd en compatibel: in orde');
    expect(text).toContain('     eid-bridge-host 0.1.0');
    expect(text).toContain('[!!] Kaart: probleem (card.none)');
    expect(text).toContain('[--] Certificaten geldig: niet gecontroleerd');
    expect(text.trimEnd().endsWith(popupText('nl', 'advice.card.none'))).toBe(true);
  });

  it('never carries a national number: only names, versions and reader facts', () => {
    const text = reportText(diagnose(input()), reportTexts(translator('en')), { time: 't', userAgent: 'u' });
    expect(text).toContain('Alice Peeters (Authentication), 2025-01-01 – 2030-01-01');
    expect(text).not.toMatch(/\d{11}/);
  });
});
