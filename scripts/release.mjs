#!/usr/bin/env node
// Writes release/: the native host as a Node single executable application
// (no system Node needed) with its native addons beside it, the Debian package
// that installs it for every browser and offers them the extension, the
// extension packages for the stores, and SHA256SUMS. Run after `npm run build`
// (the extension packages are made from .output/); `npm run release` does
// both. Each step is one module in scripts/release/.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildDebianPackage } from './release/debian-package.mjs';
import { buildExtensionPackages, extensionSystemFiles } from './release/extension-packages.mjs';
import { filesUnder, writeFile } from './release/files.mjs';
import { buildHostExecutable } from './release/host-executable.mjs';

const release = 'release';
const staging = join(release, '.staging');
const { version, license } = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync(release, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });

const { host, hostDir } = await buildHostExecutable({ release, staging, version });
const extensions = buildExtensionPackages({ release, version });
await buildDebianPackage({ release, staging, version, license, host, hostDir, systemFiles: extensionSystemFiles({ packages: extensions }) });

rmSync(staging, { recursive: true, force: true });
const released = filesUnder(release)
  .map((f) => relative(release, f))
  .sort();
writeFile(
  join(release, 'SHA256SUMS'),
  released.map((f) => `${createHash('sha256').update(readFileSync(join(release, f))).digest('hex')}  ${f}`).join('\n') + '\n',
);
console.log(`release: ${released.join(', ')} and SHA256SUMS in ${release}/`);
