/**
 * What the card dialog shows of the readers and cards: the certificates for
 * one usage, the PIN tries left, and, when there is nothing to choose, the
 * problem the person has to fix (no reader, no card, no such certificate).
 */
import { isEidBridgeError, RECOVERABLE_IN_DIALOG, type ErrorCode } from '../../../shared/errors.js';
import type { CertificateDescription, CertificateUsage, StatusResult } from '../../../shared/protocol.js';
import type { DialogCertificate, DialogProblem } from '../../lib/messages.js';
import type { HostClient } from '../native-client.js';

export interface CardView {
  certificates: DialogCertificate[];
  problem?: DialogProblem;
  triesLeft?: number;
}

/** Reads the readers and certificates and turns them into what the dialog shows. */
export async function loadCardView(host: HostClient, usage: CertificateUsage): Promise<CardView> {
  let status: StatusResult;
  let certificates: CertificateDescription[];
  try {
    status = await host.request('status', {});
    certificates = (await host.request('list-certificates', {})).certificates;
  } catch (e) {
    if (isEidBridgeError(e) && RECOVERABLE_IN_DIALOG.has(e.code)) return { certificates: [], problem: { code: e.code } };
    throw e;
  }
  const pinPadReaders = new Set(status.readers.filter((r) => r.pinPad).map((r) => r.name));
  const usable = certificates
    .filter((c) => c.usage === usage)
    .map<DialogCertificate>((c) => ({
      certificate: c.certificate,
      commonName: c.commonName,
      subject: c.subject,
      issuer: c.issuer,
      serialNumber: c.serialNumber,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      tokenLabel: c.tokenLabel,
      reader: c.reader,
      pinPad: pinPadReaders.has(c.reader),
    }));
  const view: CardView = { certificates: usable };
  const withCard = status.readers.filter((r) => r.cardPresent);
  const triesLeft = withCard.find((r) => r.pinTriesLeft !== undefined)?.pinTriesLeft;
  if (triesLeft !== undefined) view.triesLeft = triesLeft;
  if (usable.length === 0) {
    const pcsc = status.backends.find((b) => b.name === 'pcsc');
    const code: ErrorCode =
      status.readers.length === 0
        ? pcsc && !pcsc.available && status.backends.every((b) => !b.available)
          ? 'PCSC_UNAVAILABLE'
          : 'NO_READER'
        : withCard.length === 0
          ? 'NO_CARD'
          : usage === 'signing'
            ? 'NO_SIGNING_CERTIFICATE'
            : 'CERTIFICATE_NOT_FOUND';
    view.problem = { code };
  }
  return view;
}
