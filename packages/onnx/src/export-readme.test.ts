/**
 * Runs the ```ts example of the README: types stripped by TypeScript, its
 * imports bound to the modules imported here, each `console.log(expr); // → literal`
 * checked (`expr` deep-equal to the literal), so the README cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as kernelsCpu from '@convnet-ts/kernels-cpu';
import * as simplenn from '@convnet-ts/simplenn';
import * as tensor from '@convnet-ts/tensor';
import * as ort from 'onnxruntime-node';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as onnx from './index.js';

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
const MODULES: Record<string, object> = {
  '@convnet-ts/onnx': onnx,
  '@convnet-ts/simplenn': simplenn,
  '@convnet-ts/kernels-cpu': kernelsCpu,
  '@convnet-ts/tensor': tensor,
  'onnxruntime-node': ort,
};

it('the README example runs and prints what it says', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(README)?.[1];
  expect(block).toBeDefined();
  let checks = 0;
  const source = block!
    .replace(/^import \* as (\w+) from '([^']+)';$/gm, (_m, name: string, mod: string) => `const ${name} = __modules[${JSON.stringify(mod)}];`)
    .replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_m, names: string, mod: string) => {
      const values = names.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '));
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
  expect(checks).toBe(2);
  expect(seen).toHaveLength(checks);
  for (const [actual, expected] of seen) expect(actual).toEqual(expected);
});
