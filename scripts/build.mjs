#!/usr/bin/env node
// Builds everything: the Node bins (host, CLI, benchmark) with esbuild, then
// the extension for Chrome and Firefox with WXT. `--node-only` skips the extension.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, chmodSync } from 'node:fs';

const nodeOnly = process.argv.includes('--node-only');

const entries = {
  'eid-bridge-host': 'native-host/src/main.ts',
  'eid-bridge': 'scripts/cli.ts',
  bench: 'scripts/bench.ts',
};

for (const [name, entry] of Object.entries(entries)) {
  if (!existsSync(entry)) continue;
  const outfile = `dist/${name}.mjs`;
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay in node_modules (native addons must), our own code is bundled:
    // one file to load keeps the host's cold start short.
    packages: 'external',
    sourcemap: 'linked',
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  chmodSync(outfile, 0o755);
}

if (!nodeOnly && existsSync('wxt.config.ts')) {
  for (const browser of ['chrome', 'firefox']) {
    const r = spawnSync('npx', ['wxt', 'build', '-b', browser], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
