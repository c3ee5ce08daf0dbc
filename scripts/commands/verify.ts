/**
 * eid-bridge verify DIR: checks a saved set of raw card files offline — the
 * identity and address signatures, the photo hash and the RRN certificate's
 * chain to a trusted root — and prints the identity with the verdict.
 * Exit 0: everything verified; 1: not verified; 2: usage or missing files.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isEidBridgeError } from '../../shared/errors.js';
import type { CardFileId } from '../../shared/identity-verify.js';
import { buildIdentityResult } from '../../native-host/src/identity/identity-result.js';
import { loadTrustedRoots, TRUSTED_ROOTS_ENV } from '../../native-host/src/identity/trusted-roots.js';
import type { CliCommand } from './cli-command.js';
import { formatIdentityReport, identityJson, readCardFileDirectory } from './identity-output.js';

const USAGE = `Usage: eid-bridge verify DIR [--json] [--trust CERT]...

Verifies the raw files of a Belgian eID card saved in DIR (for example by
"eid-bridge read-identity --save DIR"), offline. DIR must hold the files
4031 (identity), 4032 (identity signature), 4033 (address), 4034 (address
signature), 4035 (photo) and 503C (RRN certificate), named by file id
("4031", "4031.bin", "3F00_DF01_4031", ...).

The data counts as verified only when every signature and the photo hash are
valid and the RRN certificate chains to a trusted root: the real Belgian roots
are built in; test roots only when given with --trust (a PEM/DER file or a
folder, repeatable) or ${TRUSTED_ROOTS_ENV}.

Exit status: 0 verified, 1 not verified, 2 usage error or missing files.`;

export const REQUIRED_FILES: readonly CardFileId[] = ['4031', '4032', '4033', '4034', '4035', '503C'];

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Verify saved raw card files (identity, address, photo) offline',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          json: { type: 'boolean' },
          trust: { type: 'string', multiple: true },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (e) {
      console.error(`eid-bridge verify: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length !== 1) {
      console.error(`eid-bridge verify: give exactly one folder\n\n${USAGE}`);
      return 2;
    }
    const dir = positionals[0]!;
    try {
      if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
    } catch {
      console.error(`eid-bridge verify: "${dir}" is not a folder`);
      return 2;
    }

    const { files, duplicates } = await readCardFileDirectory(dir);
    if (duplicates.length > 0) {
      console.error(`eid-bridge verify: ambiguous files in "${dir}":\n  ${duplicates.join('\n  ')}`);
      return 2;
    }
    const missing = REQUIRED_FILES.filter((id) => !files[id] || files[id]!.length === 0);
    if (missing.length > 0) {
      console.error(`eid-bridge verify: missing in "${dir}": ${missing.join(', ')} (needed: ${REQUIRED_FILES.join(', ')})`);
      return 2;
    }

    const roots = await loadTrustedRoots({ extraPaths: values.trust ?? [] });
    if (roots.problems.length > 0) {
      console.error(`eid-bridge verify: ${roots.problems.join('; ')}`);
      return 2;
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
      console.log(identityJson(result, { photoBytes: files['4035']!.length, extraTrustedRoots: configured }));
    } else {
      const notes = configured.length > 0 ? [`Extra trusted roots: ${configured.join(', ')}`] : [];
      console.log(formatIdentityReport(result, { notes }));
    }
    return result.verification.verified ? 0 : 1;
  },
};
