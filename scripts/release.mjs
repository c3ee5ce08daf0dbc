#!/usr/bin/env node
// Writes release/: the native host as a Node single executable application
// (no system Node needed) with its native addons beside it, the Debian package
// that installs it for every browser, the extension packages for the stores,
// and SHA256SUMS. Run after `npm run build` (the extension packages are made
// from .output/); `npm run release` does both.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const RELEASE = 'release';
const STAGING = join(RELEASE, '.staging');
const { version, license } = JSON.parse(readFileSync('package.json', 'utf8'));
const INSTALL_DIR = '/usr/lib/eid-bridge';
const HOST_NAME = 'eid-bridge-host';
/** The native addons the host loads, each copied from its package's build beside the executable. */
const ADDONS = {
  'pcsclite.node': 'node_modules/pcsclite/build/Release/pcsclite.node',
  'pkcs11.node': 'node_modules/pkcs11js/build/Release/pkcs11.node',
};
const MAINTAINER = 'eID Bridge maintainers <maintainers@eidbridge.be>';

function run(command, args, options = {}) {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
}

function writeFile(path, content, mode = 0o644) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

rmSync(RELEASE, { recursive: true, force: true });
mkdirSync(STAGING, { recursive: true });

// ---- The host bundle: one CommonJS file with every dependency's JavaScript ----

/**
 * In a single executable application `require` loads only Node's built-in
 * modules, so the addons are loaded with a require rooted at the executable's
 * folder, where they are installed beside it.
 */
const addonsBesideExecutable = {
  name: 'addons-beside-executable',
  setup(b) {
    const besideExecutable = (file) => `module.exports = require('node:module').createRequire(process.execPath)('./${file}');`;
    // pcsclite finds its addon with the `bindings` package (a search of build folders).
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'addon' }));
    b.onLoad({ filter: /^bindings$/, namespace: 'addon' }, () => ({
      contents: `module.exports = (name) => require('node:module').createRequire(process.execPath)('./' + name + '.node');`,
    }));
    // pkcs11js requires its addon by relative path.
    b.onResolve({ filter: /\.node$/ }, (args) => ({ path: basename(args.path), namespace: 'addon' }));
    b.onLoad({ filter: /\.node$/, namespace: 'addon' }, (args) => ({ contents: besideExecutable(args.path) }));
    // The host loads pcsclite lazily with a require made from import.meta.url, which a CommonJS
    // bundle does not have: there the bundle's own require is the one that finds it.
    b.onLoad({ filter: /native-host\/src\/pcsc\/pcsc\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const lazyRequire = 'const require = createRequire(import.meta.url);';
      if (!source.includes(lazyRequire)) throw new Error(`${args.path} no longer loads pcsclite as release.mjs expects`);
      return { contents: source.replace(lazyRequire, ''), loader: 'ts' };
    });
  },
};

const bundle = join(STAGING, `${HOST_NAME}.cjs`);
await build({
  entryPoints: ['native-host/src/main.ts'],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  plugins: [addonsBesideExecutable],
  logLevel: 'warning',
});

// ---- The single executable: a copy of this node with the bundle injected ----

const blob = join(STAGING, 'sea-prep.blob');
const seaConfig = join(STAGING, 'sea-config.json');
// The code cache saves compiling the bundle at each start; the warning would reach the browser's log at every start.
writeFile(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
run(process.execPath, ['--experimental-sea-config', seaConfig]);

// The host on its own (for other packagings): the executable and its addons in one folder.
const hostDir = join(RELEASE, `${HOST_NAME}_${version}_linux-x64`);
const host = join(hostDir, HOST_NAME);
mkdirSync(hostDir, { recursive: true });
// Stripped of debugging symbols before the blob goes in (stripping afterwards could drop it).
run('strip', ['--strip-unneeded', process.execPath, '-o', host]);
chmodSync(host, 0o755);
// postject's ELF writer warns about note sections it does not name; the result is checked by the tests.
run(process.execPath, [
  'node_modules/postject/dist/cli.js',
  host,
  'NODE_SEA_BLOB',
  blob,
  '--sentinel-fuse',
  'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
]);
for (const [name, from] of Object.entries(ADDONS)) {
  run('strip', ['--strip-unneeded', from, '-o', join(hostDir, name)]);
  chmodSync(join(hostDir, name), 0o644);
}

// ---- The Debian package ----

// The manifest locations and contents are the ones `eid-bridge install-host --system` writes.
const registrationModule = join(STAGING, 'host-registration.mjs');
await build({
  entryPoints: ['cli/host-registration.ts'],
  outfile: registrationModule,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const { BROWSERS, hostManifest, manifestDirectory } = await import(join(process.cwd(), registrationModule));

const root = join(STAGING, 'deb');
const installedHost = `${INSTALL_DIR}/${HOST_NAME}`;
mkdirSync(join(root, INSTALL_DIR), { recursive: true });
copyFileSync(host, join(root, installedHost));
chmodSync(join(root, installedHost), 0o755);
for (const name of Object.keys(ADDONS)) writeFile(join(root, INSTALL_DIR, name), readFileSync(join(hostDir, name)));

const conffiles = new Set();
for (const browser of BROWSERS) {
  const dir = manifestDirectory(browser, 'linux', true, '/nonexistent');
  const manifestPath = join(dir, 'be.eidbridge.host.json');
  const manifest = `${JSON.stringify(hostManifest(browser, installedHost), null, 2)}\n`;
  const existing = conffiles.has(manifestPath) ? readFileSync(join(root, manifestPath), 'utf8') : undefined;
  // Brave reads Chrome's directory: the same file serves both, so it must be the same manifest.
  if (existing !== undefined && existing !== manifest) throw new Error(`${manifestPath}: browsers sharing it need different manifests`);
  writeFile(join(root, manifestPath), manifest);
  if (manifestPath.startsWith('/etc/')) conffiles.add(manifestPath);
}

const doc = join(root, 'usr/share/doc/eid-bridge');
// The changelog's date is the last commit's, so the same sources give the same package.
const changedAt = run('git', ['log', '-1', '--format=%cD']).trim();
const changelog = `eid-bridge (${version}) unstable; urgency=medium\n\n  * Release ${version}.\n\n -- ${MAINTAINER}  ${changedAt}\n`;
writeFile(join(doc, 'changelog.gz'), gzipSync(changelog, { level: 9 }));
writeFile(
  join(doc, 'copyright'),
  [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: eid-bridge',
    '',
    'Files: *',
    `Copyright: ${new Date(changedAt).getUTCFullYear()} eID Bridge maintainers`,
    `License: ${license}`,
    '',
    `License: ${license}`,
    ' Permission is hereby granted, free of charge, to any person obtaining a copy of this software and',
    ' associated documentation files (the "Software"), to deal in the Software without restriction, including',
    ' without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell',
    ' copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the',
    ' following conditions:',
    ' .',
    ' The above copyright notice and this permission notice shall be included in all copies or substantial',
    ' portions of the Software.',
    ' .',
    ' THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT',
    ' LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO',
    ' EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER',
    ' IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE',
    ' USE OR OTHER DEALINGS IN THE SOFTWARE.',
    '',
  ].join('\n'),
);

// Deviations from Debian policy that registering a host with these browsers requires.
writeFile(
  join(root, 'usr/share/lintian/overrides/eid-bridge'),
  [
    '# Chrome, Brave and Edge read system-wide native-messaging host manifests only from /etc/opt/<browser>/.',
    'eid-bridge: dir-or-file-in-etc-opt [etc/opt/*]',
    "# The host is a Node single executable application: Node's own binary, which links zlib in, carrying the host.",
    'eid-bridge: embedded-library zlib [usr/lib/eid-bridge/eid-bridge-host]',
    '',
  ].join('\n'),
);

/** The newest glibc symbol version the binaries use: the oldest libc6 that can run them. */
function glibcNeeded(files) {
  const versions = files.flatMap((f) => [...run('objdump', ['-T', f]).matchAll(/GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]));
  const newer = (a, b) => {
    const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
    return false;
  };
  return versions.reduce((max, v) => (newer(v, max) ? v : max), '2.0');
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
const payload = filesUnder(root);
const installedSizeKiB = Math.ceil(payload.reduce((sum, f) => sum + statSync(f).size, 0) / 1024);
writeFile(
  join(root, 'DEBIAN/control'),
  [
    'Package: eid-bridge',
    `Version: ${version}`,
    'Architecture: amd64',
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedSizeKiB}`,
    `Depends: libc6 (>= ${glibcNeeded([join(root, installedHost), ...Object.keys(ADDONS).map((name) => join(root, INSTALL_DIR, name))])}), libgcc-s1, libstdc++6, pcscd, libpcsclite1`,
    'Section: utils',
    'Priority: optional',
    `Description: Belgian eID card for the browser (native messaging host)`,
    ' Log in and sign with a Belgian eID card in Chrome, Chromium, Edge, Brave',
    ' and Firefox.',
    ' .',
    ' This package holds the native host that the eID Bridge browser extension',
    ' starts to reach the card through the PC/SC service, registered for Chrome,',
    ' Chromium, Edge, Brave and Firefox.',
    '',
  ].join('\n'),
);
writeFile(join(root, 'DEBIAN/conffiles'), `${[...conffiles].sort().join('\n')}\n`);
writeFile(
  join(root, 'DEBIAN/md5sums'),
  payload
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(root, f)}`)
    .sort()
    .join('\n') + '\n',
);
for (const dir of [root, ...filesUnder(root).map((f) => dirname(f))]) chmodSync(dir, 0o755);
const deb = join(RELEASE, `eid-bridge_${version}_amd64.deb`);
run('dpkg-deb', ['--build', '--root-owner-group', root, deb]);

// ---- The extension packages ----

for (const [browser, file] of [
  ['chrome', `eid-bridge-${version}-chrome.zip`],
  ['firefox', `eid-bridge-${version}.xpi`],
]) {
  const sourceDir = `.output/${browser}-mv3`;
  const manifestVersion = JSON.parse(readFileSync(join(sourceDir, 'manifest.json'), 'utf8')).version;
  if (manifestVersion !== version) throw new Error(`${sourceDir} is version ${manifestVersion}, the host ${version}: run npm run build`);
  run('npx', ['web-ext', 'build', '--source-dir', sourceDir, '--artifacts-dir', RELEASE, '--filename', file, '--overwrite-dest', '--no-config-discovery']);
}

// ---- Checksums ----

rmSync(STAGING, { recursive: true, force: true });
const released = filesUnder(RELEASE)
  .map((f) => relative(RELEASE, f))
  .sort();
writeFile(
  join(RELEASE, 'SHA256SUMS'),
  released.map((f) => `${createHash('sha256').update(readFileSync(join(RELEASE, f))).digest('hex')}  ${f}`).join('\n') + '\n',
);
console.log(`release: ${released.join(', ')} and SHA256SUMS in ${RELEASE}/`);
