/**
 * Bundles a browser entry written in TypeScript with esbuild, resolving the
 * workspace packages (`@convnet-ts/<dir>` and `@convnet-ts/<dir>/<entry>`)
 * to their TypeScript sources — as vitest.shared.ts does for the tests — so
 * the page runs the code under test without a build step.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `@convnet-ts/<dir>[/<entry>]` → `packages/<dir>/src/<entry or index>.ts`. */
const workspaceSources: Plugin = {
  name: 'convnet-ts-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@convnet-ts\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
      const [, dir, entry] = args.path.split('/');
      const path = join(packagesDir, dir ?? '', 'src', `${entry ?? 'index'}.ts`);
      if (!existsSync(path)) return { errors: [{ text: `bundle: workspace source ${path} expected for ${args.path}, got no file` }] };
      return { path };
    });
  },
};

/** The ES module bundle of `entry` (an absolute path) for browsers, as text. */
export async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
    plugins: [workspaceSources],
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`bundle: one output file expected for ${entry}, got none`);
  return out.text;
}
