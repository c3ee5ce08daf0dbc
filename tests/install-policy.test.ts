/**
 * Installing the npm dependencies runs no one's install script but our three
 * native modules', and those are compiled here, not downloaded
 * (scripts/setup.sh installs with scripts off, then rebuilds exactly these).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const NATIVE_MODULES = ['better-sqlite3', 'pcsclite', 'pkcs11js'];

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

describe('install scripts', () => {
  it('names every dependency that has an install script, and allows only the native modules', () => {
    const withScripts = new Set(
      Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript)
        .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    );
    expect([...withScripts].sort()).toEqual(Object.keys(pkg.allowScripts).sort());
    expect(Object.entries(pkg.allowScripts).filter(([, allowed]) => allowed).map(([name]) => name).sort()).toEqual(NATIVE_MODULES);
  });

  it('has the native modules compiled from source on this machine', () => {
    // node-gyp leaves its configuration next to what it compiled; a downloaded prebuilt binary has none.
    for (const name of NATIVE_MODULES) expect(existsSync(`node_modules/${name}/build/config.gypi`), name).toBe(true);
    const setup = readFileSync('scripts/setup.sh', 'utf8');
    expect(setup).toMatch(/npm ci --ignore-scripts/);
  });
});
