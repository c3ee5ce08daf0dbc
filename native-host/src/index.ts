/**
 * The native host's public entry for other programs in this repository (the
 * `eid-bridge` command-line tool, the demo): what the host can do for a person
 * at a terminal, computed in that process with the same code the host runs.
 * Nothing outside native-host/ imports the host's internals (a lint rule).
 */
import { base64ToBytes, bytesToBase64 } from '../../shared/bytes.js';
import { parseArguments, type HashFunction, type ReaderStatus, type StatusResult } from '../../shared/protocol.js';
import type { CardBackend } from './backends/card-backend.js';
import { PcscBackend, type CardIdentityFiles } from './backends/pcsc-backend.js';
import { createBackends } from './backends/registry.js';
import { standaloneContext } from './commands/command.js';
import { getSigningCertificate } from './commands/get-signing-certificate.js';
import { canReadIdentityFiles, identityReaderOf } from './commands/read-identity.js';
import { sign } from './commands/sign.js';
import { status } from './commands/status.js';
import { loadHostConfig } from './config.js';
import { silentLogger } from './logger.js';

export type { CardIdentityFiles } from './backends/pcsc-backend.js';
/** The PKCS#11 backend and its module's calls, for the benchmark (devtools/bench/pkcs11.ts). */
export { Pkcs11Backend } from './backends/pkcs11/pkcs11-backend.js';
export { openPkcs11Module } from './backends/pkcs11/module-process.js';

async function withBackends<T>(backends: readonly CardBackend[], use: (backends: readonly CardBackend[]) => Promise<T>): Promise<T> {
  try {
    return await use(backends);
  } finally {
    await Promise.allSettled(backends.map((b) => b.close()));
  }
}

/** What the host would answer to `status`, with the backends its configuration (file and environment) selects. */
export function hostStatus(env: NodeJS.ProcessEnv = process.env): Promise<StatusResult> {
  return withBackends(createBackends(loadHostConfig(env)), (backends) => status({}, standaloneContext(backends, silentLogger)));
}

/**
 * The raw identity, address, photo and certificate files of the card in a
 * reader. Reading them is a PC/SC matter, so the PC/SC backend is used even
 * where the host is configured otherwise.
 */
export function readCardIdentityFiles(reader: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<CardIdentityFiles> {
  const backends: CardBackend[] = createBackends(loadHostConfig(env));
  if (!backends.some(canReadIdentityFiles)) backends.push(new PcscBackend());
  // The photo is always read: without it the integrity verdict would leave the photo unchecked.
  return withBackends(backends, (all) => identityReaderOf(all).readIdentityFiles(reader, { photo: true }));
}

/** The PC/SC readers and their cards, as the host sees them. */
export function pcscReaders(): Promise<ReaderStatus[]> {
  return withBackends([new PcscBackend()], ([backend]) => backend!.readers());
}

/** The configured backends, or only the PC/SC reader named `reader` when one is named (cards in other readers are not seen). */
function signingBackends(reader: string | undefined, env: NodeJS.ProcessEnv): CardBackend[] {
  return reader === undefined ? createBackends(loadHostConfig(env)) : [new PcscBackend({ readerFilter: (name) => name === reader })];
}

/** The DER signature certificate of the card in the reader, as the host's get-signing-certificate finds it. */
export async function cardSigningCertificate(reader: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<Uint8Array> {
  const result = await withBackends(signingBackends(reader, env), (backends) => getSigningCertificate({}, standaloneContext(backends, silentLogger)));
  return base64ToBytes(result.certificate);
}

/**
 * The card's signature of `hash` with the key of `certificate`, as the
 * host's sign command makes it (PKCS#1 v1.5 for RSA, r‖s for EC), after the
 * card has checked `pin` (undefined: the reader's PIN pad). The arguments
 * pass the same checks as a browser's.
 */
export async function signWithCard(
  input: { certificate: Uint8Array; hash: Uint8Array; hashFunction: HashFunction; pin: string | undefined; reader: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Uint8Array> {
  const args = parseArguments('sign', {
    certificate: bytesToBase64(input.certificate),
    hash: bytesToBase64(input.hash),
    hashFunction: input.hashFunction,
    ...(input.pin === undefined ? {} : { pin: input.pin }),
  });
  const result = await withBackends(signingBackends(input.reader, env), (backends) => sign(args, standaloneContext(backends, silentLogger)));
  return base64ToBytes(result.signature);
}
