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
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', dir, 'src');
    // Subpath entries (`@convnet-ts/kernels-webgpu/node` → src/node.ts), then the main entry.
    aliases.push({ find: new RegExp(`^@convnet-ts/${dir}/([a-z-]+)$`), replacement: join(src, '$1.ts') });
    aliases.push({ find: new RegExp(`^@convnet-ts/${dir}$`), replacement: join(src, 'index.ts') });
  }
  return aliases;
}

export const sharedConfig = defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['src/**/*.test.ts'],
    // Generous: a test that takes seconds alone can take minutes on a 2-core
    // machine shared with other jobs; a hang is still caught.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
