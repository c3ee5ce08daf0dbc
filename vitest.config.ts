import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'shared-node/**/*.test.ts', 'devtools/**/*.test.ts', 'cli/**/*.test.ts', 'native-host/**/*.test.ts', 'backend/**/*.test.ts', 'scripts/**/*.test.ts', 'extension/**/*.test.{ts,tsx}', 'tests/**/*.test.ts'],
    // Tests that use pcscd, SoftHSM2 tokens or browsers share machine-wide state: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
