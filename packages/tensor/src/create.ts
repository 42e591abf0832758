import type { Backend } from './backend.js';
import type { Rng } from './rng.js';
import { type Shape, sizeOf } from './shape.js';
import type { Tensor } from './tensor.js';

/** A tensor of uniform values in [lo, hi). */
export function randTensor(backend: Backend, shape: Shape, rng: Rng, lo = 0, hi = 1): Tensor {
  const v = rng.rand(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * v[i]!;
  return backend.tensor(v, shape);
}

/** A tensor of normal values with standard deviation `std`. */
export function randnTensor(backend: Backend, shape: Shape, rng: Rng, std = 1): Tensor {
  const v = rng.randn(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = std * v[i]!;
  return backend.tensor(v, shape);
}
