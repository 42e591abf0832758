/**
 * Runs every ```ts example of the package README, so the README cannot drift
 * from the code.
 *
 * Each example is transpiled (types stripped) with TypeScript, its
 * `import { … } from '@convnet-ts/…'` lines become destructurings of the
 * modules imported here from source, and it runs as the body of an async
 * function. A line `console.log(expr); // → expected` is checked: `expected`
 * is a JavaScript literal compared with `expr` (numbers within half a unit of
 * the last decimal written, exactly when no decimals are written; arrays and
 * typed arrays element-wise). A `// →` anywhere else is an error, so every
 * printed claim in the README is tested.
 *
 * It also checks that the table of blocks names every block function this
 * package exports and every MatConvNet name, and that each table example is a
 * line of one of the runnable examples.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as kernelsCpu from '@convnet-ts/kernels-cpu';
import * as tensor from '@convnet-ts/tensor';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as blocks from './index.js';

const README = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');

const MODULES: Record<string, object> = {
  '@convnet-ts/blocks': blocks,
  '@convnet-ts/tensor': tensor,
  '@convnet-ts/kernels-cpu': kernelsCpu,
};

const MATCONVNET_NAMES = [
  'vl_nnconv',
  'vl_nnconvt',
  'vl_nnpool',
  'vl_nnrelu',
  'vl_nnsigmoid',
  'vl_nnsoftmax',
  'vl_nnloss',
  'vl_nnsoftmaxloss',
  'vl_nndropout',
  'vl_nnbnorm',
  'vl_nnnormalize',
  'vl_nnspnorm',
  'vl_nnnormalizelp',
  'vl_nnnoffset',
  'vl_nnpdist',
  'vl_nnbilinearsampler',
  'dagnn.AffineGridGenerator',
  'vl_nnroipool',
  'vl_nnconcat',
  'vl_nncrop',
  'dagnn.Sum',
  'dagnn.Scale',
];

interface Example {
  /** 1-based line of the README where the code starts. */
  line: number;
  code: string;
}

/** Every ```ts block of the README. */
function tsExamples(md: string): Example[] {
  const out: Example[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    out.push({ line: md.slice(0, m.index).split('\n').length + 1, code: m[1]! });
  }
  return out;
}

const CHECKED = /^(\s*)console\.log\((.*)\);\s*\/\/ → (.*)$/;

/** Turns checked `console.log` lines into `__check` calls; rejects `// →` anywhere else. */
function instrument(ex: Example): { code: string; checks: number } {
  let checks = 0;
  const lines = ex.code.split('\n').map((text, i) => {
    const m = CHECKED.exec(text);
    if (m) {
      checks++;
      return `${m[1]}__check(${m[2]}, ${JSON.stringify(m[3]!.trim())}, ${ex.line + i});`;
    }
    if (text.includes('// →')) {
      throw new Error(`README line ${ex.line + i}: '// →' must follow a one-argument console.log(...); statement`);
    }
    return text;
  });
  return { code: lines.join('\n'), checks };
}

/** TypeScript → JavaScript, then imports → destructurings of `__import(name)`. */
function toFunctionBody(code: string, line: number): string {
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const body = js
    .replace(/import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2;?/g, (_, names: string, _q, from: string) => {
      const fields = names
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && !s.startsWith('type '))
        .map((s) => s.replace(/\s+as\s+/, ': '));
      return `const { ${fields.join(', ')} } = __import(${JSON.stringify(from)});`;
    })
    .replace(/import\s*\*\s*as\s+(\w+)\s+from\s*(['"])([^'"]+)\2;?/g, (_, name: string, _q, from: string) => {
      return `const ${name} = __import(${JSON.stringify(from)});`;
    })
    .replace(/^export\s*\{\s*\};?\s*$/m, '');
  if (/^\s*import\b/m.test(body)) throw new Error(`README example at line ${line}: unsupported import form`);
  return body;
}

function importModule(name: string): object {
  const m = MODULES[name];
  if (!m) throw new Error(`README examples may import only ${Object.keys(MODULES).join(', ')}, got '${name}'`);
  return m;
}

/** Largest number of decimals among the numeric literals of `text` (0: compare exactly). */
function decimals(text: string): number {
  let d = 0;
  for (const m of text.matchAll(/\d+\.(\d+)/g)) d = Math.max(d, m[1]!.length);
  return d;
}

function normalise(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(normalise);
  return v;
}

function compare(actual: unknown, expected: unknown, tol: number, where: string): void {
  const a = normalise(actual);
  if (typeof expected === 'number') {
    const ok = typeof a === 'number' && (tol === 0 ? Math.abs(a - expected) <= 1e-9 * Math.max(1, Math.abs(expected)) : Math.abs(a - expected) <= tol);
    if (!ok) throw new Error(`${where}: expected ${expected}, got ${String(a)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(a) || a.length !== expected.length) {
      throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(a)}`);
    }
    for (let i = 0; i < expected.length; i++) compare(a[i], expected[i], tol, `${where}[${i}]`);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (a === null || typeof a !== 'object') throw new Error(`${where}: expected an object, got ${String(a)}`);
    const keys = Object.keys(expected);
    expect(Object.keys(a as object).sort(), `${where}: keys`).toEqual([...keys].sort());
    for (const k of keys) compare((a as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], tol, `${where}.${k}`);
    return;
  }
  if (a !== expected) throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(a)}`);
}

function check(actual: unknown, expectedText: string, line: number): void {
  const expected: unknown = new Function(`return (${expectedText});`)();
  const d = decimals(expectedText);
  const tol = d === 0 ? 0 : 0.5 * 10 ** -d * (1 + 1e-6) + 1e-12;
  compare(actual, expected, tol, `README line ${line}`);
}

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => AsyncFn;

const quiet = { ...console, log: () => {} };

describe('README examples', () => {
  const examples = tsExamples(README);

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  for (const ex of examples) {
    it(`runs the example at README line ${ex.line}`, async () => {
      const { code, checks } = instrument(ex);
      const body = toFunctionBody(code, ex.line);
      let done = 0;
      const counted = (actual: unknown, expected: string, line: number) => {
        check(actual, expected, line);
        done++;
      };
      await new AsyncFunction('__import', '__check', 'console', body)(importModule, counted, quiet);
      expect(done, 'checked console.log lines that ran').toBe(checks);
    });
  }
});

describe('README table of blocks', () => {
  const start = README.indexOf('| block');
  const lines = README.slice(start).split('\n');
  const end = lines.findIndex((l) => !l.startsWith('|'));
  const rows = lines.slice(2, end < 0 ? lines.length : end);
  const allCode = tsExamples(README)
    .map((e) => e.code)
    .join('\n');

  it('exists', () => {
    expect(start).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(10);
  });

  it('names every block function the package exports', () => {
    const notBlocks = new Set(['checkDerivative', 'assertDerivative']);
    const names = Object.entries(blocks)
      .filter(([name, v]) => typeof v === 'function' && !notBlocks.has(name))
      .map(([name]) => name);
    const table = rows.join('\n');
    const missing = names.filter((n) => !table.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('names every MatConvNet block', () => {
    const table = rows.join('\n');
    expect(MATCONVNET_NAMES.filter((n) => !table.includes(n))).toEqual([]);
  });

  it('shows examples that the runnable examples contain', () => {
    for (const row of rows) {
      const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
      const last = cells[cells.length - 2] ?? '';
      const snippets = [...last.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      expect(snippets.length, `example cell of: ${row}`).toBeGreaterThan(0);
      for (const s of snippets) expect(allCode, `table example ${s}`).toContain(s);
    }
  });
});
