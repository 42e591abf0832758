import { Rng } from '@convnet-ts/tensor';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareWasm } from './tfjs-engine.js';
import { BEST_ROUTE_KERNELS, installWasmBestRoute } from './tfjs-wasm-best-route.js';

/** tfjs's padding: numeric padding is only right for square filters and strides (tfjs sizes both sides by the height). */
type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
}

/** Small cases: stride 1, 2, 3 and (2, 1); 'same', 'valid' and explicit padding; sizes stride does not divide. */
const CASES: Case[] = [
  { x: [2, 7, 6, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 7, 6, 3], f: [3, 2, 3, 4], stride: 1, pad: 'valid' },
  { x: [1, 9, 8, 2], f: [3, 3, 2, 5], stride: 2, pad: 'same' },
  { x: [3, 9, 10, 2], f: [2, 3, 2, 3], stride: 2, pad: 'valid' },
  { x: [2, 11, 11, 3], f: [5, 5, 3, 2], stride: 3, pad: 2 },
  { x: [1, 8, 7, 4], f: [3, 3, 4, 2], stride: [2, 1], pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
  { x: [2, 9, 9, 2], f: [3, 3, 2, 3], stride: 2, pad: [[0, 0], [0, 1], [1, 0], [0, 0]] },
  { x: [2, 12, 12, 3], f: [11, 11, 3, 4], stride: 4, pad: 'valid' },
];

const randn = (rng: Rng, shape: readonly number[]) => Float32Array.from(rng.randn(shape.reduce((a, b) => a * b, 1)));

/** Both derivatives of conv2d through `tf.grad` on the current backend. */
async function grads(c: Case, xv: Float32Array, fv: Float32Array, dyv: Float32Array, dyShape: number[]) {
  const x = tf.tensor4d(xv, c.x);
  const f = tf.tensor4d(fv, c.f);
  const dy = tf.tensor(dyv, dyShape);
  const conv = (...[a, b]: tf.Tensor[]) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
  const [dx, df] = tf.grads(conv)([x, f], dy);
  const out = { dx: await dx!.data(), df: await df!.data() };
  tf.dispose([x, f, dy, dx!, df!]);
  return out;
}

function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return err / scale;
}

describe('tfjs-backend-wasm best route (Conv2DBackpropFilter and Conv2DBackpropInput as XNNPACK Conv2D)', () => {
  beforeAll(async () => {
    prepareWasm(1);
    installWasmBestRoute();
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('registers its own kernels for both derivatives', () => {
    for (const [name, func] of Object.entries(BEST_ROUTE_KERNELS)) expect(tf.getKernel(name, 'wasm')?.kernelFunc).toBe(func);
  });

  it('gives tfjs-backend-cpu’s gradients on small cases with stride and padding', async () => {
    const rng = new Rng(21);
    for (const c of CASES) {
      const xv = randn(rng, c.x);
      const fv = randn(rng, c.f);
      await tf.setBackend('cpu');
      const y = tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(fv, c.f), c.stride, c.pad);
      const dyShape = [...y.shape];
      y.dispose();
      const dyv = randn(rng, dyShape);
      const ref = await grads(c, xv, fv, dyv, dyShape);
      await tf.setBackend('wasm');
      const got = await grads(c, xv, fv, dyv, dyShape);
      expect(got.dx.length).toBe(ref.dx.length);
      expect(got.df.length).toBe(ref.df.length);
      expect(maxRelError(got.dx, ref.dx), JSON.stringify(c)).toBeLessThan(1e-5);
      expect(maxRelError(got.df, ref.df), JSON.stringify(c)).toBeLessThan(1e-5);
    }
  });

  it('leaks no tensor buffers on the wasm backend', async () => {
    await tf.setBackend('wasm');
    const c = CASES[4]!;
    const rng = new Rng(3);
    const buffers = () => tf.engine().backend.numDataIds();
    const before = buffers();
    const dyShape = [2, 4, 4, 2];
    await grads(c, randn(rng, c.x), randn(rng, c.f), randn(rng, dyShape), dyShape);
    expect(buffers()).toBe(before);
  });
});
