/**
 * Starting the real browsers with the built extension and, when asked, the
 * real native host registered by install-host into the test's own profile.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { installHost } from '../../../cli/host-registration.js';
import { projectRoot } from '../../helpers/host-process.js';

export const ROOT = projectRoot();
export const CHROME_EXTENSION_DIR = join(ROOT, '.output/chrome-mv3');
export const FIREFOX_EXTENSION_DIR = join(ROOT, '.output/firefox-mv3');
/** The host the browsers start (EID_BRIDGE_E2E_HOST overrides it, e.g. to try a host build elsewhere). */
export const HOST_SCRIPT = process.env.EID_BRIDGE_E2E_HOST ?? join(ROOT, 'dist/eid-bridge-host.mjs');
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts');

/** Builds what the e2e tests need if `npm run build` has not run yet. */
export function ensureBuilt(browser: 'chrome' | 'firefox'): void {
  if (!existsSync(HOST_SCRIPT)) {
    const r = spawnSync('npm', ['run', 'build:node'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build:node failed');
  }
  const dir = browser === 'chrome' ? CHROME_EXTENSION_DIR : FIREFOX_EXTENSION_DIR;
  if (!existsSync(join(dir, 'manifest.json'))) {
    const r = spawnSync('npx', ['wxt', 'build', '-b', browser], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`wxt build -b ${browser} failed`);
  }
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

/** Environment the host needs to find the virtual card (given to the launcher: browsers start hosts with little env). */
export function hostEnv(logFile: string): Record<string, string> {
  return {
    EID_BRIDGE_BACKENDS: 'pcsc',
    EID_BRIDGE_LOG_FILE: logFile,
    EID_BRIDGE_LOG_LEVEL: 'debug',
    EID_BRIDGE_HOST_IDLE_MS: '120000',
  };
}

export interface TempDir {
  path: string;
  remove(): void;
}

export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export { installHost };
