import type { FloatArray, Shape } from '@convnet-ts/tensor';

/**
 * The CPU backend's storage: element `[i0, …, i(r−1)]` is
 * `data[offset + Σ i_d·stride[d]]`. The same fields as a scijs ndarray
 * (which `CpuBackend.ndarray(t)` returns for interop), but a plain object:
 * ndarray compiles a class per dtype and rank with `new Function`, which a
 * page under a Content-Security-Policy without `'unsafe-eval'` refuses.
 */
export interface StridedView {
  readonly data: FloatArray;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly offset: number;
}

/** The row-major view of `shape` over `data` from `offset`: strides `stride[d] = Π_{e>d} shape[e]`. */
export function rowMajorView(data: FloatArray, shape: Shape, offset = 0): StridedView {
  const stride = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d]!;
  }
  return { data, shape: [...shape], stride, offset };
}

/** The sub-view `[begin, begin + size)` on every axis, sharing `v.data` (ndarray's `v.lo(...begin).hi(...size)`). */
export function sliceView(v: StridedView, begin: readonly number[], size: readonly number[]): StridedView {
  let offset = v.offset;
  for (let d = 0; d < v.shape.length; d++) offset += begin[d]! * v.stride[d]!;
  return { data: v.data, shape: [...size], stride: [...v.stride], offset };
}

/** True when the view's strides are row-major contiguous (axes of length 1 may have any stride). */
export function isContiguous(a: StridedView): boolean {
  let s = 1;
  for (let i = a.shape.length - 1; i >= 0; i--) {
    if (a.shape[i]! !== 1 && a.stride[i] !== s) return false;
    s *= a.shape[i]!;
  }
  return true;
}

/** Copies any view into `out` (its element count long) in row-major order. */
export function copyToContiguous(a: StridedView, out: FloatArray): FloatArray {
  const n = out.length;
  if (n === 0) return out;
  if (isContiguous(a)) {
    out.set(a.data.subarray(a.offset, a.offset + n));
    return out;
  }
  // The walk is written out here and in assignInto: a callback per row made copies 1.5× slower.
  const { data, shape, stride } = a;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1]!;
  const innerStride = stride[rank - 1]!;
  let o = 0;
  for (;;) {
    let base = a.offset;
    for (let d = 0; d < rank - 1; d++) base += idx[d]! * stride[d]!;
    for (let j = 0; j < inner; j++) out[o++] = data[base + j * innerStride]!;
    let d = rank - 2;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}

/** Copies `src` into the view `dst` of the same shape (row-major walk over both). */
export function assignInto(dst: StridedView, src: StridedView): void {
  const { data, shape, stride } = dst;
  const size = shape.reduce((p, d) => p * d, 1);
  if (size === 0) return;
  const values = copyToContiguous(src, data instanceof Float64Array ? new Float64Array(size) : new Float32Array(size));
  const rank = shape.length;
  if (rank === 0) {
    data[dst.offset] = values[0]!;
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1]!;
  const innerStride = stride[rank - 1]!;
  let o = 0;
  for (;;) {
    let base = dst.offset;
    for (let d = 0; d < rank - 1; d++) base += idx[d]! * stride[d]!;
    for (let j = 0; j < inner; j++) data[base + j * innerStride] = values[o++]!;
    let d = rank - 2;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
}
