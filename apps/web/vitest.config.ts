import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './build/workspace-aliases.js';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: { alias: workspaceAliases(join(here, '..', '..', 'packages')) },
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false, // each file builds the page and drives its own Chromium: one at a time on a small machine
    testTimeout: 300_000, // ≈ 30 s alone, 98 s seen on a loaded 2-core machine
    hookTimeout: 300_000,
  },
});
