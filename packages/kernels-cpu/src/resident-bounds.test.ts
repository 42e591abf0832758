import { type ConvGeometry, Rng, randnTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type CpuBackend, createCpuBackend } from './index.js';
import { residentOffset } from './module-arrays.js';
import { gemmInstance } from './wasm-instance.js';

/**
 * Kernels write resident outputs in place: nothing may land past an
 * output's end, where the next block of the module's memory (another
 * tensor) starts. Each case makes the kernel's output reuse a released
 * array that lies right before a block of canary values, and checks the
 * canaries afterwards, at 1, 2 and 3 threads.
 */
const CANARY = 1234.5;

/**
 * Runs `make` so that its output lands where a released array of its size
 * was, right before a block of canaries (the backend keeps no released
 * arrays, so both go back to the heap, first fit), and checks them.
 */
function guard(be: CpuBackend, size: number, make: () => Tensor): { adjacent: boolean; intact: boolean } {
  const inst = gemmInstance()!;
  const before = be.zeros([size]);
  // At least as long as the output: it cannot fit a free block below it (those are shorter, or the output's array would be there).
  const canary = be.fill([Math.max(size, 2 ** 14)], CANARY);
  const at = residentOffset(inst, be.view(before).data as Float32Array);
  const guardData = be.view(canary).data as Float32Array;
  const gap = residentOffset(inst, guardData) - at - size;
  before.dispose();
  const y = make();
  const adjacent = residentOffset(inst, be.view(y).data as Float32Array) === at && gap >= 0 && gap < 16;
  const intact = guardData.every((v) => v === CANARY);
  y.dispose();
  canary.dispose();
  return { adjacent, intact };
}

const geometry = (pad: number, groups = 1, stride = 1): ConvGeometry => ({ stride: [stride, stride], pad: [pad, pad, pad, pad], dilate: [1, 1], groups });
// Every convolution path: phase planes (C = 1), Winograd F(4×4, 5×5) and F(2×2|4×4, 3×3), grouped 5×5, implicit GEMM (C = 3), fully connected, 1×1.
const CONVS: [Shape, Shape, ConvGeometry][] = [
  [[3, 28, 28, 1], [5, 5, 1, 20], geometry(0)],
  [[6, 12, 12, 20], [5, 5, 20, 50], geometry(0)],
  [[30, 13, 13, 9], [3, 3, 9, 7], geometry(1)],
  [[3, 30, 30, 5], [3, 3, 5, 11], geometry(1)],
  [[20, 11, 11, 12], [5, 5, 6, 10], geometry(2, 2)],
  [[50, 19, 19, 3], [3, 3, 3, 13], geometry(0, 1, 2)],
  [[100, 20, 20, 3], [11, 11, 3, 9], geometry(0, 1, 4)],
  [[450, 4, 4, 50], [4, 4, 50, 37], geometry(0)],
  [[3, 16, 16, 33], [1, 1, 33, 29], geometry(0)],
];

describe('resident outputs written in place', () => {
  for (const threads of [1, 2, 3]) {
    it(`never write past their end (convolutions, their data derivatives, pooling, maps) at ${threads} thread(s)`, () => {
      const be = createCpuBackend({ threads });
      be.reuseMaxBytes = 0;
      const rng = new Rng(5);
      let adjacent = 0;
      try {
        const check = (name: string, size: number, make: () => Tensor) => {
          if (size < 2 ** 14) return;
          const r = guard(be, size, make);
          expect(r.intact, name).toBe(true);
          if (r.adjacent) adjacent++;
        };
        for (const [xs, fs, g] of CONVS) {
          const x = randnTensor(be, xs, rng);
          const f = randnTensor(be, fs, rng);
          const b = randnTensor(be, [fs[3]!], rng);
          const y = be.run('Conv', { x, f, b }, g);
          const dy = randnTensor(be, y.shape, rng);
          check(`Conv x ${xs} f ${fs}`, y.size, () => be.run('Conv', { x, f, b }, g));
          check(`ConvBackwardData x ${xs} f ${fs}`, x.size, () => be.run('ConvBackwardData', { dy, f }, { ...g, xShape: xs }));
          y.dispose();
        }
        for (const [shape, size] of [
          [[3, 24, 24, 20], 2],
          [[5, 29, 21, 7], 3],
        ] as const) {
          const x = randnTensor(be, shape, rng);
          const attrs = { method: 'max', poolSize: [size, size], stride: [2, 2], pad: [0, 1, 0, 1] } as const;
          const y = be.run('Pool', { x }, attrs);
          const dy = randnTensor(be, y.shape, rng);
          check(`Pool ${shape}`, y.size, () => be.run('Pool', { x }, attrs));
          check(`PoolBackward ${shape}`, x.size, () => be.run('PoolBackward', { x, dy }, attrs));
          check(`Relu ${shape}`, x.size, () => be.run('Relu', { x }, { leak: 0 }));
          check(`ReluBackward ${shape}`, x.size, () => be.run('ReluBackward', { x, dy: x }, { leak: 0 }));
          check(`Axpby ${shape}`, x.size, () => be.run('Axpby', { x, y: x }, { alpha: 1, beta: 0.5 }));
          check(`Sigmoid ${shape}`, x.size, () => be.run('Sigmoid', { x }, {}));
        }
        // The check means something only where outputs did land right before the canaries.
        expect(adjacent).toBeGreaterThan(20);
      } finally {
        be.dispose();
      }
    });
  }
});
