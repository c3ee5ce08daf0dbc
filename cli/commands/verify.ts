/**
 * eid-bridge verify DIR: checks a saved set of raw card files offline — the
 * identity and address signatures, the photo hash and the RRN certificate
 * (issued directly by a trusted root) — and prints the identity with the
 * verdict and any warnings.
 * Exit 0: everything verified; 1: not verified; 2: usage or missing files.
 */
import { readFile, stat } from 'node:fs/promises';
import { isEidBridgeError } from '../../shared/errors.js';
import { decodeRawCardFiles, type CardFileId, type CardFiles } from '../../shared-node/identity-verify.js';
import { buildIdentityResult } from '../../shared-node/identity-result.js';
import { loadTrustedRoots, TRUSTED_ROOTS_ENV } from '../../shared-node/trusted-roots.js';
import { EXIT_USAGE, exitWith, parseCommandLine, type CliCommand } from '../cli-command.js';
import { formatIdentityReport, identityJson, readCardFileDirectory } from '../identity-output.js';

const USAGE = `Usage: eid-bridge verify DIR|RESULT.json [--json] [--trust CERT]...

Verifies the raw files of a Belgian eID card saved in DIR (for example by
"eid-bridge read-identity --save DIR"), offline. DIR must hold the files
4031 (identity), 4032 (identity signature), 4033 (address), 4034 (address
signature), 4035 (photo) and 503C (RRN certificate), named by file id
("4031", "4031.bin", "3F00_DF01_4031", ...).

RESULT.json: a read-identity result as a web page receives it; its "rawFiles"
(base64) are verified, not the verdict that came with them. It needs at least
4031, 4032 and 503C; the address and photo are checked when they were shared.

The data counts as verified only when every signature and the photo hash are
valid and the RRN certificate is issued directly by a trusted root, is no CA
and is for signing: the real Belgian roots are built in; test roots only when
given with --trust (a PEM/DER file or a folder, repeatable) or
${TRUSTED_ROOTS_ENV}. An RRN certificate not named RRN (the government's test
cards say "test RRN") only adds a warning.

Exit status: 0 verified, 1 not verified, 2 usage error or missing files.`;

export const REQUIRED_FILES: readonly CardFileId[] = ['4031', '4032', '4033', '4034', '4035', '503C'];
/** A page's result may leave out the address and photo the person did not share. */
export const REQUIRED_IN_RESULT: readonly CardFileId[] = ['4031', '4032', '503C'];

/** The rawFiles of a saved read-identity result, or an error message. */
async function filesFromResultFile(path: string): Promise<CardFiles | string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return `"${path}" is neither a folder nor a JSON read-identity result`;
  }
  const raw = (parsed as { rawFiles?: unknown } | null)?.rawFiles;
  if (!raw || typeof raw !== 'object') return `"${path}" has no "rawFiles"`;
  return decodeRawCardFiles(raw as Record<string, unknown>);
}

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Verify saved raw card files (identity, address, photo) offline',
  async run(argv) {
    const parsed = parseCommandLine('verify', USAGE, {
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        trust: { type: 'string', multiple: true },
      },
    });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      return exitWith(EXIT_USAGE, 'verify', `give exactly one folder or result file\n\n${USAGE}`);
    }
    const source = positionals[0]!;
    let isFolder: boolean;
    try {
      isFolder = (await stat(source)).isDirectory();
    } catch {
      return exitWith(EXIT_USAGE, 'verify', `"${source}" does not exist`);
    }

    let files: CardFiles;
    let required: readonly CardFileId[];
    if (isFolder) {
      const found = await readCardFileDirectory(source);
      if (found.duplicates.length > 0) {
        return exitWith(EXIT_USAGE, 'verify', `ambiguous files in "${source}":\n  ${found.duplicates.join('\n  ')}`);
      }
      files = found.files;
      required = REQUIRED_FILES;
    } else {
      const fromResult = await filesFromResultFile(source);
      if (typeof fromResult === 'string') {
        return exitWith(EXIT_USAGE, 'verify', fromResult);
      }
      files = fromResult;
      required = REQUIRED_IN_RESULT;
    }
    const missing = required.filter((id) => !files[id] || files[id]!.length === 0);
    if (missing.length > 0) {
      return exitWith(EXIT_USAGE, 'verify', `missing in "${source}": ${missing.join(', ')} (needed: ${required.join(', ')})`);
    }

    const roots = await loadTrustedRoots({ extraPaths: values.trust ?? [] });
    if (roots.problems.length > 0) {
      return exitWith(EXIT_USAGE, 'verify', `${roots.problems.join('; ')}`);
    }

    let result;
    try {
      result = buildIdentityResult(files, { includeAddress: true, includePhoto: true, trustedRoots: roots.roots });
    } catch (e) {
      // A damaged identity file: nothing to show, and certainly not verified.
      const message = isEidBridgeError(e) ? e.message : e instanceof Error ? e.message : String(e);
      if (values.json) console.log(JSON.stringify({ verified: false, error: message }, null, 2));
      else console.error(`eid-bridge verify: NOT VERIFIED: ${message}`);
      return 1;
    }
    const configured = roots.roots.filter((r) => !r.builtIn).map((r) => r.source);
    if (values.json) {
      console.log(identityJson(result, { photoBytes: files['4035']?.length ?? 0, extraTrustedRoots: configured }));
    } else {
      const notes = configured.length > 0 ? [`Extra trusted roots: ${configured.join(', ')}`] : [];
      console.log(formatIdentityReport(result, { notes }));
    }
    return result.verification.verified ? 0 : 1;
  },
};
