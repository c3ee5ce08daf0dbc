/**
 * The architecture's boundaries are lint rules (eslint.config.js). Each case
 * lints one import as if it stood in a file of that folder, so removing or
 * loosening a rule fails here, and the allowed imports stay allowed.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImportErrors(filePath: string, specifier: string): Promise<number> {
  const [result] = await eslint.lintText(`import * as m from '${specifier}';\nexport const used = m;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length;
}

describe('lint keeps the boundaries between the parts', () => {
  it.each([
    ['backend/routes/x.ts', '../../native-host/src/backends/registry.js', 'the backend reaching into the host'],
    ['backend/x.ts', '../devtools/test-pki/test-pki.js', 'the backend shipping the test PKI'],
    ['extension/background/x.ts', 'node:crypto', 'the extension using a Node built-in'],
    ['backend/pages/browser/x.ts', 'node:fs', 'a backend page script (browser code) using a Node built-in'],
    ['extension/background/x.ts', '../../shared-node/trusted-roots.js', 'the extension using Node-only shared code'],
    ['shared/x.ts', 'node:fs', 'runtime-neutral shared code using a Node built-in'],
    ['shared/x.ts', '../native-host/src/logger.js', 'shared code reaching outside shared/'],
    ['shared/token-validator/x.ts', '../../backend/config.js', 'nested shared code reaching outside shared/'],
    ['shared-node/x.ts', '../native-host/src/config.js', 'Node-only shared code depending on the host'],
    ['native-host/src/x.ts', '../../devtools/virtual-card/virtual-card.js', 'the host shipping the virtual card'],
    ['cli/commands/x.ts', '../../native-host/src/backends/registry.js', 'the CLI bypassing the host entry'],
    ['devtools/demo/x.ts', '../../native-host/src/logger.js', 'a tool bypassing the host entry'],
    ['extension/popup/x.ts', 'wxt/browser', 'extension code calling the browser around the facade'],
  ])('refuses %s importing %s (%s)', async (file, specifier) => {
    expect(await restrictedImportErrors(file, specifier)).toBe(1);
  });

  it.each([
    ['cli/commands/x.ts', '../../native-host/src/index.js'],
    ['backend/x.ts', '../shared-node/trusted-roots.js'],
    ['extension/background/x.ts', '../../shared/protocol.js'],
    ['shared/token-validator/x.ts', '../bytes.js'],
    ['tests/x.test.ts', '../native-host/src/backends/registry.js'],
    ['extension/lib/browser-api.ts', 'wxt/browser'],
  ])('allows %s importing %s', async (file, specifier) => {
    expect(await restrictedImportErrors(file, specifier)).toBe(0);
  });
});
