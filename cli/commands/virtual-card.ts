/**
 * eid-bridge virtual-card: puts a virtual Belgian eID card into the vpcd
 * virtual reader, so a site can be built and tested without a physical card.
 * The card's PKI stays in a directory between runs: the same card, and the
 * same root for a backend to trust, every time.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { INS } from '../../shared/belpic/card-constants.js';
import { bytesToHex } from '../../shared/bytes.js';
import { formatNationalNumber } from '../../shared/identifiers.js';
import { createTestPki, readTestPki, writeTestPki, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { isVirtualCardProfile, profileFacts, VIRTUAL_CARD_PROFILES, type VirtualCardProfile } from '../../devtools/virtual-card/card-profiles.js';
import { createVirtualCard, DEFAULT_VIRTUAL_CARD_PIN } from '../../devtools/virtual-card/virtual-card.js';
import { connectToVpcd, VPCD_DEFAULT_HOST, VPCD_DEFAULT_PORT, type VpcdConnection, type VpcdEvent } from '../../devtools/virtual-card/vpcd-client.js';
import type { CliCommand } from '../cli-command.js';

const USAGE = `Usage: eid-bridge virtual-card [options]

Puts a virtual Belgian eID card into the vpcd virtual reader (package vsmartcard-vpcd, with pcscd running).

Options:
  --profile 1.7|1.8|kids|foreigner  card kind: 1.7 = RSA-2048 eID (default), 1.8 = EC P-384 eID,
                                    kids = Kids-ID (no signature key), foreigner = foreigner card
  --pin DIGITS                      the card's PIN, 4 to 12 digits (default ${DEFAULT_VIRTUAL_CARD_PIN})
  --reader-port PORT                vpcd port: 35963 = "Virtual PCD 00 00" (default), 35964 = "Virtual PCD 00 01"
  --host HOST                       vpcd host (default ${VPCD_DEFAULT_HOST}, a loopback address of its own; see docs/card.md)
  --pki-dir DIR                     where the card's certificates and keys live
                                    (default $XDG_DATA_HOME/eid-bridge/virtual-card/<profile>)
  --new-pki                         make a new PKI in that directory (a new card and root)
  --trace                           print every APDU and response (PIN blocks hidden)

While it runs, type: remove (take the card out), insert (put it back), quit.`;

export interface VirtualCardIo {
  input: Readable;
  output: Writable;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal?: Promise<void>;
}

export function defaultPkiDir(profile: VirtualCardProfile, env: NodeJS.ProcessEnv = process.env): string {
  const dataHome = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(dataHome, 'eid-bridge', 'virtual-card', profile);
}

/** vpcd numbers its readers from port 35963 up. */
export function vpcdReaderName(port: number): string {
  const index = port - VPCD_DEFAULT_PORT;
  return index >= 0 && index < 100 ? `Virtual PCD 00 ${String(index).padStart(2, '0')}` : `vpcd reader on port ${port}`;
}

/** Reads the PKI kept in dir, or makes one there; a PKI that does not suit the profile is an error. */
async function loadOrCreatePki(profile: VirtualCardProfile, dir: string, fresh: boolean): Promise<{ pki: TestPki; created: boolean }> {
  const facts = profileFacts(profile);
  if (!fresh && existsSync(join(dir, 'person.json'))) {
    const pki = await readTestPki(dir);
    if (pki.keyType !== facts.keyType || (facts.withSigning && !pki.signing)) {
      throw new Error(`the PKI in ${dir} does not suit a ${profile} card; choose another --pki-dir or add --new-pki`);
    }
    return { pki, created: false };
  }
  const pki = await createTestPki({ keyType: facts.keyType, person: facts.defaultPerson, caName: facts.caName, withSigning: facts.withSigning });
  await writeTestPki(pki, dir);
  return { pki, created: true };
}

/** One APDU exchange for --trace; the data of VERIFY and CHANGE REFERENCE DATA (PIN blocks) is never shown. */
export function formatTrace(command: Uint8Array, response: Uint8Array): string {
  const carriesPin = command[0] === 0x00 && (command[1] === INS.VERIFY || command[1] === INS.CHANGE_REFERENCE_DATA) && command.length > 5;
  const shownCommand = carriesPin ? `${bytesToHex(command.subarray(0, 5))} <PIN block hidden>` : bytesToHex(command);
  return `> ${shownCommand}\n< ${bytesToHex(response)}`;
}

function describeEvent(event: VpcdEvent): string | undefined {
  switch (event.type) {
    case 'retrying':
      return `waiting for the vpcd reader (${event.error}); is pcscd running with vsmartcard-vpcd installed?`;
    case 'disconnected':
      return event.reason === 'card removed' ? undefined : `the reader went away (${event.reason}); reconnecting`;
    case 'gave-up':
      return `gave up reaching the vpcd reader: ${event.error}`;
    case 'connected':
      return undefined;
    case 'reader-busy':
      return 'vpcd has not answered this card yet: another virtual card may be in that reader (stop it, or choose another --reader-port)';
  }
}

export async function runVirtualCard(argv: string[], io: VirtualCardIo): Promise<number> {
  const print = (line: string) => io.output.write(`${line}\n`);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string', default: '1.7' },
        pin: { type: 'string', default: DEFAULT_VIRTUAL_CARD_PIN },
        'reader-port': { type: 'string', default: String(VPCD_DEFAULT_PORT) },
        host: { type: 'string', default: VPCD_DEFAULT_HOST },
        'pki-dir': { type: 'string' },
        'new-pki': { type: 'boolean', default: false },
        trace: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    print(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const profile = values.profile;
  if (!isVirtualCardProfile(profile)) {
    print(`unknown profile "${profile}": choose one of ${VIRTUAL_CARD_PROFILES.join(', ')}`);
    return 2;
  }
  const port = Number(values['reader-port']);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    print(`--reader-port must be a TCP port number, not "${values['reader-port']}"`);
    return 2;
  }
  const pin = values.pin;
  if (!/^\d{4,12}$/.test(pin)) {
    print('--pin must have 4 to 12 digits');
    return 2;
  }
  const pkiDir = values['pki-dir'] ?? defaultPkiDir(profile);
  const { pki, created } = await loadOrCreatePki(profile, pkiDir, values['new-pki']);
  const card = await createVirtualCard({ profile, pin, pki });
  if (values.trace) card.onTransmit = (command, response) => print(formatTrace(command, response));
  const reader = vpcdReaderName(port);

  const stopped = io.stopSignal ?? new Promise<void>(() => {});
  // A stop asked for while the reader is still being reached ends the run there.
  const connecting = connectToVpcd(card, {
    host: values.host,
    port,
    onEvent: (event) => {
      const text = describeEvent(event);
      if (text) print(text);
    },
  });
  const connection = await Promise.race([connecting, stopped.then(() => undefined)]);
  if (!connection) {
    connecting.then((late) => late.close(), () => undefined);
    print('virtual card stopped');
    return 0;
  }
  if (connection.quickAck === 'unavailable') {
    print('note: each APDU takes about 40 ms more: the quick-ACK route for the vpcd link needs root (docs/card.md, "The vpcd link")');
  }

  const facts = profileFacts(profile);
  const kind = { '1.7': 'eID, applet 1.7, RSA-2048', '1.8': 'eID, applet 1.8, EC P-384', kids: 'Kids-ID, RSA-2048, no signature key', foreigner: 'foreigner card, RSA-2048' }[profile];
  print(`Virtual Belgian eID card in reader "${reader}" (${kind})`);
  print(`  holder:           ${pki.person.givenNames} ${pki.person.surname}, national number ${formatNationalNumber(pki.person.nationalNumber)}`);
  print(`  PIN:              ${pin} (3 tries; a new run of this command resets the tries)`);
  print(`  issuing CA:       ${facts.caName}`);
  print(`  trust this root:  ${join(pkiDir, 'root.pem')}`);
  print(`  PKI directory:    ${pkiDir}${created ? ' (new)' : ''}`);
  print('Type "remove" to take the card out, "insert" to put it back, "quit" to stop.');

  const lines = createInterface({ input: io.input, terminal: false });
  const quit = new Promise<void>((resolve) => {
    lines.on('line', (raw) => {
      const command = raw.trim().toLowerCase();
      if (command === '') return;
      if (command === 'quit' || command === 'exit') {
        resolve();
      } else if (command === 'remove') {
        void connection.remove().then(() => print('card removed'));
      } else if (command === 'insert') {
        connection.insert().then(
          () => print(`card inserted in "${reader}"`),
          (e: unknown) => print(`could not insert the card: ${e instanceof Error ? e.message : String(e)}`),
        );
      } else if (command === 'status') {
        print(`${connection.connected ? 'card in the reader' : 'no card in the reader'}; ${card.pinTriesLeft()} PIN tries left; ${card.apduCount} APDUs answered`);
      } else {
        print('commands: remove, insert, status, quit');
      }
    });
    // No more input (for instance started in the background with stdin closed): keep running until a signal.
  });
  await Promise.race([quit, stopped]);
  lines.close();
  await closeWithin(connection, CLOSE_TIMEOUT_MS);
  print('virtual card stopped');
  return 0;
}

/** How long stopping waits for the vpcd connection to close before it gives up on it. */
const CLOSE_TIMEOUT_MS = 500;

function closeWithin(connection: VpcdConnection, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void connection.close().finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** After the card is stopped, how long the process may take to end by itself. */
const EXIT_GRACE_MS = 300;

export const virtualCardCommand: CliCommand = {
  name: 'virtual-card',
  summary: 'Put a virtual Belgian eID card into the vpcd virtual reader (for development and tests)',
  async run(argv) {
    let onSignal: () => void = () => {};
    const stopSignal = new Promise<void>((resolve) => {
      onSignal = resolve;
    });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const code = await runVirtualCard(argv, { input: process.stdin, output: process.stdout, stopSignal });
      // stdin may still hold the event loop open.
      process.stdin.pause();
      process.stdin.unref?.();
      // Whatever else still holds the event loop (a retry timer, a socket pcscd is slow to let go of),
      // the process ends within a second of the signal.
      setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
      return code;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
