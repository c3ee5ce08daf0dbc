/**
 * eid-bridge verify-pdf FILE.pdf: checks every signature in a PDF, offline
 * (backend/signing/verify-pdf.ts, the same check as the backend's
 * POST /api/signing/verify) and says in plain words who signed, when, and
 * whether each signature holds.
 * Exit 0: the PDF is signed and every signature holds; 1: one does not (or
 * none is there, or the file is no readable PDF); 2: usage or a missing file.
 */
import { readFile } from 'node:fs/promises';
import { builtInIssuingCas, loadTrustedRoots, TRUSTED_ROOTS_ENV } from '../../shared-node/trusted-roots.js';
import { PdfUnreadableError, verifyPdfSignatures, type PdfSignatureVerdict, type PdfTrust } from '../../backend/signing/verify-pdf.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith, parseCommandLine, type CliCommand } from '../cli-command.js';

const USAGE = `Usage: eid-bridge verify-pdf FILE.pdf [--json] [--trust CERT]...

Checks each signature in a signed PDF, offline: that it covers its whole
revision of the file, that the signature is right for those bytes, that the
certificate is one for signatures (non-repudiation) valid now and issued
under a trusted root, the revocation answers the PDF carries (if any), and
whether the document was changed after signing (later revisions that only
add signatures are fine). It prints who signed, when, and the verdict.

  --json         print JSON instead of text
  --trust CERT   also trust this root (PEM/DER file or folder; repeatable;
                 also ${TRUSTED_ROOTS_ENV}) — for test cards only

The real Belgian roots are built in. The signing time is the one the signer
claimed; nothing in a PAdES B-B signature proves it.

Exit status: 0 every signature holds, 1 one does not (or the PDF has none,
or cannot be read), 2 usage error or missing file.`;

const COVERAGE: Record<PdfSignatureVerdict['coverage'], string> = {
  'whole-document': 'the whole document',
  'signatures-added': 'the document as it was signed; later additions are only signatures or validation data',
  'changed-after-signing': 'an earlier version: the document was CHANGED after signing',
  unknown: 'unknown (the signed byte range is not usable)',
};

/** One signature's verdict in words. */
export function formatPdfSignature(verdict: PdfSignatureVerdict, count: number): string {
  const lines = [`Signature ${verdict.number} of ${count}${verdict.fieldName ? ` (${verdict.fieldName})` : ''}: ${verdict.holds ? 'VALID' : 'NOT VALID'}`];
  if (verdict.signer) {
    lines.push(`  Signed by:  ${verdict.signer.name}${verdict.signer.nationalNumber ? `, national number ${verdict.signer.nationalNumber}` : ''}`);
    lines.push(`  Issued by:  ${verdict.signer.issuer}`);
  } else lines.push('  Signed by:  unknown (the signature cannot be read)');
  lines.push(
    verdict.signingTime
      ? `  Signed on:  ${verdict.signingTime.time.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (as the signer claims, ${verdict.signingTime.source})`
      : '  Signed on:  not stated',
  );
  lines.push(`  Covers:     ${COVERAGE[verdict.coverage]}`);
  lines.push(`  Revocation: ${verdict.revocation.status === 'not-checked' ? 'not checked' : verdict.revocation.status}: ${verdict.revocation.detail}`);
  for (const problem of verdict.problems) lines.push(`  Problem:    ${problem.message}`);
  return lines.join('\n');
}

/**
 * What signatures are checked against (and sign-pdf builds its chain from):
 * the built-in Belgian roots and issuing CAs, plus the --trust and
 * EID_BRIDGE_TRUSTED_ROOTS certificates; or what is wrong with those.
 */
export async function loadPdfTrust(extraPaths: readonly string[]): Promise<PdfTrust | string> {
  const roots = await loadTrustedRoots({ extraPaths });
  if (roots.problems.length > 0) return roots.problems.join('; ');
  return {
    trusted: roots.roots.map((r) => new Uint8Array(r.certificate.raw)),
    intermediates: builtInIssuingCas().map((c) => new Uint8Array(c.raw)),
  };
}

export const verifyPdfCommand: CliCommand = {
  name: 'verify-pdf',
  summary: 'Check the signatures in a signed PDF: who signed, when, and whether each holds',
  async run(argv) {
    const parsed = parseCommandLine('verify-pdf', USAGE, {
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, trust: { type: 'string', multiple: true } },
    });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      return exitWith(EXIT_USAGE, 'verify-pdf', `give exactly one PDF file\n\n${USAGE}`);
    }
    const path = positionals[0]!;
    let pdf: Uint8Array;
    try {
      pdf = new Uint8Array(await readFile(path));
    } catch {
      return exitWith(EXIT_USAGE, 'verify-pdf', `"${path}" cannot be read`);
    }
    const trust = await loadPdfTrust(values.trust ?? []);
    if (typeof trust === 'string') {
      return exitWith(EXIT_USAGE, 'verify-pdf', trust);
    }
    let result;
    try {
      result = await verifyPdfSignatures(pdf, trust);
    } catch (e) {
      if (!(e instanceof PdfUnreadableError)) throw e;
      if (values.json) console.log(JSON.stringify({ valid: false, error: e.message }, null, 2));
      else console.error(`eid-bridge verify-pdf: NOT VALID: ${e.message}`);
      return EXIT_FAILED;
    }
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else if (result.signatures.length === 0) console.log(`${path}: NOT SIGNED: the PDF has no signature.`);
    else {
      const holding = result.signatures.filter((s) => s.holds).length;
      console.log(`${path}: ${result.valid ? 'every signature is valid' : `${result.signatures.length - holding} of ${result.signatures.length} signatures NOT VALID`}\n`);
      console.log(result.signatures.map((s) => formatPdfSignature(s, result.signatures.length)).join('\n\n'));
    }
    return result.valid ? EXIT_OK : EXIT_FAILED;
  },
};
