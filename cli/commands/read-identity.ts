/**
 * eid-bridge read-identity: reads the card in the reader over PC/SC (no
 * browser involved), prints identity, address and the integrity verdict,
 * and optionally writes the photo and the raw files (for "eid-bridge verify").
 * Exit 0: read and verified; 1: not verified or the card could not be read; 2: usage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isEidBridgeError } from '../../shared/errors.js';
import type { CardFiles } from '../../shared-node/identity-verify.js';
import { readCardIdentityFiles } from '../../native-host/src/index.js';
import { buildIdentityResult } from '../../shared-node/identity-result.js';
import { loadTrustedRoots, TRUSTED_ROOTS_ENV } from '../../shared-node/trusted-roots.js';
import { EXIT_FAILED, EXIT_USAGE, exitWith, parseCommandLine, type CliCommand } from '../cli-command.js';
import { formatIdentityReport, identityJson } from '../identity-output.js';

const USAGE = `Usage: eid-bridge read-identity [--photo FILE] [--save DIR] [--json] [--reader NAME] [--trust CERT]...

Reads the Belgian eID card in the reader over PC/SC and shows the identity,
the address and whether the data verified (signatures of the national
register, photo hash, RRN certificate issued by a trusted Belgian root).

  --photo FILE   write the photo (JPEG) to FILE
  --save DIR     save the raw card files to DIR (4031.bin ... 503C.bin), for
                 "eid-bridge verify DIR"
  --json         print JSON instead of text
  --reader NAME  use this reader when several hold a card
  --trust CERT   also trust this root (PEM/DER file or folder; repeatable;
                 also ${TRUSTED_ROOTS_ENV}) — for test cards only

Exit status: 0 verified, 1 not verified or not read, 2 usage error.`;

export const readIdentityCommand: CliCommand = {
  name: 'read-identity',
  summary: 'Read and verify the identity, address and photo of the card in the reader',
  async run(argv) {
    const parsed = parseCommandLine('read-identity', USAGE, {
      args: argv,
      options: {
        photo: { type: 'string' },
        save: { type: 'string' },
        json: { type: 'boolean' },
        reader: { type: 'string' },
        trust: { type: 'string', multiple: true },
      },
    });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const roots = await loadTrustedRoots({ extraPaths: values.trust ?? [] });
    if (roots.problems.length > 0) {
      return exitWith(EXIT_USAGE, 'read-identity', `${roots.problems.join('; ')}`);
    }

    try {
      const read = await readCardIdentityFiles(values.reader, process.env);
      const files = read.files as CardFiles;
      const result = buildIdentityResult(files, {
        includeAddress: true,
        includePhoto: true,
        trustedRoots: roots.roots,
        virtual: read.virtual,
        cardType: read.cardType,
      });

      const notes: string[] = [];
      if (values.photo !== undefined) {
        if (!files['4035'] || files['4035'].length === 0) notes.push('The card has no photo; nothing written.');
        else {
          await writeFile(values.photo, files['4035']);
          notes.push(`Photo written to ${values.photo}`);
        }
      }
      if (values.save !== undefined) {
        await mkdir(values.save, { recursive: true });
        const saved: string[] = [];
        for (const [id, bytes] of Object.entries(files)) {
          if (!bytes || bytes.length === 0) continue;
          await writeFile(join(values.save, `${id}.bin`), bytes);
          saved.push(id);
        }
        notes.push(`Raw files ${saved.join(', ')} saved to ${values.save}`);
      }
      if (values.json) {
        console.log(identityJson(result, { reader: read.reader, photoFile: values.photo, savedTo: values.save }));
      }
      else console.log(formatIdentityReport(result, { reader: read.reader, notes }));
      return result.verification.verified ? 0 : 1;
    } catch (e) {
      if (!isEidBridgeError(e)) throw e;
      return exitWith(EXIT_FAILED, 'read-identity', `${e.message}${e.details.hint ? `\n${e.details.hint}` : ''}`);
    }
  },
};
