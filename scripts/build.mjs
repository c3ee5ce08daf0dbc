#!/usr/bin/env node
// Builds everything: the Node bins (host, CLI, benchmark) with esbuild, then
// the extension for Chrome and Firefox with WXT. `--node-only` skips the extension.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, chmodSync, readFileSync } from 'node:fs';

const nodeOnly = process.argv.includes('--node-only');
const NODE_BUNDLE = JSON.parse(readFileSync(new URL('./node-bundle.json', import.meta.url), 'utf8'));

/** Code that must never ship inside a product bundle: the virtual card, the test PKI, the demo and the bench. */
const DEV_ONLY = /^devtools\//;
/** The bins citizens get (the host the browser starts); the CLI and the bench may use development tools. */
const SHIPPED = new Set(['eid-bridge-host']);

const entries = {
  'eid-bridge-host': 'native-host/src/main.ts',
  'eid-bridge': 'cli/main.ts',
  bench: 'devtools/bench/main.ts',
};

for (const [name, entry] of Object.entries(entries)) {
  if (!existsSync(entry)) continue;
  const outfile = `dist/${name}.mjs`;
  const result = await build({
    // node-bundle.json (shared with tests that bundle a bin of their own): dependencies stay in
    // node_modules (native addons must), our own code is bundled: one file to load keeps the
    // host's cold start short.
    ...NODE_BUNDLE,
    entryPoints: [entry],
    metafile: true,
    outfile,
    sourcemap: 'linked',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
  const devInputs = Object.keys(result.metafile.inputs).filter((input) => DEV_ONLY.test(input));
  if (SHIPPED.has(name) && devInputs.length > 0) {
    console.error(`build: ${outfile} would ship development tools: ${devInputs.join(', ')}`);
    process.exit(1);
  }
}

// The backend pages' browser scripts, served by the built backend from dist/backend-pages/
// (from source the backend bundles them itself: backend/pages/browser-scripts.ts).
const PAGE_SCRIPTS = 'backend/pages/browser';
if (existsSync(`${PAGE_SCRIPTS}/bundle.json`)) {
  const { scripts, esbuild } = JSON.parse(readFileSync(`${PAGE_SCRIPTS}/bundle.json`, 'utf8'));
  await build({
    ...esbuild,
    entryPoints: Object.fromEntries(scripts.map((name) => [name, `${PAGE_SCRIPTS}/${name}.ts`])),
    outdir: 'dist/backend-pages',
    logLevel: 'warning',
  });
}

if (!nodeOnly && existsSync('wxt.config.ts')) {
  for (const browser of ['chrome', 'firefox']) {
    const r = spawnSync('npx', ['wxt', 'build', '-b', browser], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
