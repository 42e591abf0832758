/**
 * `sum` — element-wise sum of m inputs (DagNN `Sum`, matconvnet-api §3.3;
 * a DAG merge, manual §2.3.4):
 *
 *   y = x_1 + x_2 + … + x_m,   dz/dx_i = dz/dy for every i.
 *
 * Decision: DagNN's Sum only warns when the inputs' sizes differ and lets
 * MATLAB broadcast; FIXED, every input must have exactly the first one's shape
 * (nothing is silently broadcast). Each derivative is its own tensor handle
 * (a view of dz/dy on the CPU), so disposing one leaves the others alive.
 */
import { type Backend, formatShape, ShapeError, shapesEqual, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectShape } from './checks.js';
import { describe } from './options.js';

/** `x_1 + … + x_m`, all of the same shape. */
export function sum(xs: readonly Tensor[]): Tensor {
  const block = 'sum';
  const backend = checkInputs(block, xs, null);
  const first = xs[0]!;
  if (xs.length === 1) return backend.run('Reshape', { x: first }, { shape: first.shape });
  let y = backend.run('Axpby', { x: first, y: xs[1]! }, { alpha: 1, beta: 1 });
  for (let i = 2; i < xs.length; i++) {
    const next = backend.run('Axpby', { x: y, y: xs[i]! }, { alpha: 1, beta: 1 });
    y.dispose();
    y = next;
  }
  return y;
}

/**
 * Derivatives of `sum` projected onto `dzdy`: `dzdy` once per input. `xs` are
 * the inputs (their shapes are checked) or how many there were.
 */
export function sumBackward(xs: readonly Tensor[] | number, dzdy: Tensor): Tensor[] {
  const block = 'sumBackward';
  let count: number;
  if (typeof xs === 'number') {
    if (!Number.isInteger(xs) || xs < 1) throw new ShapeError(block, 'xs', `xs must be a count ≥ 1 or the list of inputs, got ${xs}`);
    count = xs;
    backendOf(block, { dzdy });
  } else {
    checkInputs(block, xs, dzdy);
    expectShape(block, 'dzdy', dzdy, xs[0]!.shape, 'the shape of the inputs');
    count = xs.length;
  }
  return Array.from({ length: count }, () => dzdy.backend.run('Reshape', { x: dzdy }, { shape: dzdy.shape }));
}

/** Non-empty, one backend (with `dzdy`), every input of the first one's shape. */
function checkInputs(block: string, xs: readonly Tensor[], dzdy: Tensor | null): Backend {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ShapeError(block, 'xs', `xs must be a non-empty list of tensors, got ${describe(xs)}`);
  }
  const names = xs.map((_, i) => `xs[${i}]`);
  const backend = backendOf(block, { ...Object.fromEntries(xs.map((t, i) => [names[i]!, t])), dzdy }, dzdy === null ? names : [...names, 'dzdy']);
  const shape = xs[0]!.shape;
  xs.forEach((t, i) => {
    if (!shapesEqual(t.shape, shape)) {
      throw new ShapeError(block, `xs[${i}]`, `xs[${i}] must have the shape of xs[0] ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    }
  });
  return backend;
}
