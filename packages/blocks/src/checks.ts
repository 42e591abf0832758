import { type Backend, BackendError, checkAllocation, formatShape, isTensor, type Shape, ShapeError, shapesEqual, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { describe } from './options.js';

/**
 * The backend shared by a block's tensor arguments. Throws if one is not a
 * tensor, was disposed, or lives on another backend than the first; null or
 * undefined is accepted only for an argument not in `required` (by default
 * the first one, x or dzdy, is required).
 */
export function backendOf(
  block: string,
  args: Record<string, Tensor | null | undefined>,
  required: readonly string[] = Object.keys(args).slice(0, 1),
): Backend {
  let backend: Backend | undefined;
  let first = '';
  for (const [name, t] of Object.entries(args)) {
    if (t === null || t === undefined) {
      if (required.includes(name)) throw new ShapeError(block, name, `${name} must be a Tensor, got ${describe(t)}`);
      continue;
    }
    if (!isTensor(t, block, name)) throw new ShapeError(block, name, `${name} must be a Tensor, got ${describe(t)}`);
    t.assertAlive(block, name);
    if (!backend) {
      backend = t.backend;
      first = name;
    } else if (t.backend !== backend) {
      const here = `${t.backend.name} ${t.backend.dtype}`;
      const there = `${backend.name} ${backend.dtype}`;
      const where = here === there ? `another ${here} backend instance than ${first}` : `the ${here} backend but ${first} lives on the ${there} backend`;
      throw new BackendError(block, name, `${name} lives on ${where}; move one of them first`);
    }
  }
  if (!backend) throw new ShapeError(block, Object.keys(args)[0] ?? 'x', 'expected at least one tensor');
  return backend;
}

/** Throws unless `t` is a tensor (for arguments that may not be null, such as a backward's `dzdy`). */
export function expectTensor(block: string, name: string, t: unknown): asserts t is Tensor {
  if (!isTensor(t, block, name)) throw new ShapeError(block, name, `${name} must be a Tensor, got ${describe(t)}`);
}

/** Throws unless `t` has `rank` dimensions. */
export function expectRank(block: string, name: string, t: Tensor, rank: number, layout = rank === 4 ? '[N, H, W, C]' : ''): void {
  if (t.rank !== rank) {
    throw new ShapeError(
      block,
      name,
      `${name} must have ${rank} dimensions${layout ? ` ${layout}` : ''}, got shape ${formatShape(t.shape)}`,
    );
  }
}

/** Throws unless `t` has exactly `shape`. */
export function expectShape(block: string, name: string, t: Tensor, shape: Shape, what = ''): void {
  if (!shapesEqual(t.shape, shape)) {
    throw new ShapeError(
      block,
      name,
      `${name} must have shape ${formatShape(shape)}${what ? ` (${what})` : ''}, got ${formatShape(t.shape)}`,
    );
  }
}

/**
 * Throws a `BackendError` before any kernel runs when the output `what` of
 * `shape`, sized from the block's options, is larger than the backend's
 * `maxTensorBytes` (conv, convt and pool: a huge pad or upsample on a small input).
 */
export function checkOutputSize(block: string, what: string, backend: Backend, shape: Shape): void {
  if (backend.maxTensorBytes === undefined) return;
  const bytesPerElement = backend.dtype === 'float64' ? 8 : 4;
  checkAllocation(block, `${what} ${formatShape(shape)}`, sizeOf(shape), bytesPerElement, backend.maxTensorBytes, `the ${backend.name} ${backend.dtype} backend's largest tensor`);
}
