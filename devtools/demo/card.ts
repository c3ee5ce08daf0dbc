/**
 * The card for the demo: a physical Belgian eID card when one is in a reader,
 * else the virtual card, started in the first vpcd reader.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EidBridgeError } from '../../shared/errors.js';
import type { ReaderStatus } from '../../shared/protocol.js';
import { pcscReaders } from '../../native-host/src/index.js';
import type { ProcessGroup } from './processes.js';
import { StepFailure, waitFor } from './steps.js';

/** vpcd's readers and their ports: "Virtual PCD 00 00" on 35963, "Virtual PCD 00 01" on 35964. */
const VPCD_READERS = [
  { reader: 'Virtual PCD 00 00', port: 35963 },
  { reader: 'Virtual PCD 00 01', port: 35964 },
];
export const VIRTUAL_PIN = '1234';

export interface DemoCard {
  virtual: boolean;
  reader: string;
  description: string;
  /**
   * The virtual card's test root and issuing CA, for the backend to trust (a
   * physical card chains to the real roots). Web eID validators trust the
   * issuing CA too, since the token carries only the citizen's certificate.
   */
  trustPem?: string;
  /** Known only for the virtual card. */
  pin?: string;
  /** base64 DER of the virtual card's authentication certificate, to pick it when several cards are present. */
  authenticationCertificate?: string;
}

const readers = pcscReaders;

export async function physicalCard(): Promise<ReaderStatus | undefined> {
  try {
    return (await readers()).find((r) => r.cardPresent && !r.virtual);
  } catch (e) {
    if (e instanceof EidBridgeError && e.code === 'PCSC_UNAVAILABLE') {
      throw new StepFailure('the PC/SC service (pcscd) is not reachable', 'start it: sudo systemctl start pcscd (or run bash scripts/setup.sh)');
    }
    throw e;
  }
}

export async function startVirtualCard(group: ProcessGroup, stateDir: string, cli: string): Promise<DemoCard> {
  const present = await readers();
  const vpcd = VPCD_READERS.filter((v) => present.some((r) => r.name === v.reader));
  if (vpcd.length === 0) {
    throw new StepFailure('pcscd has no virtual reader ("Virtual PCD 00 00")', 'install vsmartcard-vpcd and restart pcscd (bash scripts/setup.sh does both)');
  }
  // A virtual card someone else runs keeps its reader: take the next free one.
  const free = vpcd.find((v) => !present.find((r) => r.name === v.reader)?.cardPresent);
  if (!free) {
    throw new StepFailure('every virtual reader already holds a card', 'stop the other virtual cards (eid-bridge virtual-card) first');
  }
  const pkiDir = join(stateDir, 'virtual-card');
  const card = group.start('virtual card', process.execPath, [cli, 'virtual-card', '--profile', '1.8', '--pin', VIRTUAL_PIN, '--reader-port', String(free.port), '--pki-dir', pkiDir], {
    logFile: join(stateDir, 'virtual-card.log'),
  });
  await waitFor(
    'the virtual card appearing in the reader',
    async () => {
      if (card.child.exitCode !== null) throw new StepFailure(`the virtual card stopped: ${card.output().trim()}`, 'see the message above');
      const r = (await readers()).find((x) => x.name === free.reader);
      return r?.cardPresent ? r : undefined;
    },
    20_000,
    'check that pcscd runs with the vpcd driver (bash scripts/setup.sh)',
  );
  const trustPem = join(stateDir, 'virtual-card-trust.pem');
  writeFileSync(trustPem, ['root.pem', 'citizen-ca.pem'].map((f) => readFileSync(join(pkiDir, f), 'utf8').trim()).join('\n') + '\n');
  return {
    virtual: true,
    reader: free.reader,
    description: 'virtual Belgian eID card (applet 1.8, EC P-384)',
    trustPem,
    pin: VIRTUAL_PIN,
    authenticationCertificate: readFileSync(join(pkiDir, 'authentication.der')).toString('base64'),
  };
}
