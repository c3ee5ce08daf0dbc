/**
 * The Debian package as a person gets it: `apt-get install` of the released
 * .deb, then Chromium and Firefox ESR log in to the reference backend with the
 * virtual card using only what the package installed (the extension from
 * where Debian's browsers load it, the host found through the system host
 * manifests, no node on the PATH the browsers pass to it, started away from the
 * repository), then `apt-get purge` leaves no file of it behind. The package
 * changes which host and extension every browser on this machine sees, so it
 * is purged whatever happens, before the next test file runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../devtools/chromium.js';
import { startBackend } from '../devtools/demo/backend.js';
import { loginInBrowser, writeFirefoxPolicy } from '../devtools/demo/browser.js';
import { startVirtualCard, type DemoCard } from '../devtools/demo/card.js';
import { ProcessGroup } from '../devtools/demo/processes.js';
import { FIREFOX_EXTENSION_UUID, FIREFOX_PATH } from '../devtools/firefox.js';
import { CHROME_EXTENSION_ID, GECKO_EXTENSION_ID } from '../shared/native-host-name.js';
import { VERSION } from '../shared/version.js';
import { artifactPath, ensureBuilt, hostEnv, ROOT, tempDir, type TempDir } from './e2e/helpers/browsers.js';
import { pathWithoutNode } from './helpers/path-without-node.js';

const PACKAGE = 'eid-bridge';
const DEB = join(ROOT, 'release', `${PACKAGE}_${VERSION}_amd64.deb`);
const PORT = 18444;
/** Where the package puts the extension for Debian's chromium and Firefox ESR (scripts/release/extension-packages.mjs). */
const CHROMIUM_EXTENSION_DIR = '/usr/share/chromium/extensions/eid-bridge';
const FIREFOX_SYSTEM_XPI = `/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/${GECKO_EXTENSION_ID}.xpi`;

function sh(command: string, args: string[]): string {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function installed(): boolean {
  return spawnSync('dpkg-query', ['-W', '-f', '${Status}', PACKAGE], { encoding: 'utf8' }).stdout.includes('install ok installed');
}

/** Whether a path is there, a dangling link included. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * tests/release.test.ts builds release/ too: its package is reused when it was
 * made after the build it packages (npm test builds first, then runs the tests).
 */
function releaseIsCurrent(): boolean {
  if (!existsSync(DEB)) return false;
  const built = ['.output/chrome-mv3/manifest.json', '.output/firefox-mv3/manifest.json', 'dist/eid-bridge-host.mjs'].map((f) => join(ROOT, f));
  return built.every((f) => existsSync(f) && statSync(f).mtimeMs <= statSync(DEB).mtimeMs);
}

/** Starts a browser from a folder outside the repository, so neither it nor the host it starts has the repository as working folder. */
async function startedAway<T>(away: string, start: () => Promise<T>): Promise<T> {
  const here = process.cwd();
  process.chdir(away);
  try {
    return await start();
  } finally {
    process.chdir(here);
  }
}

describe('the Debian package, installed with apt-get', () => {
  const group = new ProcessGroup();
  let work: TempDir;
  let card: DemoCard;
  let loginUrl: string;
  /** The package's paths (dpkg-deb --contents) and those of them that were there before it was installed. */
  let packagePaths: string[];
  let thereBefore: Set<string>;
  let browserEnv: Record<string, string>;

  beforeAll(async () => {
    ensureBuilt('chrome');
    ensureBuilt('firefox');
    if (!releaseIsCurrent()) sh(process.execPath, ['scripts/release.mjs']);
    // A run that was killed before its purge left the package behind.
    if (installed()) sh('apt-get', ['purge', '-y', PACKAGE]);
    packagePaths = sh('dpkg-deb', ['--contents', DEB])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/).slice(5).join(' ').replace(/ -> .*$/, '').replace(/^\./, '').replace(/\/$/, ''))
      .filter((p) => p !== '');
    thereBefore = new Set(packagePaths.filter(present));
    sh('apt-get', ['install', '-y', '--no-install-recommends', DEB]);

    work = tempDir('eid-install-test-');
    const cli = join(ROOT, 'dist/eid-bridge.mjs');
    card = await startVirtualCard(group, work.path, cli);
    const backendUrl = await startBackend(group, { stateDir: work.path, cli, port: PORT, trustedRoots: card.trustPem });
    loginUrl = `${backendUrl}/login?minLevel=500&lang=en&return=${encodeURIComponent('/demo/welcome?minLevel=500')}`;
    // What the browsers pass on to the host they start: no node anywhere on PATH.
    browserEnv = { PATH: pathWithoutNode(join(work.path, 'bin')), ...hostEnv(join(work.path, 'host.log')) };
  }, 300_000);

  afterAll(async () => {
    await group.stopAll();
    if (work && existsSync(join(work.path, 'host.log'))) copyFileSync(join(work.path, 'host.log'), artifactPath('install-package-host.log'));
    work?.remove();
    // The next test file must see the machine as it was: no system manifests, no system extension.
    if (installed()) sh('apt-get', ['purge', '-y', PACKAGE]);
  }, 120_000);

  it('installs the host, the eid-bridge command, the host manifests and the extension for Chromium and Firefox ESR', () => {
    const listed = new Set(sh('dpkg', ['-L', PACKAGE]).split('\n').filter((p) => p && p !== '/.'));
    expect([...listed].sort()).toEqual([...packagePaths].sort());
    expect(readFileSync('/etc/chromium/native-messaging-hosts/be.eidbridge.host.json', 'utf8')).toContain('/usr/lib/eid-bridge/eid-bridge-host');
    expect(JSON.parse(readFileSync(join(CHROMIUM_EXTENSION_DIR, 'manifest.json'), 'utf8')).version).toBe(VERSION);
    expect(existsSync(FIREFOX_SYSTEM_XPI)).toBe(true);
    const r = spawnSync('eid-bridge', ['--version'], { encoding: 'utf8', cwd: work.path, env: { PATH: browserEnv.PATH } });
    expect(r.stdout.trim(), r.stderr).toContain(VERSION);
  });

  it('logs in with Chromium: the extension Debian loads from the package, the host through the system manifest', async () => {
    const profile = join(work.path, 'chromium-profile');
    const context: BrowserContext = await startedAway(work.path, () =>
      chromium.launchPersistentContext(profile, {
        // Debian's start script, as the desktop starts it: it loads the extensions in /usr/share/chromium/extensions.
        executablePath: CHROMIUM_PATH,
        headless: true,
        // The backend's certificate is self-signed and local; only this test profile skips the check.
        ignoreHTTPSErrors: true,
        // Playwright turns extensions off; a person's Chromium has them on.
        ignoreDefaultArgs: ['--disable-extensions'],
        args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
        env: { ...browserEnv, HOME: join(work.path, 'chromium-home') },
      }),
    );
    try {
      const outcome = await loginInBrowser({ chromium: context }, { loginUrl, pin: card.pin!, certificate: card.authenticationCertificate, screenshotDir: join(work.path, 'chromium-shots') });
      expect(outcome.name).toBe('Alice Marie Peeters');
      expect(outcome.level).toMatch(/500/);
    } finally {
      await context.close();
    }
    // The extension that logged in is the one the package installed.
    const preferences = JSON.parse(readFileSync(join(profile, 'Default', 'Preferences'), 'utf8'));
    expect(preferences.extensions.settings[CHROME_EXTENSION_ID].path).toBe(CHROMIUM_EXTENSION_DIR);
  }, 120_000);

  it('logs in with Firefox ESR: the add-on from the system folder, the host through the system manifest', async () => {
    const home = join(work.path, 'firefox-home');
    const profile = join(work.path, 'firefox-profile');
    // The backend's origin is a government site by an administrator's policy, as in the demo.
    writeFirefoxPolicy(home, new URL(loginUrl).origin);
    const browser: Browser = await startedAway(work.path, () =>
      puppeteer.launch({
        browser: 'firefox',
        executablePath: FIREFOX_PATH,
        headless: true,
        acceptInsecureCerts: true,
        userDataDir: profile,
        env: { ...browserEnv, HOME: home, MOZ_HEADLESS: '1' },
        extraPrefsFirefox: {
          // A known moz-extension:// origin, so the dialog window is found.
          'extensions.webextensions.uuids': JSON.stringify({ [GECKO_EXTENSION_ID]: FIREFOX_EXTENSION_UUID }),
          // puppeteer reads add-ons from the profile and the application only; a person's Firefox reads
          // every scope, the system folder among them, with Debian's setting of which ones start disabled.
          'extensions.enabledScopes': 15,
          'extensions.autoDisableScopes': 3,
        },
      }),
    );
    try {
      const outcome = await loginInBrowser({ firefox: browser }, { loginUrl, pin: card.pin!, certificate: card.authenticationCertificate, screenshotDir: join(work.path, 'firefox-shots') });
      expect(outcome.name).toBe('Alice Marie Peeters');
      expect(outcome.level).toMatch(/500/);
    } finally {
      await browser.close();
    }
    const addons = JSON.parse(readFileSync(join(profile, 'extensions.json'), 'utf8')) as { addons: Array<{ id: string; path: string; active: boolean }> };
    expect(addons.addons.find((a) => a.id === GECKO_EXTENSION_ID)).toMatchObject({ path: FIREFOX_SYSTEM_XPI, active: true });
  }, 120_000);

  it('apt-get purge removes every file and folder the package made, and leaves the folders it shares', () => {
    sh('apt-get', ['purge', '-y', PACKAGE]);
    expect(installed()).toBe(false);
    expect(packagePaths.filter((p) => !thereBefore.has(p) && present(p))).toEqual([]);
    expect([...thereBefore].filter((p) => !present(p))).toEqual([]);
  }, 120_000);
});
