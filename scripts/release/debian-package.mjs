// The Debian package: the host executable and its addons under /usr/lib/eid-bridge,
// the native-messaging host manifests where each browser reads them, the
// files that offer the extension to the browsers, and the package metadata.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ADDONS, HOST_NAME } from './host-executable.mjs';
import { filesUnder, run, writeFile } from './files.mjs';
import { manualPage } from './manual-page.mjs';

/** The esbuild options of the project's own bins (scripts/build.mjs). */
const NODE_BUNDLE = JSON.parse(readFileSync(new URL('../node-bundle.json', import.meta.url), 'utf8'));

const INSTALL_DIR = '/usr/lib/eid-bridge';
const MAINTAINER = 'eID Bridge maintainers <maintainers@eidbridge.be>';
const SUMMARY = 'Belgian eID card for the browser (native messaging host)';
/** The package's long description, paragraph by paragraph: the control file's and the manual page's. */
const DESCRIPTION = [
  'Log in and sign with a Belgian eID card in Chrome, Chromium, Edge, Brave and Firefox.',
  'This package holds the native host that the eID Bridge browser extension starts to reach the card through the PC/SC service, ' +
    "registered for Chrome, Chromium, Edge, Brave and Firefox, and the extension itself for Chromium and Firefox ESR as Debian's packages of them load it.",
];

/** Folds a paragraph into the control file's continuation lines (one leading space, at most 80 columns). */
function controlParagraph(text) {
  const lines = [];
  for (const word of text.split(' ')) {
    if (lines.length && `${lines.at(-1)} ${word}`.length <= 79) lines[lines.length - 1] += ` ${word}`;
    else lines.push(` ${word}`);
  }
  return lines;
}

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

/**
 * Writes <release>/eid-bridge_<version>_amd64.deb and returns its path.
 * systemFiles: [{ path, content, mode? }] more files to install (those under /etc/ become conffiles).
 */
export async function buildDebianPackage({ release, staging, version, license, host, hostDir, systemFiles = [] }) {
  // The manifest locations and contents are the ones `eid-bridge install-host --system` writes.
  const registrationModule = join(staging, 'host-registration.mjs');
  await build({ ...NODE_BUNDLE, entryPoints: ['cli/host-registration.ts'], outfile: registrationModule, logLevel: 'warning' });
  const { BROWSERS, hostManifest, manifestDirectory } = await import(join(process.cwd(), registrationModule));

  const root = join(staging, 'deb');
  const installedHost = `${INSTALL_DIR}/${HOST_NAME}`;
  mkdirSync(join(root, INSTALL_DIR), { recursive: true });
  copyFileSync(host, join(root, installedHost));
  chmodSync(join(root, installedHost), 0o755);
  for (const name of Object.keys(ADDONS)) writeFile(join(root, INSTALL_DIR, name), readFileSync(join(hostDir, name)));
  // The executable is the eid-bridge command when started under that name.
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  symlinkSync(relative('/usr/bin', installedHost), join(root, 'usr/bin/eid-bridge'));

  const conffiles = new Set();
  const manifests = new Map(); // path → the browsers that read it
  for (const browser of BROWSERS) {
    const dir = manifestDirectory(browser, 'linux', true, '/nonexistent');
    const manifestPath = join(dir, 'be.eidbridge.host.json');
    const manifest = `${JSON.stringify(hostManifest(browser, installedHost), null, 2)}\n`;
    const existing = manifests.has(manifestPath) ? readFileSync(join(root, manifestPath), 'utf8') : undefined;
    // Brave reads Chrome's directory: the same file serves both, so it must be the same manifest.
    if (existing !== undefined && existing !== manifest) throw new Error(`${manifestPath}: browsers sharing it need different manifests`);
    writeFile(join(root, manifestPath), manifest);
    manifests.set(manifestPath, [...(manifests.get(manifestPath) ?? []), browser]);
    if (manifestPath.startsWith('/etc/')) conffiles.add(manifestPath);
  }

  // Files that offer the packaged extension to the browsers (see extension-packages.mjs).
  for (const file of systemFiles) {
    writeFile(join(root, file.path), file.content, file.mode ?? 0o644);
    if (file.path.startsWith('/etc/')) conffiles.add(file.path);
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

  writeFile(
    join(root, 'usr/share/man/man1/eid-bridge.1.gz'),
    gzipSync(
      manualPage({
        executable: host,
        version,
        date: new Date(changedAt).toISOString().slice(0, 10),
        description: DESCRIPTION,
        files: [
          [installedHost, 'the native host the browsers start; /usr/bin/eid-bridge links to it'],
          ...[...manifests].map(([path, browsers]) => [path, `the host's registration for ${browsers.map((b) => b[0].toUpperCase() + b.slice(1)).join(' and ')}`]),
        ],
      }),
      { level: 9 },
    ),
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

  // md5sums and the size count regular files; a symlink is its own entry, not its target's bytes.
  const payload = filesUnder(root).filter((f) => lstatSync(f).isFile());
  const installedSizeKiB = Math.ceil(payload.reduce((sum, f) => sum + lstatSync(f).size, 0) / 1024);
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
      `Description: ${SUMMARY}`,
      ...DESCRIPTION.flatMap((paragraph, i) => [...(i ? [' .'] : []), ...controlParagraph(paragraph)]),
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
  const deb = join(release, `eid-bridge_${version}_amd64.deb`);
  run('dpkg-deb', ['--build', '--root-owner-group', root, deb]);
  return deb;
}
