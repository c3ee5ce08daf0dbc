/**
 * The browser scripts of the backend's pages (pages/browser/*.ts), as
 * JavaScript served from the backend's own origin (/assets/<name>.js; the CSP
 * allows scripts from 'self' only, nothing inline).
 *
 * Two ways to get them, one code:
 *  - the built backend (dist/eid-bridge.mjs, dist/bench.mjs) reads the bundles
 *    `npm run build` wrote next to it (dist/backend-pages/<name>.js);
 *  - the backend running from source (tests, `npx tsx`) bundles the .ts files
 *    with esbuild once per process when it starts, so a test always serves
 *    the scripts as they are in the tree.
 * scripts/build.mjs bundles with the same options (browser/bundle.json).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
// The list of scripts and the esbuild options, shared with scripts/build.mjs.
import bundle from './browser/bundle.json' with { type: 'json' };

export const PAGE_SCRIPTS = bundle.scripts;
export type PageScript = string;

async function bundleFromSource(sourceDir: string): Promise<Map<PageScript, string>> {
  const { build } = await import('esbuild');
  const scripts = new Map<PageScript, string>();
  for (const name of PAGE_SCRIPTS) {
    const result = await build({ ...(bundle.esbuild as BuildOptions), entryPoints: [`${sourceDir}/${name}.ts`], write: false, logLevel: 'warning' });
    scripts.set(name, result.outputFiles[0]!.text);
  }
  return scripts;
}

async function readBuilt(builtDir: string): Promise<Map<PageScript, string>> {
  const scripts = new Map<PageScript, string>();
  for (const name of PAGE_SCRIPTS) scripts.set(name, await readFile(`${builtDir}/${name}.js`, 'utf8'));
  return scripts;
}

let loading: Promise<Map<PageScript, string>> | undefined;

/** The page scripts, loaded once per process. */
export function loadPageScripts(): Promise<Map<PageScript, string>> {
  loading ??= (() => {
    // From source this module is backend/pages/browser-scripts.ts; bundled, it is part of dist/<bin>.mjs.
    const sourceDir = fileURLToPath(new URL('./browser', import.meta.url));
    if (existsSync(`${sourceDir}/login.ts`)) return bundleFromSource(sourceDir);
    const builtDir = fileURLToPath(new URL('./backend-pages', import.meta.url));
    if (existsSync(`${builtDir}/login.js`)) return readBuilt(builtDir);
    return Promise.reject(new Error(`The backend's page scripts are missing: run npm run build (looked in ${builtDir})`));
  })();
  return loading;
}
