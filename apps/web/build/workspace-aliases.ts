/**
 * `@convnet-ts/<dir>[/<entry>]` → `packages/<dir>/src/<entry or index>.ts`,
 * as the root vitest.shared.ts does for the tests: the page bundles the
 * workspace packages from their TypeScript sources, so `vite dev` and
 * `vite build` need no build of the packages first. A query stays on
 * (`@convnet-ts/images/browser-worker?worker&url`: Vite bundles the module
 * as a worker and gives its URL).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function workspaceAliases(packagesDir: string): { find: RegExp; replacement: string }[] {
  return readdirSync(packagesDir).flatMap((dir) => {
    const src = join(packagesDir, dir, 'src');
    return [
      { find: new RegExp(`^@convnet-ts/${dir}/([a-z-]+)(\\?[^/]*)?$`), replacement: `${join(src, '$1.ts')}$2` },
      { find: new RegExp(`^@convnet-ts/${dir}$`), replacement: join(src, 'index.ts') },
    ];
  });
}
