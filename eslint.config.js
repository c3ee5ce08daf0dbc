import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * The architecture's boundaries, each a lint error (docs/architecture.md):
 * - shared/      runs in any JavaScript runtime: imports nothing outside itself, no node:*.
 * - shared-node/ Node-only code several parts use: never the host, backend, extension or tools.
 * - native-host/ the host: never the backend, the extension, the CLI or the development tools.
 * - backend/     never the host's internals, the extension or the CLI.
 * - extension/   browser code: no node:*, no Node-only shared code, no host or backend; browser
 *                APIs only through extension/lib/browser-api.ts.
 * - cli/, devtools/ reach the host only through its public entry native-host/src/index.ts.
 * Tests may reach anything: they check the parts from outside.
 */
const TESTS = ['**/*.test.ts', '**/*.test.tsx', '**/*.test-helper.ts', '**/testing/**', 'tests/**', 'backend/tests/**'];

const NODE_BUILTINS = { group: ['node:*'], message: 'This code runs in browsers too: no Node built-ins here.' };
const outside = (what, message) => ({ group: what, message });
const HOST_INTERNALS = outside(['**/native-host/src/*', '!**/native-host/src/index.js'], 'Use the host only through its public entry native-host/src/index.ts.');
const HOST = outside(['**/native-host/**'], 'The host is a separate program: talk to it over native messaging, not by import.');
const BACKEND = outside(['**/backend/**'], 'The reference backend is a separate service.');
const EXTENSION = outside(['**/extension/**'], 'The extension is browser code of its own.');
const CLI = outside(['**/cli/**'], 'The command-line tool is a separate program.');
const DEVTOOLS = outside(['**/devtools/**'], 'Development tools (virtual card, test PKI, demo, bench) never ship inside a product part.');
const SHARED_NODE = outside(['**/shared-node/**'], 'Node-only shared code: not in browser code.');
const BROWSER_APIS = outside(['wxt/browser', 'webextension-polyfill'], 'Browser APIs go through the one facade, extension/lib/browser-api.ts.');

const restrict = (files, ...patterns) => ({
  files,
  ignores: TESTS,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'packages/*/dist/', '.output/', '.wxt/', 'test-artifacts/', '.tmp/', 'release/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // PINs must never reach a log: logging goes through the host's logger, which has no PIN field.
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['scripts/**', 'tests/**', 'cli/**', 'devtools/**', '**/*.test.ts', '**/*.test.tsx'],
    rules: { 'no-console': 'off' },
  },
  // shared/ at each depth: a path that climbs out of shared/ is outside it.
  restrict(['shared/*.ts'], NODE_BUILTINS, outside(['../*'], 'shared/ runs anywhere: import nothing outside shared/.')),
  restrict(['shared/*/*.ts'], NODE_BUILTINS, outside(['../../*'], 'shared/ runs anywhere: import nothing outside shared/.')),
  restrict(['shared-node/**'], HOST, BACKEND, EXTENSION, CLI, DEVTOOLS),
  restrict(['native-host/**'], BACKEND, EXTENSION, CLI, DEVTOOLS),
  restrict(['backend/**'], HOST, EXTENSION, CLI, DEVTOOLS),
  // The backend pages' own scripts run in the browser.
  restrict(['backend/pages/browser/**'], NODE_BUILTINS, SHARED_NODE, HOST, EXTENSION, CLI, DEVTOOLS),
  restrict(['extension/**'], NODE_BUILTINS, SHARED_NODE, HOST, BACKEND, CLI, DEVTOOLS, BROWSER_APIS),
  // The facade itself is the one file that may call the browser.
  restrict(['extension/lib/browser-api.ts'], NODE_BUILTINS, SHARED_NODE, HOST, BACKEND, CLI, DEVTOOLS),
  restrict(['cli/**', 'devtools/**'], HOST_INTERNALS, EXTENSION),
);
