/**
 * eid-bridge sign-pdf IN.pdf OUT.pdf: signs a PDF with the signature key of
 * the card in the reader (PAdES baseline B-B, the backend's own signing code
 * in backend/signing/pades.ts), talking to the card through the native
 * host's public entry as the host's get-signing-certificate and sign do.
 * The PIN is asked on the terminal without echo, or given with --pin (for
 * scripts and tests); it goes to the card only and is never printed.
 * Exit 0: OUT.pdf written; 1: not signed (card, PIN, certificate); 2: usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { isEidBridgeError } from '../../shared/errors.js';
import { cardSigningCertificate, signWithCard } from '../../native-host/src/index.js';
import { TRUSTED_ROOTS_ENV } from '../../shared-node/trusted-roots.js';
import { finishPdfSignature, PdfSigningError, preparePdfSignature } from '../../backend/signing/pades.js';
import { trustedPath } from '../../backend/signing/signer-certificate.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith, parseCommandLine, type CliCommand } from '../cli-command.js';
import { loadPdfTrust } from './verify-pdf.js';

const USAGE = `Usage: eid-bridge sign-pdf IN.pdf OUT.pdf [--pin PIN] [--reader NAME] [--reason TEXT] [--trust CERT]...

Signs IN.pdf with the signature key of the Belgian eID card in the reader
(the qualified signature certificate: a legally binding signature) and
writes the signed PDF to OUT.pdf. A PDF that is signed already gets one
more signature; the earlier ones stay valid. Any PDF reader can check the
result, and so can "eid-bridge verify-pdf OUT.pdf".

  --pin PIN      the card's PIN, for scripts (otherwise it is asked on the
                 terminal, without echo, or read from standard input)
  --reader NAME  use the card in this reader when several hold one
  --reason TEXT  why you sign, written into the signature
  --trust CERT   also trust this root or issuing CA (PEM/DER file or folder;
                 repeatable; also ${TRUSTED_ROOTS_ENV}) — for test cards
                 only, whose issuing CA is not built in like the real ones

A Kids-ID has no signature key and cannot sign.

Exit status: 0 signed, 1 not signed (no card, wrong PIN, certificate not
trusted), 2 usage error.`;

/** The PIN from the terminal without echo, or the first line of standard input when that is no terminal. */
async function askPin(): Promise<string> {
  const terminal = process.stdin.isTTY === true;
  // readline edits the line; what it would echo goes nowhere.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = createInterface({ input: process.stdin, output: silent, terminal });
  // Asked only now that readline holds the terminal in raw mode: before, the terminal itself would echo what is typed.
  if (terminal) process.stderr.write('PIN of the card (not shown): ');
  try {
    return await new Promise<string>((resolve, reject) => {
      lines.on('SIGINT', () => reject(new Error('cancelled')));
      lines.on('close', () => reject(new Error('no PIN given')));
      lines.once('line', resolve);
    });
  } finally {
    lines.removeAllListeners('close');
    lines.close();
    if (terminal) process.stderr.write('\n');
  }
}

export const signPdfCommand: CliCommand = {
  name: 'sign-pdf',
  summary: 'Sign a PDF with the eID card in the reader (PIN asked on the terminal)',
  async run(argv) {
    const parsed = parseCommandLine('sign-pdf', USAGE, {
      args: argv,
      allowPositionals: true,
      options: { pin: { type: 'string' }, reader: { type: 'string' }, reason: { type: 'string' }, trust: { type: 'string', multiple: true } },
    });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 2) {
      return exitWith(EXIT_USAGE, 'sign-pdf', `give the PDF to sign and the file to write\n\n${USAGE}`);
    }
    const [input, output] = positionals as [string, string];
    let pdf: Uint8Array;
    try {
      pdf = new Uint8Array(await readFile(input));
    } catch {
      return exitWith(EXIT_USAGE, 'sign-pdf', `"${input}" cannot be read`);
    }
    if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') {
      return exitWith(EXIT_USAGE, 'sign-pdf', `"${input}" is not a PDF`);
    }
    const trust = await loadPdfTrust(values.trust ?? []);
    if (typeof trust === 'string') {
      return exitWith(EXIT_USAGE, 'sign-pdf', trust);
    }

    try {
      const certificate = await cardSigningCertificate(values.reader, process.env);
      const now = new Date();
      // The issuers go into the signature, so a verifier needs nothing else than the root.
      const chain = trustedPath({ certificateDer: certificate, ...trust, at: now });
      if (!chain) {
        console.error("eid-bridge sign-pdf: the card's signing certificate is not valid now or not issued under a trusted root; nothing was signed");
        return EXIT_FAILED;
      }
      let prepared;
      try {
        prepared = await preparePdfSignature({ pdf, signerCertificate: certificate, chain, signingTime: now, ...(values.reason ? { reason: values.reason } : {}) });
      } catch (e) {
        if (e instanceof PdfSigningError) throw e;
        return exitWith(EXIT_FAILED, 'sign-pdf', `"${input}" cannot take a signature (damaged or encrypted PDF); nothing was signed`);
      }
      let pin: string;
      try {
        pin = values.pin ?? (await askPin());
      } catch (e) {
        return exitWith(EXIT_FAILED, 'sign-pdf', `${e instanceof Error ? e.message : String(e)}; nothing was signed`);
      }
      const signature = await signWithCard({ certificate, hash: prepared.hashToSign, hashFunction: prepared.hashAlgorithm, pin, reader: values.reader }, process.env);
      const signed = await finishPdfSignature(prepared.pending, signature);
      await writeFile(output, signed);
      console.log(`Signed ${input} with the signature key of the card; written to ${output}.`);
      return EXIT_OK;
    } catch (e) {
      if (isEidBridgeError(e)) {
        return exitWith(EXIT_FAILED, 'sign-pdf', `${e.message}${e.details.hint ? `\n${e.details.hint}` : ''}\nNothing was signed.`);
      }
      if (e instanceof PdfSigningError) {
        return exitWith(EXIT_FAILED, 'sign-pdf', `${e.message}; nothing was signed`);
      }
      throw e;
    }
  },
};
