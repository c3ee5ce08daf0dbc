/**
 * `npm run release`: the files it writes, the Debian package's metadata and
 * lintian's verdict, and the packaged host working with no Node on PATH and
 * no repository around it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualCard } from '../devtools/virtual-card/virtual-card.js';
import { VERSION } from '../shared/version.js';
import { ensureBuilt, ROOT } from './e2e/helpers/browsers.js';
import { HostProcess } from './helpers/host-process.js';
import { buildHangingPkcs11Module, hangingPkcs11Env } from './helpers/hanging-pkcs11.js';
import { createSoftHsmToken, softHsmAvailable } from './helpers/softhsm.js';
import { createTestPki } from '../devtools/test-pki/test-pki.js';

const RELEASE = join(ROOT, 'release');
const DEB = join(RELEASE, `eid-bridge_${VERSION}_amd64.deb`);
const INSTALLED_HOST = '/usr/lib/eid-bridge/eid-bridge-host';
const MANIFEST_PATHS = [
  '/etc/opt/chrome/native-messaging-hosts/be.eidbridge.host.json',
  '/etc/chromium/native-messaging-hosts/be.eidbridge.host.json',
  '/etc/opt/edge/native-messaging-hosts/be.eidbridge.host.json',
  '/usr/lib/mozilla/native-messaging-hosts/be.eidbridge.host.json',
];

/** This PATH without the folders that hold a node: the packaged programs must not need one. */
const PATH_WITHOUT_NODE = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir && !existsSync(join(dir, 'node')))
  .join(delimiter);

function sh(command: string, args: string[], cwd = ROOT): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** lintian's exit status (non-zero on an error tag or a failure of its own) and report. */
let lintian: Promise<{ status: number; report: string }> | undefined;
let unpacked: string;

beforeAll(() => {
  ensureBuilt('chrome');
  ensureBuilt('firefox');
  sh(process.execPath, ['scripts/release.mjs']);
  // lintian takes a while: it runs while the other checks do. scripts/setup.sh installs it.
  lintian = new Promise((resolve, reject) =>
    execFile('lintian', ['--tag-display-limit', '0', DEB], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = (error as (NodeJS.ErrnoException & { code?: string | number }) | null)?.code;
      if (code === 'ENOENT') reject(new Error('lintian is not installed: run bash scripts/setup.sh'));
      else resolve({ status: typeof code === 'number' ? code : 0, report: `${stdout}${stderr}` });
    }),
  );
  unpacked = mkdtempSync(join(tmpdir(), 'eid-bridge-deb-'));
  sh('dpkg-deb', ['-x', DEB, unpacked]);
}, 150_000);

afterAll(async () => {
  await lintian?.catch(() => undefined);
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

describe('npm run release', () => {
  it('writes the host, the Debian package, both extension packages and checksums that verify', () => {
    for (const file of [
      `eid-bridge-host_${VERSION}_linux-x64/eid-bridge-host`,
      `eid-bridge-host_${VERSION}_linux-x64/pcsclite.node`,
      `eid-bridge-host_${VERSION}_linux-x64/pkcs11.node`,
      `eid-bridge_${VERSION}_amd64.deb`,
      `eid-bridge-${VERSION}-chrome.zip`,
      `eid-bridge-${VERSION}.xpi`,
    ]) {
      expect(existsSync(join(RELEASE, file)), file).toBe(true);
      expect(readFileSync(join(RELEASE, 'SHA256SUMS'), 'utf8')).toContain(`  ${file}\n`);
    }
    expect(sh('sha256sum', ['--check', '--strict', 'SHA256SUMS'], RELEASE)).not.toMatch(/FAILED/);
  });

  it('packages the host, its addons and a manifest for every browser, depending on the PC/SC service', () => {
    const info = sh('dpkg-deb', ['--info', DEB]);
    expect(info).toMatch(/^ Package: eid-bridge$/m);
    expect(info).toMatch(new RegExp(`^ Version: ${VERSION.replace(/\./g, '\\.')}$`, 'm'));
    expect(info).toMatch(/^ Architecture: amd64$/m);
    const depends = /^ Depends: (.*)$/m.exec(info)?.[1]?.split(/,\s*/) ?? [];
    expect(depends).toEqual(expect.arrayContaining(['pcscd', 'libpcsclite1']));

    const contents = sh('dpkg-deb', ['--contents', DEB]);
    const paths = contents.split('\n').map((line) => line.split(/\s+/).slice(5).join(' ').replace(/^\./, ''));
    for (const path of [INSTALLED_HOST, '/usr/lib/eid-bridge/pcsclite.node', '/usr/lib/eid-bridge/pkcs11.node', '/usr/share/doc/eid-bridge/copyright', '/usr/share/doc/eid-bridge/changelog.gz', ...MANIFEST_PATHS]) {
      expect(paths, path).toContain(path);
    }
    expect(contents).toMatch(new RegExp(`^-rwxr-xr-x root/root .* \\.${INSTALLED_HOST}$`, 'm'));
    for (const manifestPath of MANIFEST_PATHS) {
      expect(JSON.parse(readFileSync(join(unpacked, manifestPath), 'utf8'))).toMatchObject({ name: 'be.eidbridge.host', path: INSTALLED_HOST, type: 'stdio' });
    }
  });

  it('runs the packaged host with no node on PATH, outside the repository: version first, then status', async () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: PATH_WITHOUT_NODE } }).status).not.toBe(0);
    const host = new HostProcess({}, { executable: join(unpacked, INSTALLED_HOST), cwd: unpacked, env: { PATH: PATH_WITHOUT_NODE } });
    try {
      expect(await host.next()).toEqual({ version: VERSION });
      const reply = await host.request('status', {}, 1);
      expect(reply.result).toMatchObject({ version: VERSION, backends: expect.any(Array), readers: expect.any(Array) });
    } finally {
      await host.close();
    }
  });

  it.skipIf(!softHsmAvailable())('keeps a PKCS#11 module in a process of its own: it signs through it, and a module that hangs costs one request PKCS11_MODULE_HUNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eid-bridge-packaged-pkcs11-'));
    const token = await createSoftHsmToken({ label: 'eid-packaged', pki: await createTestPki({ keyType: 'rsa' }), userPin: '1234' });
    const controlFile = join(dir, 'hang-in');
    const host = new HostProcess({}, {
      executable: join(unpacked, INSTALLED_HOST),
      cwd: unpacked,
      env: {
        ...token.env,
        PATH: PATH_WITHOUT_NODE,
        EID_BRIDGE_BACKENDS: 'pkcs11',
        EID_BRIDGE_PKCS11_MODULE: buildHangingPkcs11Module(dir),
        EID_BRIDGE_PKCS11_TIMEOUT_MS: '1500',
        EID_BRIDGE_CONFIG: join(dir, 'no-host.json'),
        ...hangingPkcs11Env(token.modulePath, controlFile),
      },
    });
    try {
      await host.next();
      const request = () => host.request('authenticate', { challengeNonce: randomBytes(32).toString('base64'), origin: 'https://www.belgium.be', pin: '1234' }, undefined, 30_000);
      expect((await request()).result).toMatchObject({ format: 'web-eid:1.0', algorithm: 'RS256' });
      // The module's process is a copy of the executable (no node on PATH), not the host itself.
      const children = readFileSync(`/proc/${host.child.pid}/task/${host.child.pid}/children`, 'utf8').trim().split(/\s+/);
      expect(children.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0])).toEqual([join(unpacked, INSTALLED_HOST)]);

      writeFileSync(controlFile, 'C_Sign');
      expect((await request()).error).toMatchObject({ code: 'PKCS11_MODULE_HUNG' });
      rmSync(controlFile);
      expect((await request()).result).toMatchObject({ format: 'web-eid:1.0' });
    } finally {
      await host.close();
      await token.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('is the eid-bridge command when started under that name, with no node on PATH: version, status, verify, and developer commands refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eid-bridge-command-'));
    try {
      // As the package links /usr/bin/eid-bridge to the installed host.
      const command = join(dir, 'eid-bridge');
      symlinkSync(join(unpacked, INSTALLED_HOST), command);
      const run = (...args: string[]) => spawnSync(command, args, { cwd: dir, env: { PATH: PATH_WITHOUT_NODE }, encoding: 'utf8' });

      expect(run('--version')).toMatchObject({ status: 0, stdout: `${VERSION}\n` });

      const status = run('status');
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^eID Bridge host ${VERSION.replace(/\./g, '\\.')}$`, 'm'));
      expect(status.stdout).toMatch(/^Card backends:\n {2}pcsc {4}(available|not available)/m);
      expect(status.stdout).toMatch(/^Readers:$/m);

      // A card's files as read-identity --save writes them, and the test root that issued the card.
      const card = await createVirtualCard({ profile: '1.8', person: { givenNames: 'Marie', surname: 'Peeters', nationalNumber: '85073000160' } });
      const files = join(dir, 'card');
      mkdirSync(files);
      for (const id of ['4031', '4032', '4033', '4034', '4035', '503C']) writeFileSync(join(files, `${id}.bin`), card.getFile(id));
      writeFileSync(join(dir, 'root.pem'), card.pki.root.pem);
      const verified = run('verify', files, '--trust', join(dir, 'root.pem'));
      expect(verified.status, verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(/Surname\s+Peeters/);
      expect(verified.stdout).toMatch(/Verification: VERIFIED/);

      for (const developerCommand of ['virtual-card', 'backend', 'demo']) {
        const refused = run(developerCommand);
        expect(refused.status, developerCommand).not.toBe(0);
        expect(refused.stderr).toMatch(new RegExp(`^eid-bridge ${developerCommand}: .*comes? with the developer set-up`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('has a manual page, eid-bridge(1), that man renders without warnings, with every command the installed eid-bridge lists and its options', () => {
    const page = join(unpacked, '/usr/share/man/man1/eid-bridge.1.gz');
    expect(existsSync(page)).toBe(true);
    // As lintian checks a page: groff's warnings on, output discarded.
    const checked = spawnSync('man', ['--warnings', '-E', 'UTF-8', '-l', '-Tutf8', '-Z', page], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', MANWIDTH: '80' } });
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stderr).toBe('');
    const text = sh('man', ['-l', '-P', 'cat', page]);
    const listed = spawnSync(join(unpacked, INSTALLED_HOST), ['--help'], { argv0: 'eid-bridge', encoding: 'utf8' }).stdout;
    const commands = [...listed.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]);
    expect(commands).toEqual(expect.arrayContaining(['status', 'read-identity', 'verify', 'sign-pdf', 'verify-pdf', 'install-host', 'uninstall-host']));
    for (const command of commands) expect(text).toMatch(new RegExp(`^ {3}${command}$`, 'm'));
    // Options as each command's --help gives them, with plain hyphens one can copy.
    expect(text).toContain('--browser NAME');
    expect(text).toContain('--trust CERT');
    expect(text).toContain(INSTALLED_HOST);
  });

  it('passes lintian with no errors, and with a manual page for the command', async () => {
    const { status, report } = await lintian!;
    expect(report.split('\n').filter((line) => line.startsWith('E: '))).toEqual([]);
    expect(status, report).toBe(0);
    expect(report).not.toMatch(/no-manual-page|groff-message|manual-page/);
  }, 120_000);
});
