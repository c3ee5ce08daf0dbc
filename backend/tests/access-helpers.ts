/**
 * A real backend (real SMTP sink, real SQLite) that trusts several test eID
 * cards under one root, so access-management tests can log in as different
 * people: legal representatives, employees, strangers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type BackendServer } from '../server.js';
import type { Clock } from '../clock.js';
import type { BackendConfig } from '../config.js';
import { createTestPki, type TestPerson, type TestPki } from '../../devtools/test-pki/test-pki.js';
import { Client, loginWithCard, SmtpSink, testBackendConfig } from './helpers.js';
import { signAsTheCard } from './signing-helpers.js';

export { STAFF } from './helpers.js';

export interface AccessTestBackend {
  server: BackendServer;
  smtp: SmtpSink;
  cards: Map<string, TestPki>;
  client(): Client;
  /** A client logged in with this person's eID card (level 500). */
  login(name: string): Promise<Client>;
  stop(): Promise<void>;
}

/**
 * `config` adds to the test configuration; it gets the cards first, for what
 * depends on them (an OCSP responder for a person's CA).
 */
export async function startAccessTestBackend(
  people: Record<string, TestPerson>,
  options: { clock?: Clock; config?: (cards: Map<string, TestPki>) => Promise<Partial<BackendConfig>> } = {},
): Promise<AccessTestBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'eid-bridge-access-'));
  const entries = Object.entries(people);
  // With the signature key: mandates and the exception form are signed with the eID.
  const first = await createTestPki({ keyType: 'ec', person: entries[0]![1] });
  const others = await Promise.all(entries.slice(1).map(([, person]) => createTestPki({ keyType: 'ec', person, root: first.root })));
  const cards = new Map<string, TestPki>(entries.map(([name], i) => [name, i === 0 ? first : others[i - 1]!]));
  const smtp = await SmtpSink.start();
  const config = testBackendConfig(dataDir, { smtpUrl: smtp.url, ...(await options.config?.(cards)) });
  const server = await startBackend(config, {
    trustedCertificates: [first.root.der, ...[...cards.values()].map((c) => c.citizenCa.der)],
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    server,
    smtp,
    cards,
    client: () => new Client(server.url),
    async login(name) {
      const card = cards.get(name);
      if (!card) throw new Error(`no card for ${name}`);
      const client = new Client(server.url);
      const r = await loginWithCard(client, card, server.origin);
      if (r.status !== 200) throw new Error(`eID login of ${name} failed: ${JSON.stringify(r.json)}`);
      return client;
    },
    async stop() {
      await server.close();
      await smtp.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * A document of the access part signed with `card`'s signature key as the
 * card does it: prepare at `${base}/prepare` with the signing certificate,
 * sign the hash, finish at `${base}/finish`. `extra` goes into both bodies
 * (the exception form's token). Returns the finish answer, or the prepare
 * answer when prepare refuses.
 */
export async function signWithCard(client: Client, card: TestPki, base: string, extra: Record<string, unknown> = {}) {
  const certificate = b64(card.signing!.der);
  const prepared = await client.post(`${base}/prepare`, { ...extra, certificate });
  if (prepared.status !== 200) return prepared;
  const signature = signAsTheCard(card, Buffer.from(prepared.json.hash as string, 'base64'), prepared.json.hashFunction as 'SHA-384');
  return client.post(`${base}/finish`, { ...extra, certificate, signature: b64(signature) });
}

/** People of the reference register and a few others. */
export const PEOPLE = {
  alice: { nationalNumber: '85073000259', givenNames: 'Alice Marie', surname: 'Peeters' },
  marc: { nationalNumber: '78041512326', givenNames: 'Marc', surname: 'Peeters' },
  sophie: { nationalNumber: '90010234537', givenNames: 'Sophie', surname: 'Dubois' },
  eve: { nationalNumber: '92061145624', givenNames: 'Eve', surname: 'Janssens' },
  tom: { nationalNumber: '88122400246', givenNames: 'Tom', surname: 'Maes' },
} satisfies Record<string, TestPerson>;

/** Valid (check digits right) but never seen by the backend. */
export const UNKNOWN_INSZ = '65030100788';
export const BAKERY = '0301234587';
export const TRANSPORT = '0456789034';

/** Transport Dubois gets its HTB: Sophie (legal representative) appoints Eve. */
export async function appointEveAtTransport(tb: AccessTestBackend): Promise<void> {
  await tb.login('eve');
  const sophie = await tb.login('sophie');
  const appointed = await sophie.post(`/api/access/enterprises/${TRANSPORT}/htb`, {
    appoint: 'other',
    htb: { nationalNumber: PEOPLE.eve.nationalNumber, email: 'eve@transport-dubois.be', phone: '+32471000001' },
    requester: { email: 'sophie@transport-dubois.be', phone: '+32471000002' },
    enterpriseEmail: 'direction@transport-dubois.be',
    confirmed: true,
  });
  if (appointed.status !== 201) throw new Error(`appointing Eve failed: ${JSON.stringify(appointed.json)}`);
}
