// The native host and the eid-bridge command as one Node single executable
// application: a copy of this node with the bundle injected (postject), so it
// needs no system Node, and the native addons it loads beside it. It acts by
// the name it is started under (executable-main.ts).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { run, writeFile } from './files.mjs';

export const HOST_NAME = 'eid-bridge-host';
/** The native addons the host loads, each copied from its package's build beside the executable. */
export const ADDONS = {
  'pcsclite.node': 'node_modules/pcsclite/build/Release/pcsclite.node',
  'pkcs11.node': 'node_modules/pkcs11js/build/Release/pkcs11.node',
};

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

/**
 * Writes <release>/eid-bridge-host_<version>_linux-x64/ with the executable and
 * its addons; returns that folder and the executable's path.
 */
export async function buildHostExecutable({ release, staging, version }) {
  const bundle = join(staging, `${HOST_NAME}.cjs`);
  const { metafile } = await build({
    entryPoints: ['scripts/release/executable-main.ts'],
    outfile: bundle,
    metafile: true,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    plugins: [addonsBesideExecutable],
    // Code that locates itself (the developer commands' project root) finds the executable: a
    // CommonJS bundle has no import.meta of its own.
    banner: { js: 'var executableUrl = require("node:url").pathToFileURL(process.execPath).href;' },
    define: { 'import.meta.url': 'executableUrl' },
    logLevel: 'warning',
  });
  // The developer commands are answered with a message only; their tools must not come along.
  const devInputs = Object.keys(metafile.inputs).filter((input) => input.startsWith('devtools/'));
  if (devInputs.length > 0) throw new Error(`the packaged executable would ship development tools: ${devInputs.join(', ')}`);

  const blob = join(staging, 'sea-prep.blob');
  const seaConfig = join(staging, 'sea-config.json');
  // The code cache saves compiling the bundle at each start; the warning would reach the browser's log at every start.
  writeFile(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  run(process.execPath, ['--experimental-sea-config', seaConfig]);

  // The host on its own (for other packagings): the executable and its addons in one folder.
  const hostDir = join(release, `${HOST_NAME}_${version}_linux-x64`);
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
  return { hostDir, host };
}
