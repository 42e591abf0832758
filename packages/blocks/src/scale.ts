/**
 * `scale` — element-wise affine map with broadcast parameters (DagNN `Scale`,
 * matconvnet-api §3.3):
 *
 *   y = x ⊙ w + b,
 *   dz/dx = dz/dy ⊙ w,   dz/dw = Σ_B (dz/dy ⊙ x),   dz/db = Σ_B dz/dy,
 *
 * where w (and b) broadcast over the axes B where they have size 1, and the
 * sums Σ_B reduce back over exactly those axes (`ReduceSum`).
 *
 * Broadcasting is explicit and validated: w and b must each have rank ≤ x's
 * rank and, aligned to x's trailing axes (numpy's rule), every size equal to
 * x's or 1 — e.g. `[C]` or `[1, 1, 1, C]` for one factor per channel, the
 * NHWC form of MatConvNet's 1×1×C. They never enlarge x: y has x's shape.
 * (DagNN's Scale broadcasts with bsxfun and checks nothing; FIXED here.)
 * b is optional (DagNN's `hasBias`); with b null, dz/db is null.
 */
import { formatShape, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectShape } from './checks.js';

export interface ScaleBackwardResult {
  dzdx: Tensor;
  /** Of w's shape. */
  dzdw: Tensor;
  /** Of b's shape; null when there is no bias. */
  dzdb: Tensor | null;
}

/** `x ⊙ w + b` with w, b broadcast over their size-1 (or missing leading) axes. */
export function scale(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  const block = 'scale';
  const backend = backendOf(block, { x, w, b }, ['x', 'w']);
  broadcastAxes(block, 'w', w.shape, x.shape);
  if (b) broadcastAxes(block, 'b', b.shape, x.shape);
  const xw = backend.run('Binary', { a: x, b: w }, { op: 'mul' });
  if (!b) return xw;
  const y = backend.run('Binary', { a: xw, b }, { op: 'add' });
  xw.dispose();
  return y;
}

/** Derivatives of `scale` projected onto `dzdy` (of x's shape). */
export function scaleBackward(x: Tensor, w: Tensor, b: Tensor | null, dzdy: Tensor): ScaleBackwardResult {
  const block = 'scaleBackward';
  const backend = backendOf(block, { x, w, b, dzdy }, ['x', 'w', 'dzdy']);
  const wAxes = broadcastAxes(block, 'w', w.shape, x.shape);
  const bAxes = b ? broadcastAxes(block, 'b', b.shape, x.shape) : [];
  expectShape(block, 'dzdy', dzdy, x.shape, 'the shape of x');
  const dzdx = backend.run('Binary', { a: dzdy, b: w }, { op: 'mul' });
  const prod = backend.run('Binary', { a: dzdy, b: x }, { op: 'mul' });
  const dzdw = reduceTo(prod, wAxes, w.shape);
  prod.dispose(); // a view of it (dzdw, when nothing is summed) keeps its values alive
  const dzdb = b ? reduceTo(dzdy, bAxes, b.shape) : null;
  return { dzdx, dzdw, dzdb };
}

/**
 * The axes of x over which `p` broadcasts (sizes 1 in p where x's differ, and
 * x's leading axes that p lacks). Throws unless p broadcasts to x without enlarging it.
 */
function broadcastAxes(block: string, name: string, p: Shape, x: Shape): number[] {
  const lead = x.length - p.length;
  const ok = lead >= 0 && p.every((d, i) => d === 1 || d === x[lead + i]);
  if (!ok) {
    throw new ShapeError(
      block,
      name,
      `${name} must broadcast to x ${formatShape(x)} (rank ≤ ${x.length}, each size 1 or x's, aligned to x's last axes), got ${formatShape(p)}`,
    );
  }
  const axes: number[] = [];
  x.forEach((d, i) => {
    if (i < lead || (p[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  return axes;
}

/** Σ over `axes` (kept as size 1), then reshaped to `shape` (a view of the sum where the backend can). */
function reduceTo(t: Tensor, axes: readonly number[], shape: Shape): Tensor {
  const backend = t.backend;
  if (axes.length === 0) return backend.run('Reshape', { x: t }, { shape });
  const s = backend.run('ReduceSum', { x: t }, { axes });
  const r = backend.run('Reshape', { x: s }, { shape });
  s.dispose();
  return r;
}
