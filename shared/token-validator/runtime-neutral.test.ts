import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

describe('the token validator runs outside Node', () => {
  it('bundles for the browser with no Node built-in (WebCrypto only)', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || /(^|\/)node_modules\/(better-sqlite3|fastify)\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes('validator.ts'))).toBe(true);
  });
});
