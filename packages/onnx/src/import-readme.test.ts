/**
 * Runs the README's import example (the ```ts block of "## Import an ONNX
 * model"): types stripped by TypeScript, imports bound to the modules here,
 * `readFileSync('lenet-mnist.onnx')` reading the committed fixture, and each
 * `console.log(expr); // → literal` checked (deep equality).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dagnn from '@convnet-ts/dagnn';
import * as kernelsCpu from '@convnet-ts/kernels-cpu';
import * as tensor from '@convnet-ts/tensor';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as onnx from './index.js';
import { FIXTURES } from './test-pytorch-fixtures.js';

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
const MODULES: Record<string, object> = {
  'node:fs': { readFileSync: (name: string) => readFileSync(join(FIXTURES, name)) },
  '@convnet-ts/dagnn': dagnn,
  '@convnet-ts/kernels-cpu': kernelsCpu,
  '@convnet-ts/onnx': onnx,
  '@convnet-ts/tensor': tensor,
};

it('the README import example runs and prints what it says', async () => {
  const section = README.split('## Import an ONNX model')[1];
  const block = section && /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBeTruthy();
  let checks = 0;
  const source = block!
    .replace(/^import type .*$/gm, '')
    .replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_m, names: string, mod: string) => {
      const values = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n && !n.startsWith('type '));
      return `const { ${values.join(', ')} } = __modules[${JSON.stringify(mod)}];`;
    })
    .replace(/^console\.log\((.*)\); \/\/ → (.*)$/gm, (_m, expr: string, literal: string) => {
      checks++;
      return `__check(${expr}, ${literal});`;
    });
  expect(source).not.toMatch(/^import /m);
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const seen: [unknown, unknown][] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('__modules', '__check', js)(MODULES, (actual: unknown, expected: unknown) => seen.push([actual, expected]));
  expect(checks).toBe(4);
  expect(seen).toHaveLength(checks);
  for (const [actual, expected] of seen) expect(actual).toEqual(expected);
});
