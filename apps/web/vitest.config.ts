import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './build/workspace-aliases.js';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: { alias: workspaceAliases(join(here, '..', '..', 'packages')) },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000, // ≈ 30 s alone, 98 s seen on a loaded 2-core machine
    hookTimeout: 300_000,
  },
});
