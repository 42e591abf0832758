/**
 * The root README's commands and the messages it quotes, run in-process:
 *
 * - "What the main job does": each ```sh block of `bash scripts/run.sh mnist …`
 *   commands is run (on 100 digits, in a scratch repository whose
 *   runs/mnist-lenet first gets a 10-epoch run), and every line of the
 *   ```text block after it must be printed, in order (`…` stands for any text);
 * - "Getting started": the classify command whose files are in this
 *   repository prints what the block after "which prints" says (a line `…`
 *   stands for any lines);
 * - "A short example": the TypeScript runs (types stripped by TypeScript,
 *   its imports taken from the packages' sources) and prints the loss.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as blocks from '@convnet-ts/blocks';
import * as kernelsCpu from '@convnet-ts/kernels-cpu';
import * as tensor from '@convnet-ts/tensor';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { classify } from './classify-cli.js';
import { runMnist } from './mnist-job.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const README = readFileSync(join(repo, 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'convnet-ts-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function section(title: string): string {
  const start = README.indexOf(`\n## ${title}`);
  expect(start, `README section '${title}'`).toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of `text`, in order: { lang, body, before (the prose since the previous block) }. */
function blocksOf(text: string): { lang: string; body: string; before: string }[] {
  const out: { lang: string; body: string; before: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    out.push({ lang: m[1]!, body: m[2]!, before: text.slice(last, m.index) });
    last = m.index! + m[0].length;
  }
  return out;
}

/** The commands of a sh block: continuation lines joined, comments dropped, split into words. */
function commands(body: string): string[][] {
  return body
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/));
}

/** Every quoted line (not `…` alone) is printed, in order; `…` inside a line matches any text. */
function expectQuoted(quoted: string, printed: string[]): void {
  const pattern = (line: string) => new RegExp(`^${line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let at = 0;
  for (const line of quoted.trimEnd().split('\n')) {
    if (line === '…') continue;
    const re = pattern(line);
    const found = printed.findIndex((p, i) => i >= at && re.test(p));
    expect(found, `README line\n  ${line}\nnot printed (in order) among\n  ${printed.join('\n  ')}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

describe('the README', () => {
  it('quotes what the main job prints', async () => {
    mkdirSync(join(scratch, 'cwd'));
    const run = async (argv: string[]) => {
      const lines: string[] = [];
      const push = (text: string) => lines.push(...text.split('\n'));
      const code = await runMnist([...argv, '--subset', '100'], {
        out: push,
        err: push,
        progress: { write: push, isTTY: false },
        cwd: join(scratch, 'cwd'),
        repoRoot: join(scratch, 'repo'),
      });
      return { code, lines };
    };
    expect((await run(['--epochs', '10'])).code).toBe(0);
    const found = blocksOf(section('What the main job does'));
    let checked = 0;
    found.forEach((b, i) => {
      if (b.lang === 'text') expect(found[i - 1]?.lang, 'a text block follows its sh block').toBe('sh');
    });
    for (const [i, b] of found.entries()) {
      const quoted = found[i + 1];
      if (b.lang !== 'sh' || quoted?.lang !== 'text') continue;
      const printed: string[] = [];
      for (const words of commands(b.body)) {
        expect(words.slice(0, 3)).toEqual(['bash', 'scripts/run.sh', 'mnist']);
        printed.push(...(await run(words.slice(3))).lines);
      }
      expectQuoted(quoted.body, printed);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    // 12 epochs on 100 digits: ≈ 15 s here, several times that on a loaded 2-core machine.
  }, 300_000);

  it('quotes what the classify command prints for the files in this repository', async () => {
    const found = blocksOf(section("Getting started: the MatConvNet manual's first example"));
    const i = found.findIndex((b) => b.lang === '' && /which prints\s*$/.test(b.before));
    expect(i).toBeGreaterThan(0);
    const runnable = commands(found[i - 1]!.body).filter((w) => {
      const model = w[w.indexOf('--model') + 1]!;
      return w[2] === 'classify' && !model.startsWith('imagenet-');
    });
    expect(runnable).toHaveLength(1);
    const printed: string[] = [];
    const code = await classify(runnable[0]!.slice(3), { out: (l) => printed.push(l), err: (l) => printed.push(l), cwd: repo });
    expect(code).toBe(0);
    expectQuoted(found[i]!.body, printed);
  });

  it('runs the short example', async () => {
    const code = blocksOf(section('A short example')).find((b) => b.lang === 'ts')!.body;
    const modules: Record<string, object> = { '@convnet-ts/blocks': blocks, '@convnet-ts/kernels-cpu': kernelsCpu, '@convnet-ts/tensor': tensor };
    const body = code.replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (_, names: string, from: string) => {
      expect(Object.keys(modules)).toContain(from);
      return `const {${names}} = modules['${from}'];`;
    });
    const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    const logged: unknown[] = [];
    const fn = new Function('modules', 'console', `return (async () => {\n${js}\n})();`) as (m: object, c: object) => Promise<void>;
    await fn(modules, { log: (v: unknown) => logged.push(v) });
    expect(logged).toHaveLength(1);
    const loss = logged[0] as Float32Array;
    expect(loss).toHaveLength(1);
    expect(Number.isFinite(loss[0])).toBe(true);
  });
});
