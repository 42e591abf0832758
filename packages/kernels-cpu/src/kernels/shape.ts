import { resolveReshape, sizeOf } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';
import { assignInto, copyToContiguous, isContiguous, rowMajorView, sliceView } from '../strided-view.js';

/** Reshape, slice, zero padding and concatenation; slices are strided views (no copy). */
export const shapeKernels = {
  Reshape: (cpu, { x }, attrs) => {
    const shape = resolveReshape('Reshape', x.shape, attrs.shape);
    const a = cpu.view(x);
    if (isContiguous(a)) return cpu.fromView(rowMajorView(a.data, shape, a.offset));
    return cpu.wrap(copyToContiguous(a, cpu.alloc(x.size)), shape);
  },

  Slice: (cpu, { x }, { begin, size }) => cpu.fromView(sliceView(cpu.view(x), begin, size)),

  PadZeros: (cpu, { x }, { before, after }) => {
    const shape = x.shape.map((d, i) => d + before[i]! + after[i]!);
    const out = cpu.alloc(sizeOf(shape));
    assignInto(sliceView(rowMajorView(out, shape), before, x.shape), cpu.view(x));
    return cpu.wrap(out, shape);
  },

  Concat: (cpu, { xs }, { axis }) => {
    const first = xs[0]!;
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
    const out = cpu.alloc(sizeOf(shape));
    const y = rowMajorView(out, shape);
    let at = 0;
    for (const t of xs) {
      const begin = shape.map((_, i) => (i === axis ? at : 0));
      assignInto(sliceView(y, begin, t.shape), cpu.view(t));
      at += t.shape[axis]!;
    }
    return cpu.wrap(out, shape);
  },
} satisfies Partial<CpuKernelTable>;
