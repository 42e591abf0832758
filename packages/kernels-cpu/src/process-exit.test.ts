import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

const hooks = fileURLToPath(new URL('../scripts/ts-hooks.mjs', import.meta.url));
const entry = new URL('./index.ts', import.meta.url).href;
/** A child takes ≈ 3 s here, and over 30 s on a 2-core machine with a dozen other jobs: a hang is told apart by 2 minutes. */
const CHILD_TIMEOUT_MS = 120_000;

/**
 * Runs a Node process that makes a backend with `threads`, runs a convolution
 * large enough for the GEMM to use every thread, prints the threads and the
 * sum of the result, disposes the backend or not, and ends its script.
 */
function child(threads: number, dispose: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { createCpuBackend } from ${JSON.stringify(entry)};
    const cpu = createCpuBackend({ threads: ${threads} });
    const x = cpu.tensor(Array.from({ length: 24 * 24 * 16 }, (_, i) => Math.sin(i)), [1, 24, 24, 16]);
    const f = cpu.tensor(Array.from({ length: 3 * 3 * 16 * 32 }, (_, i) => Math.cos(i)), [3, 3, 16, 32]);
    const y = cpu.run('Conv', { x, f, b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 });
    console.log(cpu.threads, y.dataSync().reduce((s, v) => s + v, 0));
    ${dispose ? 'cpu.dispose();' : ''}
  `;
  const r = spawnSync(process.execPath, ['--import', hooks, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('a backend with threads', () => {
  it('lets the process exit, disposed or not, with the single-threaded result', () => {
    const cpu = createCpuBackend({ threads: 1 });
    const x = cpu.tensor(Array.from({ length: 24 * 24 * 16 }, (_, i) => Math.sin(i)), [1, 24, 24, 16]);
    const f = cpu.tensor(Array.from({ length: 3 * 3 * 16 * 32 }, (_, i) => Math.cos(i)), [3, 3, 16, 32]);
    const y = cpu.run('Conv', { x, f, b: null }, { pad: [1, 1, 1, 1], stride: [1, 1], dilate: [1, 1], groups: 1 });
    const sum = Array.from(y.dataSync()).reduce((s, v) => s + v, 0);
    // status null would mean the 2-minute timeout killed a process kept alive by its workers.
    expect(child(2, true)).toEqual({ status: 0, stdout: `2 ${sum}`, stderr: '' });
    expect(child(2, false)).toEqual({ status: 0, stdout: `2 ${sum}`, stderr: '' });
  }, 2 * CHILD_TIMEOUT_MS + 30_000);
});
