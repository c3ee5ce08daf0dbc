/**
 * The card for end-to-end tests: the virtual BELPIC card in the vpcd reader of
 * the real pcscd, read by the real host over PC/SC.
 */
import { execFile } from 'node:child_process';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../helpers/host-process.js';
import type { TestPerson } from '../../../devtools/test-pki/test-pki.js';
import { createVirtualCard, type VirtualBelpicCard, type VirtualCardProfile } from '../../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, VPCD_DEFAULT_HOST, type VpcdConnection } from '../../../devtools/virtual-card/vpcd-client.js';

export const CARD_PIN = '4711';
/** "Virtual PCD 00 00"; EID_BRIDGE_E2E_VPCD_PORT=35964 picks the other reader when another test uses this one. */
export const VPCD_PORT = Number(process.env.EID_BRIDGE_E2E_VPCD_PORT ?? 35963);
/** The vpcd reader the test card is not in. */
export const OTHER_VPCD_PORT = VPCD_PORT === 35963 ? 35964 : 35963;

function readerName(vpcdPort: number): string {
  return `Virtual PCD 00 0${vpcdPort - 35963}`;
}

export interface TestCard {
  card: VirtualBelpicCard;
  connection: VpcdConnection;
  /** base64 DER */
  authenticationCertificate: string;
  signingCertificate: string;
  /** Takes the card out of its reader. */
  takeOut(): Promise<void>;
  /** Puts the card back and waits until pcscd sees it again. */
  putBack(): Promise<void>;
  close(): Promise<void>;
}

export async function insertVirtualCard(profile: VirtualCardProfile = '1.8'): Promise<TestCard> {
  const card = await createVirtualCard({ profile, pin: CARD_PIN });
  const connection = await connectToVpcd(card, { port: VPCD_PORT, retryForMs: 10_000 });
  await waitUntilPcscSeesCard(readerName(VPCD_PORT));
  const signing = card.pki.signing;
  if (!signing) throw new Error(`the ${profile} profile has no signing key`);
  return {
    card,
    connection,
    authenticationCertificate: Buffer.from(card.pki.authentication.der).toString('base64'),
    signingCertificate: Buffer.from(signing.der).toString('base64'),
    takeOut: () => connection.remove(),
    putBack: async () => {
      await connection.insert();
      await waitUntilPcscSeesCard(readerName(VPCD_PORT));
    },
    close: () => connection.close(),
  };
}

/**
 * A card whose answers the test holds back: it reaches vpcd through a relay
 * that, from the reader's first command (APDU) on, keeps everything vpcd sends
 * until `release()`. Power and ATR messages before that pass, so pcscd sees the
 * card at once; the test can act at the moment the host starts reading it.
 */
export interface HeldCard {
  card: VirtualBelpicCard;
  authenticationCertificate: string;
  /** Every command the card answered, in order. */
  commands: Uint8Array[];
  /** Resolves when the reader sends its first command, which the relay now holds. */
  firstCommandHeld: Promise<void>;
  /** Lets the held commands and all later ones through. */
  release(): void;
  close(): Promise<void>;
}

export async function insertHeldCard(options: { vpcdPort: number; pin: string; person: TestPerson }): Promise<HeldCard> {
  const card = await createVirtualCard({ profile: '1.8', pin: options.pin, person: options.person });
  const commands: Uint8Array[] = [];
  card.onTransmit = (command) => commands.push(command.slice());
  let holding = true;
  let held: Buffer[] | undefined;
  let toCard: Socket | undefined;
  let commandHeld!: () => void;
  const firstCommandHeld = new Promise<void>((resolve) => (commandHeld = resolve));
  const sockets = new Set<Socket>();
  const relay = createServer((cardSide) => {
    toCard = cardSide;
    const vpcdSide = new Socket();
    for (const s of [cardSide, vpcdSide]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        cardSide.destroy();
        vpcdSide.destroy();
      });
      s.on('error', () => undefined); // 'close' follows
    }
    cardSide.on('data', (chunk) => vpcdSide.write(chunk));
    // vpcd's messages: a 2-byte length, then one control byte or a command APDU.
    let pending = Buffer.alloc(0);
    vpcdSide.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const message = pending.subarray(0, 2 + length);
        pending = pending.subarray(2 + length);
        if (holding && !held && length > 1) {
          held = [];
          commandHeld();
        }
        if (held) held.push(message);
        else cardSide.write(message);
      }
    });
    vpcdSide.connect(options.vpcdPort, VPCD_DEFAULT_HOST);
  });
  await new Promise<void>((resolve) => relay.listen(0, VPCD_DEFAULT_HOST, resolve));
  const connection = await connectToVpcd(card, { port: (relay.address() as AddressInfo).port, retryForMs: 10_000 });
  return {
    card,
    authenticationCertificate: Buffer.from(card.pki.authentication.der).toString('base64'),
    commands,
    firstCommandHeld,
    release: () => {
      holding = false;
      for (const message of held ?? []) toCard?.write(message);
      held = undefined;
    },
    close: async () => {
      await connection.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}

/** pcscd notices an inserted card by polling; wait until the host's own status command sees it. */
/**
 * Until pcscd lists no card in `reader`. A card put in right after another
 * one left, before pcscd noticed the leaving, is read with the previous
 * card's ATR (pcscd never saw it come in), so the new card then reads as
 * unsupported: wait for the reader to be empty between two cards.
 */
export async function waitUntilPcscSeesNoCard(reader: string, timeoutMs = 15_000): Promise<void> {
  await waitForReader(reader, (r) => !r || !r.cardPresent, timeoutMs, `pcscd keeps listing a card in "${reader}"`);
}

async function waitUntilPcscSeesCard(reader: string, timeoutMs = 15_000): Promise<void> {
  await waitForReader(reader, (r) => Boolean(r?.cardPresent && r.tokenId), timeoutMs, `pcscd does not see the virtual card in "${reader}"`);
}

async function waitForReader(
  reader: string,
  done: (state: { name: string; cardPresent: boolean; tokenId?: string } | undefined) => boolean,
  timeoutMs: number,
  failure: string,
): Promise<void> {
  const cli = join(projectRoot(), 'dist/eid-bridge.mjs');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Asynchronously: the virtual card answers pcscd from this very process.
    const stdout = await new Promise<string>((resolve) => {
      execFile(process.execPath, [cli, 'status', '--json'], { env: { ...process.env, EID_BRIDGE_BACKENDS: 'pcsc' }, timeout: 10_000 }, (_error, out) => resolve(String(out)));
    });
    try {
      const status = JSON.parse(stdout) as { readers: Array<{ name: string; cardPresent: boolean; tokenId?: string }> };
      if (done(status.readers.find((x) => x.name === reader))) return;
    } catch {
      // not ready yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(failure);
}
