// Node module hooks that run this package's TypeScript sources without a
// build (for tests that start a separate Node process, e.g. to check that GEMM
// workers never keep the process alive): `.ts` files are transpiled with
// TypeScript's transpileModule, `./x.js` imports from them resolve to `./x.ts`,
// and `@convnet-ts/<pkg>` resolves to packages/<pkg>/src/index.ts.
// Use: `node --import ./scripts/ts-hooks.mjs script.mjs`.
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

if (!import.meta.url.includes('?hooks')) {
  register(`${import.meta.url}?hooks`);
}

const packages = new URL('../../', import.meta.url);

export async function resolve(specifier, context, next) {
  const workspace = /^@convnet-ts\/([a-z-]+)$/.exec(specifier);
  if (workspace) return { url: new URL(`${workspace[1]}/src/index.ts`, packages).href, shortCircuit: true };
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const { default: ts } = await import('typescript');
  const source = readFileSync(fileURLToPath(url), 'utf8');
  const out = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
