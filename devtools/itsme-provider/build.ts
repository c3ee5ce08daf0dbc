/**
 * The stand-in provider is TypeScript: the demo and the tests bundle its command once and run
 * it with plain node. Its packages stay in node_modules, so the bundle must live inside the
 * project (`outDir`, by default node_modules/.cache) for them to resolve.
 */
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
// The esbuild options of the project's own bins (scripts/build.mjs).
import nodeBundle from '../../scripts/node-bundle.json' with { type: 'json' };

export async function buildItsmeProviderCli(root: string, outDir = join(root, 'node_modules', '.cache', 'eid-bridge-itsme-provider')): Promise<string> {
  const outfile = join(outDir, 'itsme-provider.mjs');
  await build({ ...(nodeBundle as BuildOptions), entryPoints: [join(root, 'devtools', 'itsme-provider', 'cli.ts')], outfile, logLevel: 'error' });
  return outfile;
}
