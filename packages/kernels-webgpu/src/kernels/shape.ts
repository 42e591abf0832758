import { resolveReshape, type Shape, stridesOf } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import { storageOf } from '../storage.js';
import { sizeUniforms, splitIndex, strideUniforms } from './nd-index.js';

/**
 * Reshape, slice, zero padding and concatenation. Reshapes are always views
 * (storage is row-major); a slice is a view when its elements are one
 * contiguous run of the parent (leading sizes 1, trailing axes whole),
 * otherwise a strided gather. Padding is a gather that writes zeros outside
 * the input; concatenation places each input into its region of the output.
 */
export const shapeKernels = {
  Reshape: (gpu, { x }, attrs) => {
    const { shared, offset } = storageOf(x);
    return gpu.view(shared, offset, resolveReshape('Reshape', x.shape, attrs.shape));
  },

  Slice: (gpu, { x }, { begin, size }) => {
    const strides = stridesOf(x.shape);
    const base = begin.reduce((s, b, d) => s + b * strides[d]!, 0);
    const { shared, offset } = storageOf(x);
    if (isContiguousRegion(x.shape, size)) return gpu.view(shared, offset + base, size);
    const y = gpu.empty(size);
    const rank = size.length;
    const src = Array.from({ length: rank }, (_, d) => `c${d} * u.s${d}`).join(' + ') || '0u';
    gpu.dispatch({
      kernel: 'Slice',
      variant: `rank${rank}`,
      inputs: { x },
      outputs: { y },
      u32: { base, ...sizeUniforms(size), ...strideUniforms(x.shape, 's', strides) },
      threads: y.size,
      body: `${splitIndex(rank)}\n  y[i] = x[u.base + ${src}];`,
    });
    return y;
  },

  PadZeros: (gpu, { x }, { before, after }) => {
    const shape = x.shape.map((d, k) => d + before[k]! + after[k]!);
    const y = gpu.empty(shape);
    const rank = shape.length;
    const lines = [splitIndex(rank), '  var src = 0;', '  var inside = true;'];
    for (let d = 0; d < rank; d++) {
      lines.push(`  let k${d} = i32(c${d}) - u.b${d};`);
      lines.push(`  inside = inside && k${d} >= 0 && k${d} < u.m${d};`);
      lines.push(`  src = src + k${d} * u.s${d};`);
    }
    lines.push('  y[i] = select(0.0, x[u32(max(src, 0))], inside);');
    gpu.dispatch({
      kernel: 'PadZeros',
      variant: `rank${rank}`,
      inputs: { x },
      outputs: { y },
      u32: sizeUniforms(shape),
      i32: { ...sizeUniforms(before, 'b'), ...sizeUniforms(x.shape, 'm'), ...strideUniforms(x.shape) },
      threads: y.size,
      body: lines.join('\n'),
    });
    return y;
  },

  Concat: (gpu, { xs }, { axis }) => {
    const first = xs[0]!;
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis]!, 0);
    const y = gpu.empty(shape);
    const outStrides = stridesOf(shape);
    const rank = shape.length;
    const dst = Array.from({ length: rank }, (_, d) => `c${d} * u.s${d}`).join(' + ') || '0u';
    let at = 0;
    for (const x of xs) {
      gpu.dispatch({
        kernel: 'Concat',
        variant: `rank${rank}`,
        inputs: { x },
        outputs: { y },
        u32: { base: at * outStrides[axis]!, ...sizeUniforms(x.shape), ...strideUniforms(shape, 's', outStrides) },
        threads: x.size,
        body: `${splitIndex(rank)}\n  y[u.base + ${dst}] = x[i];`,
      });
      at += x.shape[axis]!;
    }
    return y;
  },
} satisfies Partial<WebGPUKernelTable>;

/** True when a `size` block of a `shape` tensor is one contiguous run: sizes 1, then one partial axis, then whole axes. */
function isContiguousRegion(shape: Shape, size: Shape): boolean {
  let d = 0;
  while (d < size.length && size[d] === 1) d++;
  for (let k = d + 1; k < size.length; k++) if (size[k] !== shape[k]) return false;
  return true;
}
