/**
 * The local https certificate: made once at first start (ECDSA P-256,
 * self-signed, for 127.0.0.1 and localhost) and kept in the data directory,
 * so a browser exception or trust setting survives restarts.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

export interface TlsFiles {
  cert: string;
  key: string;
  certFile: string;
}

export async function loadOrCreateTlsCertificate(dataDir: string): Promise<TlsFiles> {
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile };
  } catch {
    // first start: make one below
  }
  const crypto = webcrypto as unknown as Crypto;
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('hex').replace(/^[89a-f]/, '1'),
      name: 'CN=eID Bridge local backend, O=eID Bridge',
      notBefore: new Date(now - 24 * 3600_000),
      notAfter: new Date(now + 2 * 365 * 24 * 3600_000),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'ip', value: '127.0.0.1' },
          { type: 'dns', value: 'localhost' },
        ]),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const cert = certificate.toString('pem');
  const key = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyFile, key, { mode: 0o600 });
  await writeFile(certFile, cert);
  return { cert, key, certFile };
}
