#!/usr/bin/env node
// Builds dist/standalone.js (from src/standalone.ts): the package as one ES
// module that loads in a browser without a bundler — ndarray (CommonJS, which
// browsers cannot import) bundled in, @convnet-ts/* left as imports for an
// import map, the WASM embedded as in dist/index.js. The source map carries
// its sources (sourcesContent). Run after tsc, which it overwrites for that file.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/standalone.js`;
await build({
  entryPoints: [`${root}src/standalone.ts`],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  external: ['@convnet-ts/*'],
  sourcemap: true,
  sourcesContent: true,
  legalComments: 'inline',
  logLevel: 'warning',
});
console.log(`wrote ${outfile} (${statSync(outfile).size} bytes)`);
