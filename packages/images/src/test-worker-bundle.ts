/**
 * Tests run the sources, not a build, so the decoding worker (a separate
 * worker_threads entry, which Node cannot load as TypeScript) is bundled
 * once per test run with esbuild into node_modules/.cache; workspace
 * packages come from their sources, npm packages stay external and resolve
 * from this package's node_modules. `vitest.config.ts` runs this as its
 * globalSetup and `test-setup.ts` points the readers at the bundle.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { TestProject } from 'vitest/node';

const here = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(here, '..', '..');

const sources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@convnet-ts\/[a-z-]+$/ }, (args) => ({ path: join(packagesDir, args.path.split('/')[1]!, 'src', 'index.ts') }));
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@convnet-ts/') ? undefined : { path: args.path, external: true }));
  },
};

export const WORKER_BUNDLE = join(here, '..', 'node_modules', '.cache', 'images-test', 'node-worker.mjs');

export default async function setup(project: TestProject): Promise<void> {
  mkdirSync(dirname(WORKER_BUNDLE), { recursive: true });
  await build({ entryPoints: [join(here, 'node-worker.ts')], outfile: WORKER_BUNDLE, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'silent', plugins: [sources] });
  project.provide('workerBundle', WORKER_BUNDLE);
}

declare module 'vitest' {
  export interface ProvidedContext {
    workerBundle: string;
  }
}
