import { ShapeError } from './errors.js';
import { describeValue } from './values.js';

/** Sizes of a tensor, outermost first (row-major). Feature maps are `[N, H, W, C]`. */
export type Shape = readonly number[];

/** Number of elements of a tensor of this shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `[2, 3, 4]` — how shapes appear in error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Throws a `ShapeError` unless `shape` is an array of non-negative integers
 * (0 makes an empty tensor). Every backend calls it for every shape it is
 * given (`tensor`, `zeros`, `fill`, `Reshape`), so the rule lives here only.
 */
export function checkShape(block: string, argument: string, shape: Shape): void {
  if (!isShapeLike(shape)) {
    throw new ShapeError(block, argument, `a shape (array of non-negative integers) expected, got ${describeValue(shape)}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(block, argument, `sizes must be non-negative integers, got ${describeValue(shape)}`);
    }
  }
}

/**
 * The shape a tensor of shape `from` takes when reshaped to `to`, after
 * checking it: sizes are non-negative integers, except at most one `-1`,
 * which is inferred as `size(from) / Π(other sizes)` (the other sizes must
 * then have a non-zero product that divides the size); the element count is
 * preserved (`[2, 3] → [10]` throws, never pads or truncates). Every backend's
 * `Reshape` and `Tensor.reshape` go through it.
 */
export function resolveReshape(block: string, from: Shape, to: Shape): Shape {
  if (!isShapeLike(to)) {
    throw new ShapeError(block, 'shape', `a shape (array of non-negative integers, at most one -1) expected, got ${describeValue(to)}`);
  }
  const size = sizeOf(from);
  let infer = -1;
  let known = 1;
  for (let i = 0; i < to.length; i++) {
    const d = to[i]!;
    if (d === -1 && infer < 0) {
      infer = i;
      continue;
    }
    if (!Number.isInteger(d) || d < 0) {
      const what = d === -1 ? 'at most one -1' : 'non-negative integers or one -1';
      throw new ShapeError(block, 'shape', `sizes must be ${what}, got ${describeValue(to)}`);
    }
    known *= d;
  }
  if (infer < 0) {
    if (known !== size) {
      throw new ShapeError(block, 'shape', `a shape of ${size} elements (that of ${formatShape(from)}) expected, got ${formatShape(to)} (${known} elements)`);
    }
    return [...to];
  }
  if (known === 0 || size % known !== 0) {
    throw new ShapeError(block, 'shape', `sizes whose product divides ${size} (the elements of ${formatShape(from)}) to infer the -1, got ${formatShape(to)}`);
  }
  const resolved = [...to];
  resolved[infer] = size / known;
  return resolved;
}

function isShapeLike(shape: unknown): shape is Shape {
  return Array.isArray(shape) || (ArrayBuffer.isView(shape) && !(shape instanceof DataView));
}

