/**
 * Shared helpers for the blocks' tests (not part of the package's build).
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, Rng, rememberHostValues, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { expect } from 'vitest';
import { assertDerivative, type CheckDerivativeOptions } from './check-derivative.js';

/** float64 CPU backend for derivative checks; float32 for value tests. */
export const cpu64 = createCpuBackend({ dtype: 'float64' });
export const cpu32 = createCpuBackend({ dtype: 'float32' });

/** A tensor of normal values from a seeded generator. */
export function randn(backend: Backend, shape: Shape, seed: number, std = 1): Tensor {
  const rng = new Rng(seed);
  return backend.tensor(rng.randn(sizeOf(shape)).map((v) => v * std), shape);
}

/**
 * A tensor of distinct values, well separated (gaps ≥ `gap`) in random order:
 * keeps max pooling and ReLU away from ties and kinks in derivative checks.
 */
export function distinct(backend: Backend, shape: Shape, seed: number, gap = 0.1): Tensor {
  const n = sizeOf(shape);
  const perm = new Rng(seed).randperm(n);
  const values = Array.from(perm, (p) => (p - (n + 1) / 2) * gap);
  return backend.tensor(values, shape);
}

/** Expects the tensor's values to equal `expected` within `tol` (absolute + relative). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}

/** Checks `dzdx` against central differences of `fn` with a random projection `dzdy`. */
export async function expectDerivative(
  name: string,
  fn: (x: Tensor) => Tensor,
  x: Tensor,
  dzdx: (dzdy: Tensor) => Tensor,
  yShape: Shape,
  seed = 99,
  options: CheckDerivativeOptions = {},
): Promise<void> {
  const dzdy = randn(x.backend, yShape, seed);
  await assertDerivative(fn, x, dzdy, dzdx(dzdy), { ...options, name });
}

/**
 * A float64 CPU backend that can only read asynchronously (any synchronous
 * read by a block would throw) and, as WebGPU, keeps the host copy of what
 * `tensor` uploads.
 */
export function asyncOnlyBackend(): Backend {
  const be = createCpuBackend({ dtype: 'float64' });
  const readSync = be.readSync;
  const upload = be.tensor.bind(be);
  Object.defineProperty(be, 'readSync', { value: undefined });
  Object.defineProperty(be, 'read', { value: (t: Tensor) => Promise.resolve(readSync(t)) });
  Object.defineProperty(be, 'tensor', {
    value: (v: ArrayLike<number>, shape: readonly number[]) => {
      const t = upload(v, shape);
      rememberHostValues(t, Float64Array.from(v));
      return t;
    },
  });
  return be;
}
