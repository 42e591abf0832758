import { Rng } from '@convnet-ts/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { setClaimedTasks } from './conv-tasks.js';
import { convBackwardDataWinograd, convForwardWinograd, type WinogradTile, winogradApplies } from './conv-winograd.js';
import type { ConvSizes } from './conv-wasm.js';
import { createCpuBackend } from './cpu-backend.js';
import { moduleFloat32, setModuleArrayBudget } from './module-arrays.js';

/**
 * The Winograd forward adds a bias (and beta 0's zeros) in its output
 * transform's store, y = b + Σ, instead of y filled with the bias first and
 * Σ added to it (beta 1 on a broadcast bias: the order of the additions of
 * the earlier path, which beta 1 still takes): the same bits, for every
 * variant, odd and grouped filter counts, fewer images than threads, 1 and 3
 * threads, claimed and static dispatch, resident and copied operands, and
 * NaN, ±∞, −0 and subnormal inputs and biases. Likewise the data derivative,
 * which stores each pixel's first window instead of adding into a zeroed dx,
 * gives the same bits whatever dx held.
 */

afterEach(() => {
  setModuleArrayBudget();
  setClaimedTasks(true);
});

interface Case {
  name: string;
  n: number;
  h: number;
  c: number;
  k: number;
  r: 3 | 5;
  groups: number;
  pad: number;
  /** Bottom and right padding where it differs from `pad`. */
  padEnd?: number;
}

const CASES: Case[] = [
  { name: 'odd K, edge tiles', n: 3, h: 13, c: 12, k: 29, r: 3, groups: 1, pad: 1 },
  { name: '2 groups of 9 channels and 27 filters', n: 2, h: 14, c: 18, k: 54, r: 5, groups: 2, pad: 2 },
  { name: "LeNet's conv2 at 5 images", n: 5, h: 12, c: 20, k: 50, r: 5, groups: 1, pad: 0 },
  { name: 'one image (fewer than the threads)', n: 1, h: 12, c: 16, k: 20, r: 3, groups: 1, pad: 1 },
  { name: 'asymmetric pad, odd C', n: 2, h: 13, c: 13, k: 16, r: 3, groups: 1, pad: 1, padEnd: 0 },
];

function sizesOf(s: Case): ConvSizes {
  const o = s.h + s.pad + (s.padEnd ?? s.pad) - s.r + 1;
  const patch = { height: s.h, width: s.h, channels: s.c, filterHeight: s.r, filterWidth: s.r, outHeight: o, outWidth: o, padTop: s.pad, padLeft: s.pad, strideY: 1, strideX: 1, dilateY: 1, dilateX: 1 };
  const cg = s.c / s.groups;
  return { patch, n: s.n, c: s.c, k: s.k, groups: s.groups, cg, kg: s.k / s.groups, imageSize: s.h * s.h * s.c, pixels: o * o, rowLength: s.r * s.r * cg };
}

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e-40, -3e-39];

/** Seeded N(0, 1) values with SPECIALS at a few places spread over them. */
function values(rng: Rng, size: number, specials: boolean): Float32Array {
  const v = Float32Array.from(rng.randn(size));
  if (specials) for (const [i, value] of SPECIALS.entries()) v[Math.floor(((i + 0.5) * size) / SPECIALS.length)] = value;
  return v;
}

/** A Float32Array of `size` in the module's memory (resident) or plain. */
function array(size: number, resident: boolean): Float32Array {
  const a = resident ? moduleFloat32(size) : new Float32Array(size);
  if (a === null) throw new Error('no resident arrays here');
  return a;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('the Winograd forward with a bias', () => {
  for (const s of CASES) {
    for (const tile of [2, 4] as const satisfies readonly WinogradTile[]) {
      it(`F(${tile}×${tile}, ${s.r}×${s.r}): y = b + Σ (and beta 0) in the store gives the bits of y = b, then y += Σ; dx is stored whatever it held (${s.name})`, async () => {
        const p = sizesOf(s);
        expect(winogradApplies(p, tile)).toBe(true);
        const rng = new Rng(11 + s.n + tile);
        const x0 = values(rng, s.n * p.imageSize, true);
        const f = values(rng, s.r * s.r * p.cg * s.k, false);
        const b = values(rng, s.k, true);
        const ySize = s.n * p.pixels * s.k;
        const dy = values(rng, ySize, true);
        for (const threads of [1, 3]) {
          const cpu = createCpuBackend({ threads, winograd: tile });
          try {
            await cpu.ready();
            // Makes this backend's threads current for the direct calls.
            cpu.run('Relu', { x: cpu.tensor(new Float32Array(4), [4]) }, { leak: 0 }).dispose();
            for (const claimed of [true, false]) {
              setClaimedTasks(claimed);
              for (const resident of [true, false]) {
                const x = array(x0.length, resident);
                x.set(x0);
                const run = (start: number | Float32Array, fill: (y: Float32Array) => void) => {
                  const y = array(ySize, resident);
                  fill(y);
                  expect(convForwardWinograd(p, x, f, start, y, tile)).toBe(true);
                  return bits(y);
                };
                const what = `${threads} threads, ${claimed ? 'claimed' : 'static'}, ${resident ? 'resident' : 'copied'}`;
                const broadcast = (y: Float32Array) => {
                  for (let i = 0; i < ySize; i++) y[i] = b[i % s.k]!;
                };
                const want = run(1, broadcast);
                expect(run(b, (y) => y.fill(Number.NaN)), what).toEqual(want);
                expect(run(0, (y) => y.fill(Number.NaN)), `beta 0, ${what}`).toEqual(run(1, (y) => y.fill(0)));
                // Not an all-NaN answer.
                expect(want.some((u) => (u & 0x7f800000) !== 0x7f800000)).toBe(true);
                // The data derivative stores every element of dx (its first window at each pixel stores, the others add).
                const dyIn = array(ySize, resident);
                dyIn.set(dy);
                const dx = (fill: number) => {
                  const out = array(x0.length, resident);
                  out.fill(fill);
                  expect(convBackwardDataWinograd(p, dyIn, f, out, tile)).toBe(true);
                  return bits(out);
                };
                expect(dx(Number.NaN), `dx, ${what}`).toEqual(dx(0));
              }
            }
          } finally {
            setClaimedTasks(true);
            cpu.dispose();
          }
        }
      });
    }
  }
});
