/**
 * The card for end-to-end tests: the virtual BELPIC card in the vpcd reader of
 * the real pcscd, read by the real host over PC/SC.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../helpers/host-process.js';
import { createVirtualCard, type VirtualBelpicCard } from '../../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, type VpcdConnection } from '../../../devtools/virtual-card/vpcd-client.js';

export const CARD_PIN = '4711';
/** "Virtual PCD 00 00"; EID_BRIDGE_E2E_VPCD_PORT=35964 picks the other reader when another test uses this one. */
export const VPCD_PORT = Number(process.env.EID_BRIDGE_E2E_VPCD_PORT ?? 35963);

export interface TestCard {
  card: VirtualBelpicCard;
  connection: VpcdConnection;
  /** base64 DER */
  authenticationCertificate: string;
  signingCertificate: string;
  close(): Promise<void>;
}

export async function insertVirtualCard(): Promise<TestCard> {
  const card = await createVirtualCard({ profile: '1.8', pin: CARD_PIN });
  const connection = await connectToVpcd(card, { port: VPCD_PORT, retryForMs: 10_000 });
  await waitUntilPcscSeesCard(`Virtual PCD 00 0${VPCD_PORT - 35963}`);
  const signing = card.pki.signing;
  if (!signing) throw new Error('the 1.8 profile has a signing key');
  return {
    card,
    connection,
    authenticationCertificate: Buffer.from(card.pki.authentication.der).toString('base64'),
    signingCertificate: Buffer.from(signing.der).toString('base64'),
    close: () => connection.close(),
  };
}

/** pcscd notices an inserted card by polling; wait until the host's own status command sees it. */
async function waitUntilPcscSeesCard(reader: string, timeoutMs = 15_000): Promise<void> {
  const cli = join(projectRoot(), 'dist/eid-bridge.mjs');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Asynchronously: the virtual card answers pcscd from this very process.
    const stdout = await new Promise<string>((resolve) => {
      execFile(process.execPath, [cli, 'status', '--json'], { env: { ...process.env, EID_BRIDGE_BACKENDS: 'pcsc' }, timeout: 10_000 }, (_error, out) => resolve(String(out)));
    });
    try {
      const status = JSON.parse(stdout) as { readers: Array<{ name: string; cardPresent: boolean; tokenId?: string }> };
      if (status.readers.some((x) => x.name === reader && x.cardPresent && x.tokenId)) return;
    } catch {
      // not ready yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`pcscd does not see the virtual card in "${reader}"`);
}
