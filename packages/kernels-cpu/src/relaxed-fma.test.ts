import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gemmInstance, relaxedSimdAvailable } from './wasm-instance.js';
import { useRelaxedSimdFma } from './gemm-threads.js';
import { checkFma, type FmaCheck } from './test-fma-check.js';

const hooks = fileURLToPath(new URL('../scripts/ts-hooks.mjs', import.meta.url));
const script = fileURLToPath(new URL('./test-fma-check.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

/** The FMA checks in a child Node process with relaxed SIMD switched on (Node 20–21 have it behind a flag). */
function childCheck(): FmaCheck {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', hooks, script, '--fma-check'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`the FMA check failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as FmaCheck;
}

describe('relaxed-SIMD FMA in the micro-kernel', () => {
  it('is off by default, and turns on only where the engine validates relaxed SIMD', () => {
    expect(gemmInstance()?.fma).toBe(false);
    expect(useRelaxedSimdFma(true)).toBe(relaxedSimdAvailable());
    expect(gemmInstance()?.fma).toBe(relaxedSimdAvailable());
    expect(useRelaxedSimdFma(false)).toBe(false);
    expect(gemmInstance()?.fma).toBe(false);
  });

  it('stays within float32 rounding of float64, gives the same bits at 1 and 3 threads, and fuses (other bits than the plain path)', async () => {
    const check = relaxedSimdAvailable() ? await checkFma() : major < 22 ? childCheck() : null;
    if (check === null) return; // an engine without relaxed SIMD: nothing to check (the first test covers it)
    expect(check.on).toBe(true);
    expect(check.gemmError).toBeLessThan(1e-6 * Math.sqrt(300));
    // The conv (12 × 10 outputs, 3×3 × 8 channels) goes through im2row and the micro-kernel.
    expect(check.convError).toBeLessThan(1e-6 * Math.sqrt(9 * 8));
    expect(check.sameAcrossThreads).toBe(true);
    expect(check.differsFromPlain).toBe(true);
    expect(check.refusesMixedPool).toBe(true);
  }, 150_000);
});
