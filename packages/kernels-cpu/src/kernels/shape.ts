import { resolveReshape, sizeOf } from '@convnet-ts/tensor';
import ndarray from 'ndarray';
import { copyToContiguous, isContiguous } from '../cpu-backend.js';
import type { CpuKernelTable } from '../kernel-table.js';

/** Reshape, slice, zero padding and concatenation; slices are ndarray views (no copy). */
export const shapeKernels = {
  Reshape: (cpu, { x }, attrs) => {
    const shape = resolveReshape('Reshape', x.shape, attrs.shape);
    const a = cpu.ndarray(x);
    if (isContiguous(a)) return cpu.fromNdarray(ndarray(a.data, [...shape], undefined, a.offset));
    return cpu.wrap(copyToContiguous(a, cpu.alloc(x.size)), shape);
  },

  Slice: (cpu, { x }, { begin, size }) => {
    const a = cpu.ndarray(x);
    const view = a.lo(...begin).hi(...size);
    return cpu.fromNdarray(view);
  },

  PadZeros: (cpu, { x }, { before, after }) => {
    const shape = x.shape.map((d, i) => d + before[i]! + after[i]!);
    const out = cpu.alloc(sizeOf(shape));
    const y = ndarray(out, shape);
    const inner = y.lo(...before).hi(...x.shape);
    assignInto(inner, cpu.ndarray(x));
    return cpu.wrap(out, shape);
  },

  Concat: (cpu, { xs }, { axis }) => {
    const first = xs[0]!;
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
    const out = cpu.alloc(sizeOf(shape));
    const y = ndarray(out, shape);
    let at = 0;
    for (const t of xs) {
      const begin = shape.map((_, i) => (i === axis ? at : 0));
      assignInto(y.lo(...begin).hi(...t.shape), cpu.ndarray(t));
      at += t.shape[axis]!;
    }
    return cpu.wrap(out, shape);
  },
} satisfies Partial<CpuKernelTable>;

type View = ReturnType<typeof ndarray<Float32Array | Float64Array>>;

/** Copies `src` into the view `dst` of the same shape (row-major walk over both). */
export function assignInto(dst: View, src: View): void {
  const values = copyToContiguous(src, dst.data instanceof Float64Array ? new Float64Array(src.size) : new Float32Array(src.size));
  const rank = dst.shape.length;
  if (values.length === 0) return;
  const idx = new Array<number>(rank).fill(0);
  const inner = dst.shape[rank - 1]!;
  const innerStride = dst.stride[rank - 1]!;
  let o = 0;
  for (;;) {
    let base = dst.offset;
    for (let d = 0; d < rank - 1; d++) base += idx[d]! * dst.stride[d]!;
    for (let j = 0; j < inner; j++) dst.data[base + j * innerStride] = values[o++]!;
    let d = rank - 2;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < dst.shape[d]!) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
}
