import type { Backend, FloatArray, KernelAttrs, KernelName, Shape, Tensor } from '@convnet-ts/tensor';
import { Rng, sizeOf } from '@convnet-ts/tensor';

/** Host-side values of a kernel input: a shape and row-major numbers. */
export interface HostTensor {
  shape: Shape;
  values: Float64Array;
}

export function host(shape: Shape, values: ArrayLike<number>): HostTensor {
  return { shape, values: Float64Array.from(values) };
}

/** Normal values from a seeded generator. */
export function hostRandn(shape: Shape, seed: number, std = 1): HostTensor {
  return host(shape, new Rng(seed).randn(sizeOf(shape)).map((v) => v * std));
}

/** Uniform values in [lo, hi). */
export function hostRand(shape: Shape, seed: number, lo = 0, hi = 1): HostTensor {
  return host(shape, new Rng(seed).rand(sizeOf(shape)).map((v) => lo + (hi - lo) * v));
}

/** Distinct values spaced by `gap`, shuffled: no ties (max pooling) and no zeros (ReLU). */
export function hostDistinct(shape: Shape, seed: number, gap = 0.05): HostTensor {
  const n = sizeOf(shape);
  const perm = new Rng(seed).randperm(n);
  return host(shape, Array.from(perm, (p) => (p - (n + 0.5) / 2) * gap));
}

/** A kernel's inputs as host values (tensors), or nested lists of them, or null. */
export type HostInputs = Record<string, HostTensor | readonly HostTensor[] | null>;

export function upload(backend: Backend, inputs: HostInputs): Record<string, Tensor | Tensor[] | null> {
  const out: Record<string, Tensor | Tensor[] | null> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (v === null) out[k] = null;
    else if (Array.isArray(v)) out[k] = (v as readonly HostTensor[]).map((h) => backend.tensor(h.values, h.shape));
    else out[k] = backend.tensor((v as HostTensor).values, (v as HostTensor).shape);
  }
  return out;
}

/** Runs a kernel from host inputs and reads every output back (`null` outputs stay null). */
export async function runOnHost<K extends KernelName>(
  backend: Backend,
  kernel: K,
  inputs: HostInputs,
  attrs: KernelAttrs<K>,
): Promise<Record<string, { shape: Shape; values: FloatArray } | null>> {
  const tensors = upload(backend, inputs);
  const out = backend.run(kernel, tensors as never, attrs) as unknown;
  const result: Record<string, { shape: Shape; values: FloatArray } | null> = {};
  const read = async (t: Tensor) => ({ shape: t.shape, values: await t.data() });
  if (isTensor(out)) result.out = await read(out);
  else {
    for (const [k, v] of Object.entries(out as Record<string, Tensor | null>)) result[k] = v ? await read(v) : null;
  }
  for (const v of Object.values(tensors)) {
    if (Array.isArray(v)) for (const t of v) t.dispose();
    else v?.dispose();
  }
  if (isTensor(out)) out.dispose();
  else for (const v of Object.values(out as Record<string, Tensor | null>)) v?.dispose();
  return result;
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'storage' in v && 'shape' in v && 'backend' in v;
}

/** Largest |a − b| / (1 + |b|) over all elements; Infinity when sizes differ or a value is NaN. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!));
    if (!(d <= m)) m = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return m;
}
