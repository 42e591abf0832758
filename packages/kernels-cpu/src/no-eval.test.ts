import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';
import { noEvalChain } from './test-no-eval-chain.js';

const hooks = fileURLToPath(new URL('../scripts/ts-hooks.mjs', import.meta.url));
const entry = new URL('./index.ts', import.meta.url).href;
const chain = new URL('./test-no-eval-chain.ts', import.meta.url).href;
/** A child takes seconds here, and over 30 s on a loaded 2-core machine. */
const CHILD_TIMEOUT_MS = 120_000;

describe('the CPU backend without code generation from strings', () => {
  it("runs views, convolution (2 threads), pooling, activations and normalization as with it, and only cpu.ndarray(t) needs 'unsafe-eval'", () => {
    // --disallow-code-generation-from-strings makes eval and new Function throw EvalError, as a CSP without 'unsafe-eval' does in a page.
    const script = `
      import { createCpuBackend } from ${JSON.stringify(entry)};
      import { noEvalChain } from ${JSON.stringify(chain)};
      const cpu = createCpuBackend({ threads: 2 });
      const values = noEvalChain(cpu);
      let ndarray;
      try { cpu.ndarray(cpu.zeros([2, 3])); ndarray = 'built'; } catch (e) { ndarray = e.name; }
      console.log(JSON.stringify({ threads: cpu.threads, ndarray, values }));
      cpu.dispose();
    `;
    const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', hooks, '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const child = JSON.parse(r.stdout) as { threads: number; ndarray: string; values: number[][] };
    expect(child.threads).toBe(2);
    expect(child.ndarray).toBe('EvalError');
    const cpu = createCpuBackend({ threads: 1 });
    expect(child.values).toEqual(noEvalChain(cpu));
    expect(cpu.ndarray(cpu.zeros([2, 3])).shape).toEqual([2, 3]);
    cpu.dispose();
  }, CHILD_TIMEOUT_MS + 30_000);
});
