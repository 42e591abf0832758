import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Tests import sibling packages from their TypeScript sources, so a package's
 * tests run without building its dependencies first (the build still checks
 * types; see turbo.json).
 */
function workspaceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(join(root, 'packages'))) {
    aliases[`@convnet-ts/${dir}`] = join(root, 'packages', dir, 'src', 'index.ts');
  }
  return aliases;
}

export const sharedConfig = defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
