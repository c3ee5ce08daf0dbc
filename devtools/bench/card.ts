/**
 * Card figures on the virtual card through the real host, pcscd and vpcd:
 * APDUs, time and milliseconds per APDU for authenticate (first time, then
 * with the certificates cached) and for read-identity with the photo. The
 * vpcd link adds its own latency (well under a millisecond with the quick-ACK
 * route, about 40 ms without: docs/card.md, "The vpcd link"), so times are an
 * upper bound for a real reader's protocol overhead, not a real chip's speed.
 */
import { randomBytes } from 'node:crypto';
import { FILES, SW, type BelpicFile } from '../../shared/belpic/card-constants.js';
import { cardGeneration, hasFile } from '../../shared/belpic/card-generations.js';
import { createVirtualCard, type VirtualBelpicCard } from '../virtual-card/virtual-card.js';
import { connectToVpcd } from '../virtual-card/vpcd-client.js';
import { HostProcess } from '../../tests/helpers/host-process.js';
import { ms, row } from './stats.js';

const PIN = '1234';
/** The most one READ BINARY answers (Le = 00). */
const MAX_CHUNK = 256;

/**
 * The fewest APDUs that read `files`: a SELECT each, then one READ BINARY per
 * 256-byte chunk of the content.
 */
function fileReadMinimum(card: VirtualBelpicCard, files: BelpicFile[]): number {
  return files.reduce((n, name) => n + 1 + Math.ceil(card.getFile(FILES[name].id).length / MAX_CHUNK), 0);
}

/**
 * The fewest APDUs an authentication takes once the certificates are known:
 * the card check (GET CARD DATA: the chip serial the certificates were cached
 * under), MSE SET, VERIFY, PSO and, as the virtual card speaks T=0, the GET
 * RESPONSE that fetches the signature.
 */
const AUTHENTICATE_MINIMUM = 5;

/** The card's state for the dialog: GET CARD DATA (which card, which applet) and the PIN tries left. */
const STATUS_MINIMUM = 2;

export async function benchCard(port = 35963): Promise<void> {
  console.log('\nVirtual card over pcscd + vpcd (through the native host)');
  for (const profile of ['1.7', '1.8'] as const) {
    const card = await createVirtualCard({ profile, pin: PIN });
    const link = await connectToVpcd(card, { port, retryForMs: 10_000 });
    if (profile === '1.7') row('quick-ACK route for the vpcd link', link.quickAck);
    const host = new HostProcess({ EID_BRIDGE_BACKENDS: 'pcsc' });
    try {
      await host.next();
      // pcscd may still report the card before (its ATR) for a moment after the swap: wait for this one.
      for (const deadline = Date.now() + 10_000; ; ) {
        const reply = await host.request('status');
        const readers = (reply.result as { readers?: Array<{ cardPresent: boolean; cardType?: string }> } | undefined)?.readers ?? [];
        if (readers.some((r) => r.cardPresent && r.cardType !== undefined && r.cardType !== 'unsupported card')) break;
        if (Date.now() > deadline) throw new Error(`the ${profile} card did not show in the reader: ${JSON.stringify(reply)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const measure = async (label: string, command: string, args: Record<string, unknown>, minimum: number) => {
        const before = card.apduCount;
        let lengthAnswers = 0;
        // 6Cxx: the card telling the length of a last chunk the driver could not know beforehand.
        card.onTransmit = (_command, response) => {
          if (response.length === 2 && response[0] === SW.WRONG_LE >> 8) lengthAnswers += 1;
        };
        const t0 = performance.now();
        const reply = await host.request(command, args, undefined, 60_000);
        const elapsed = performance.now() - t0;
        card.onTransmit = undefined;
        if (reply.error) throw new Error(`${command}: ${reply.error.code} ${reply.error.message}`);
        const apdus = card.apduCount - before;
        const note = lengthAnswers > 0 ? ` + ${lengthAnswers} × 6Cxx` : '';
        row(
          `${profile} ${label}`,
          `${ms(elapsed).padStart(10)}  ${String(apdus).padStart(4)} APDUs (minimum ${minimum}${note})  ${ms(elapsed / apdus).padStart(9)} per APDU`,
        );
      };
      const auth = () => ({ challengeNonce: randomBytes(32).toString('base64'), origin: 'https://www.belgium.be', pin: PIN });
      const certificates: BelpicFile[] = ['authenticationCertificate', 'signatureCertificate'];
      const identityFiles: BelpicFile[] = ['identity', 'identitySignature', 'address', 'addressSignature', 'photo', 'rrnCertificate'];
      if (hasFile(cardGeneration(profile), 'basicKey')) identityFiles.push('basicKey');
      await measure('authenticate, first time', 'authenticate', auth(), AUTHENTICATE_MINIMUM + fileReadMinimum(card, certificates));
      await measure('authenticate, certificates cached', 'authenticate', auth(), AUTHENTICATE_MINIMUM);
      // What the dialog reads when it opens: the readers with the card's state, then the certificates.
      await measure('status (dialog opening)', 'status', {}, STATUS_MINIMUM);
      await measure('list-certificates, cached (dialog opening)', 'list-certificates', {}, 1);
      // The card check, then the files.
      await measure('read-identity with photo', 'read-identity', { includePhoto: true }, 1 + fileReadMinimum(card, identityFiles));
    } finally {
      await host.close();
      await link.close();
    }
  }
}
