/**
 * A real OCSP responder for tests: `openssl ocsp` as a server on 127.0.0.1,
 * answering from an openssl CA index file about certificates of a test PKI's
 * Citizen CA, signed by a responder certificate made here
 * (ocsp-revocation.test.ts, document-signing-long-term.test.ts).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { TestCertificateAndKey } from '../../devtools/test-pki/test-pki.js';
import { freePort } from './postgres-cluster.js';

const crypto = webcrypto as unknown as Crypto;
const MINUTE = 60_000;

/** What `openssl ocsp -rsigner … -rkey …` needs. */
export interface ResponderSigner {
  certificate: x509.X509Certificate;
  pem: string;
  privateKeyPem: string;
}

/** A certificate issued by `issuer` with the extended key usages `usages` (id-kp-OCSPSigning makes a delegated responder). */
export async function responderCertificate(issuer: TestCertificateAndKey, name: string, usages: string[]): Promise<ResponderSigner> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '7e' + Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex'),
      subject: `C=BE, CN=${name}`,
      issuer: issuer.certificate.subject,
      notBefore: new Date(Date.now() - 24 * 60 * MINUTE),
      notAfter: new Date(Date.now() + 365 * 24 * 60 * MINUTE),
      publicKey: keys.publicKey,
      signingKey: issuer.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        ...(usages.length ? [new x509.ExtendedKeyUsageExtension(usages, false)] : []),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificate, pem: certificate.toString('pem'), privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** One line of an openssl CA index: V (valid) or R (revoked an hour ago), expiry, revocation time, serial, file, subject (one a line: openssl wants them unique). */
export function indexLine(status: 'V' | 'R', certificate: x509.X509Certificate): string {
  const asn1Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const revoked = status === 'R' ? asn1Time(new Date(Date.now() - 60 * MINUTE)) : '';
  return [status, asn1Time(certificate.notAfter), revoked, certificate.serialNumber.toUpperCase(), 'unknown', `/C=BE/CN=card ${certificate.serialNumber}`].join('\t') + '\n';
}

export interface Responder {
  url: string;
  /** Answers from `index` from now on. */
  setIndex(index: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `openssl ocsp` on 127.0.0.1 for the CA `ca`, answering from `index` with
 * signer `signer`, next update in 5 minutes; its files are written in `dir`
 * under `name`.
 */
export async function startResponder(options: { dir: string; name: string; index: string; ca: TestCertificateAndKey; signer: ResponderSigner }): Promise<Responder> {
  const { dir, name, signer } = options;
  const files = { index: join(dir, `${name}.index.txt`), ca: join(dir, `${name}.ca.pem`), cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  await Promise.all([
    writeFile(files.index, options.index),
    writeFile(files.ca, options.ca.pem),
    writeFile(files.cert, signer.pem),
    writeFile(files.key, signer.privateKeyPem),
  ]);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'openssl',
    ['ocsp', '-port', String(port), '-index', files.index, '-CA', files.ca, '-rsigner', files.cert, '-rkey', files.key, '-nmin', '5', '-ignore_err'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // Ready once it says it waits for clients (a probing connection would block it: it serves one connection at a time).
  let errors = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${errors}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      errors += d.toString();
      if (errors.includes('waiting for OCSP client connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp stopped: ${errors}`));
    });
  });
  const url = `http://127.0.0.1:${port}/`;
  let indexVersion = 0;
  return {
    url,
    async setIndex(index) {
      await writeFile(files.index, index);
      // openssl 3 reloads an index whose modification time (in seconds) changed, and looks before it
      // waits for the next client: a new time, then one request it refuses, and the next answer is new.
      indexVersion += 1;
      const changed = new Date(Date.now() + indexVersion * 1000);
      await utimes(files.index, changed, changed);
      await fetch(url).then((r) => r.arrayBuffer()).catch(() => undefined);
    },
    async stop() {
      // Stopped already (a test may stop it to have the responder down).
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}
