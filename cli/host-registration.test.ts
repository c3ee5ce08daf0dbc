import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHROME_EXTENSION_ID, GECKO_EXTENSION_ID, NATIVE_HOST_NAME } from '../shared/native-host-name.js';
import { installHostCommand } from './commands/install-host.js';
import { uninstallHostCommand } from './commands/uninstall-host.js';
import { installHost, launcherScript, manifestDirectory, registryKey, uninstallHost } from './host-registration.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eid-install-host-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A stand-in host that prints its environment and arguments, to prove what the launcher starts. */
function fakeHost(dir: string): string {
  const path = join(dir, 'host.mjs');
  writeFileSync(path, 'process.stdout.write(JSON.stringify({ module: process.env.EID_BRIDGE_PKCS11_MODULE, quote: process.env.QUOTED, args: process.argv.slice(2) }));\n');
  return path;
}

describe('install-host', () => {
  it('writes a Chromium manifest into the profile with our extension origin and a launcher that runs node', () => {
    const dir = tempDir();
    const hostScript = fakeHost(dir);
    const profile = join(dir, 'profile');
    const result = installHost({
      browser: 'chromium',
      userDataDir: profile,
      hostScript,
      env: { EID_BRIDGE_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so', QUOTED: "it's $HOME" },
      platform: 'linux',
    });
    expect(result.manifestPath).toBe(join(profile, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`));
    const manifest = JSON.parse(readFileSync(result.manifestPath, 'utf8'));
    expect(manifest).toEqual({
      name: NATIVE_HOST_NAME,
      description: expect.any(String),
      path: result.launcherPath,
      type: 'stdio',
      allowed_origins: [`chrome-extension://${CHROME_EXTENSION_ID}/`],
    });
    const launcher = result.launcherPath!;
    accessSync(launcher, constants.X_OK);
    // Started with an empty environment, as a browser might, it still finds node and gets the env.
    const out = execFileSync(launcher, [`chrome-extension://${CHROME_EXTENSION_ID}/`], { env: {} }).toString();
    expect(JSON.parse(out)).toEqual({ module: '/usr/lib/softhsm/libsofthsm2.so', quote: "it's $HOME", args: [`chrome-extension://${CHROME_EXTENSION_ID}/`] });
  });

  it('writes a Firefox manifest into ~/.mozilla/native-messaging-hosts with the gecko id', () => {
    const home = tempDir();
    const hostScript = fakeHost(home);
    const result = installHost({ browser: 'firefox', hostScript, home, platform: 'linux' });
    expect(result.manifestPath).toBe(join(home, '.mozilla/native-messaging-hosts', `${NATIVE_HOST_NAME}.json`));
    expect(JSON.parse(readFileSync(result.manifestPath, 'utf8'))).toMatchObject({ allowed_extensions: [GECKO_EXTENSION_ID], path: result.launcherPath });
    expect(uninstallHost({ browser: 'firefox', home, platform: 'linux' })).toHaveLength(2);
    expect(existsSync(result.manifestPath)).toBe(false);
  });

  it('registers a host executable itself, with a launcher only to give it environment variables', () => {
    const dir = tempDir();
    const executable = join(dir, 'eid-bridge-host');
    writeFileSync(executable, '#!/bin/sh\necho "$X $*"\n', { mode: 0o755 });
    const profile = join(dir, 'profile');
    const plain = installHost({ browser: 'chromium', userDataDir: profile, executable, platform: 'linux' });
    expect(plain.launcherPath).toBeUndefined();
    expect(JSON.parse(readFileSync(plain.manifestPath, 'utf8'))).toMatchObject({ path: executable });

    const withEnv = installHost({ browser: 'chromium', userDataDir: profile, executable, env: { X: 'set' }, platform: 'linux' });
    expect(JSON.parse(readFileSync(withEnv.manifestPath, 'utf8'))).toMatchObject({ path: withEnv.launcherPath });
    expect(execFileSync(withEnv.launcherPath!, ['origin'], { env: {} }).toString()).toBe('set origin\n');

    // Registered again without environment, the manifest names the executable and the launcher is gone.
    installHost({ browser: 'chromium', userDataDir: profile, executable, platform: 'linux' });
    expect(existsSync(withEnv.launcherPath!)).toBe(false);
    expect(JSON.parse(readFileSync(plain.manifestPath, 'utf8'))).toMatchObject({ path: executable });
  });

  it('knows where each browser looks, per platform', () => {
    expect(manifestDirectory('chrome', 'linux', false, '/home/a')).toBe('/home/a/.config/google-chrome/NativeMessagingHosts');
    expect(manifestDirectory('chromium', 'linux', true, '/home/a')).toBe('/etc/chromium/native-messaging-hosts');
    expect(manifestDirectory('firefox', 'linux', true, '/home/a')).toBe('/usr/lib/mozilla/native-messaging-hosts');
    expect(manifestDirectory('chrome', 'darwin', false, '/Users/a')).toBe('/Users/a/Library/Application Support/Google/Chrome/NativeMessagingHosts');
    expect(manifestDirectory('firefox', 'darwin', false, '/Users/a')).toBe('/Users/a/Library/Application Support/Mozilla/NativeMessagingHosts');
    expect(registryKey('chrome', false)).toBe(`HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`);
    expect(registryKey('firefox', true)).toBe(`HKLM\\Software\\Mozilla\\NativeMessagingHosts\\${NATIVE_HOST_NAME}`);
    expect(launcherScript(['C:\\node\\node.exe', 'C:\\eid\\host.mjs'], { A: 'b' }, 'win32')).toBe('@echo off\r\nset "A=b"\r\n"C:\\node\\node.exe" "C:\\eid\\host.mjs" %*\r\n');
  });

  it('runs as a CLI command, and uninstall-host removes what it wrote', async () => {
    const dir = tempDir();
    const hostScript = fakeHost(dir);
    const profile = join(dir, 'profile');
    expect(await installHostCommand.run(['--browser', 'chrome', '--user-data-dir', profile, '--host', hostScript, '--env', 'X=1'])).toBe(0);
    const manifest = join(profile, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`);
    expect(existsSync(manifest)).toBe(true);
    expect(await uninstallHostCommand.run(['--browser', 'chrome', '--user-data-dir', profile])).toBe(0);
    expect(existsSync(manifest)).toBe(false);
    // A mistake on the command line is a usage error (exit 2) that names the problem.
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await installHostCommand.run(['--browser', 'netscape'])).toBe(2);
    expect(await uninstallHostCommand.run(['--browser', 'chrome', '--env', 'NOEQUALS'])).toBe(2);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/Unknown browser "netscape"/), expect.stringMatching(/--env needs KEY=VALUE/)]);
    errors.mockRestore();
    await expect(installHostCommand.run(['--browser', 'chrome', '--user-data-dir', profile, '--host', join(dir, 'missing.mjs')])).rejects.toThrow(/build:node/);
  });
});
