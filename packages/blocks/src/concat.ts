/**
 * `concat` — concatenation along one axis (MatConvNet `vl_nnconcat`,
 * matconvnet-api §1.16; DagNN `Concat`, §3.3):
 *
 *   y = [x_1, x_2, …, x_m] along the axis,   dz/dx_i = the slice of dz/dy that x_i fills.
 *
 * The axis is given either as
 * - `dim`: MatConvNet's 1-based dimension of its H×W×C×N arrays, mapped onto
 *   our `[N, H, W, C]` layout as dim 1 (H) → axis 1, 2 (W) → axis 2,
 *   3 (C) → axis 3, 4 (N) → axis 0; inputs must then be 4-D; or
 * - `axis`: a 0-based axis of our row-major layout (any rank).
 * The default is MatConvNet's `dim: 3`, the channels (axis 3).
 *
 * Inputs must agree on every other axis: nothing is broadcast or truncated.
 * `concatBackward` takes the inputs or only their shapes (MatConvNet's
 * `inputSizes` form) and returns one slice of dz/dy per input, views on the CPU.
 */
import { formatShape, OptionError, type Shape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { backendOf } from './checks.js';
import { checkOptionNames, describe } from './options.js';

export interface ConcatOptions {
  /** MatConvNet's 1-based dimension: 1 = H, 2 = W, 3 = C (default), 4 = N. */
  dim?: number;
  /** 0-based axis of the row-major layout (`[N, H, W, C]`: 0 = N, 3 = C). Excludes `dim`. */
  axis?: number;
}

/** MatConvNet's dims 1..4 (H, W, C, N) → axes of `[N, H, W, C]`. */
export const DIM_TO_AXIS: Readonly<Record<1 | 2 | 3 | 4, number>> = { 1: 1, 2: 2, 3: 3, 4: 0 };

/** Concatenation of `xs` along `dim` / `axis` (default: channels). */
export function concat(xs: readonly Tensor[], opts: ConcatOptions = {}): Tensor {
  const block = 'concat';
  const first = checkList(block, 'xs', xs);
  const backend = backendOf(block, Object.fromEntries(xs.map((t, i) => [`xs[${i}]`, t])), xs.map((_, i) => `xs[${i}]`));
  const axis = parseAxis(block, opts, first.rank);
  checkSizes(block, 'xs', xs.map((t) => t.shape), axis);
  return backend.run('Concat', { xs }, { axis });
}

/**
 * Derivatives of `concat` projected onto `dzdy`: one slice per input. `xs` are
 * the inputs or their shapes (MatConvNet's `inputSizes`).
 */
export function concatBackward(xs: readonly (Tensor | Shape)[], dzdy: Tensor, opts: ConcatOptions = {}): Tensor[] {
  const block = 'concatBackward';
  checkList(block, 'xs', xs);
  const tensors = xs.flatMap((t, i) => (Array.isArray(t) ? [] : [[`xs[${i}]`, t as Tensor] as const]));
  const backend = backendOf(block, { dzdy, ...Object.fromEntries(tensors) });
  const shapes = xs.map((s) => (Array.isArray(s) ? (s as Shape) : (s as Tensor).shape));
  const axis = parseAxis(block, opts, dzdy.rank);
  checkSizes(block, 'xs', [dzdy.shape, ...shapes], axis, 1);
  const total = shapes.reduce((n, s) => n + s[axis]!, 0);
  if (total !== dzdy.shape[axis]) {
    throw new ShapeError(
      block,
      'dzdy',
      `dzdy must have size ${total} along axis ${axis} (the inputs' sizes summed), got shape ${formatShape(dzdy.shape)}`,
    );
  }
  let at = 0;
  return shapes.map((s) => {
    const begin = dzdy.shape.map((_, i) => (i === axis ? at : 0));
    at += s[axis]!;
    return backend.run('Slice', { x: dzdy }, { begin, size: s });
  });
}

function checkList<T>(block: string, name: string, xs: readonly T[]): T {
  if (!Array.isArray(xs) || xs.length === 0) {
    throw new ShapeError(block, name, `${name} must be a non-empty list of tensors, got ${describe(xs)}`);
  }
  return xs[0] as T;
}

function parseAxis(block: string, opts: ConcatOptions, rank: number): number {
  checkOptionNames(block, opts, ['dim', 'axis']);
  if (opts.dim !== undefined && opts.axis !== undefined) {
    throw new OptionError(block, 'dim', `dim (1-based, MatConvNet) and axis (0-based) must not both be given, got both`);
  }
  if (opts.axis !== undefined) {
    const a = opts.axis;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= rank) {
      throw new OptionError(block, 'axis', `axis must be an integer in [0, ${rank - 1}] for inputs of rank ${rank}, got ${describe(a)}`);
    }
    return a;
  }
  const d = opts.dim ?? 3;
  if (d !== 1 && d !== 2 && d !== 3 && d !== 4) {
    throw new OptionError(block, 'dim', `dim must be 1 (H), 2 (W), 3 (C) or 4 (N), got ${describe(d)}`);
  }
  if (rank !== 4) {
    throw new ShapeError(block, 'xs', `xs must have 4 dimensions [N, H, W, C] with dim (use axis for other ranks), got rank ${rank}`);
  }
  return DIM_TO_AXIS[d];
}

/** Every shape must have the first one's rank and sizes outside `axis`. */
function checkSizes(block: string, name: string, shapes: readonly Shape[], axis: number, offset = 0): void {
  const ref = shapes[0]!;
  const pattern = `[${ref.map((d, i) => (i === axis ? '*' : String(d))).join(', ')}]`;
  shapes.forEach((s, i) => {
    const same = s.length === ref.length && s.every((d, j) => j === axis || d === ref[j]);
    if (!same || !s.every((d) => Number.isInteger(d) && d >= 0)) {
      const what = offset ? `dzdy ${formatShape(ref)}` : `${name}[0]`;
      throw new ShapeError(block, `${name}[${i - offset}]`, `${name}[${i - offset}] must match ${what} outside axis ${axis} (${pattern}), got ${formatShape(s)}`);
    }
  });
}
