/**
 * For the signing tests (backend/signing/pades.test.ts, document-signing*.ts):
 * the card's side of a signature, made with the test PKI's signature key as
 * the card makes it, a PDF to sign, and the report of `pdfsig` (Debian
 * poppler-utils) with an NSS database (Debian libnss3-tools' certutil) that
 * trusts the test root.
 */
import { execFile } from 'node:child_process';
import { constants as cryptoConstants, createPrivateKey, privateEncrypt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { p384 } from '@noble/curves/nist.js';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { cardGeneration, signatureInput } from '../../shared/belpic/card-generations.js';
import type { TestPki } from '../../devtools/test-pki/test-pki.js';

const run = promisify(execFile);

/** What the card's PSO: COMPUTE DIGITAL SIGNATURE returns for a hash: PKCS#1 v1.5 over DigestInfo (1.7), raw r‖s (1.8). */
export function signAsTheCard(pki: TestPki, hash: Uint8Array, hashAlgorithm: 'SHA-256' | 'SHA-384'): Uint8Array {
  const key = createPrivateKey(pki.signing!.privateKeyPem);
  if (pki.keyType === 'rsa') {
    const { input } = signatureInput(cardGeneration('1.7'), hashAlgorithm, hash);
    return new Uint8Array(privateEncrypt({ key, padding: cryptoConstants.RSA_PKCS1_PADDING }, input));
  }
  const scalar = new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
  return p384.sign(hash, scalar, { prehash: false });
}

/** A one-page (or longer) PDF titled "Volmacht" with a line of text on each page. */
export async function contractPdf(pages = 1): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.setTitle('Volmacht');
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= pages; n++) {
    const page = document.addPage([595, 842]);
    page.drawText(n === 1 ? 'Ik geef volmacht aan Jan Peeters.' : `Pagina ${n}`, { x: 72, y: 760, size: 14, font });
  }
  return document.save();
}

/** pdfsig's report; with an NSS database, certificates are checked against the roots trusted there. */
export async function pdfsig(path: string, nssDatabase?: string): Promise<string> {
  // The test certificates name no OCSP responder, so the revocation check fetches nothing. (With
  // -no-ocsp, poppler 22.12 reports "Unknown issue with Certificate or corrupted data" instead.)
  const options = nssDatabase ? ['-nssdir', `sql:${nssDatabase}`] : [];
  // pdfsig exits non-zero for an invalid signature; its report is what the tests read.
  const result = await run('pdfsig', [...options, path]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  return result.stdout;
}

/** An NSS database (Debian libnss3-tools' certutil) in `dir` (made here) that trusts this PKI's root. */
export async function nssDatabaseTrusting(pki: TestPki, dir: string): Promise<string> {
  await mkdir(dir);
  const rootPath = join(dir, 'root.pem');
  await writeFile(rootPath, pki.root.pem);
  await run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  await run('certutil', ['-A', '-d', `sql:${dir}`, '-n', 'eID Bridge test root', '-t', 'C,C,C', '-i', rootPath]);
  return dir;
}

/** The DER in each stream of the catalog's /DSS arrays /Certs and /OCSPs, or undefined without a /DSS. */
export async function documentSecurityStore(pdf: Uint8Array): Promise<Record<'Certs' | 'OCSPs', Uint8Array[]> | undefined> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const dss = document.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  if (!dss) return undefined;
  const streams = (key: string) => {
    const array = dss.lookup(PDFName.of(key), PDFArray);
    return array.asArray().map((ref) => decodePDFRawStream(document.context.lookup(ref) as PDFRawStream).decode());
  };
  return { Certs: streams('Certs'), OCSPs: streams('OCSPs') };
}
