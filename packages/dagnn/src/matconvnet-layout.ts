/**
 * Array layouts between MATLAB and convnet-ts for MatConvNet DagNN files.
 *
 * A MATLAB array of dims `[d0, …, dr−1]` stores element (i0, …, ir−1) at
 * `i0 + d0·(i1 + d1·(i2 + …))` (column-major, MATLAB drops trailing singleton
 * dims beyond the second); a convnet-ts tensor stores its elements row-major.
 * The conversions themselves are @convnet-ts/simplenn's (one implementation
 * for both wrappers); this file says which one each parameter takes.
 * Three layouts occur:
 *
 * - `same`: the tensor has the array's dims, e.g. conv filters `H×W×D×K` →
 *   `[Hf, Wf, D, K]`, convt filters `H×W×K×D` → `[Hf, Wf, K, D]`, BatchNorm
 *   moments `C×2` → `[C, 2]`; element (h, w, d, k) keeps its value.
 * - `vector`: any `1×K`, `K×1` (or `1×1×K`) array → `[K]` (biases, BatchNorm
 *   multipliers and biases).
 * - `map`: a feature-map-like array `H×W×C×N` → `[N, H, W, C]` (inputs, and
 *   Scale's factors `1×1×C` → `[1, 1, 1, C]`, leading ones dropped).
 */
import { columnToRowMajor, featureMapFromMatlab, featureMapToMatlab, matlabDims, padDims, rowToColumnMajor } from '@convnet-ts/simplenn';
import type { Shape } from '@convnet-ts/tensor';

export { columnToRowMajor, matlabDims, padDims, rowToColumnMajor };

export type ParamLayout = 'same' | 'vector' | 'map';

type Numbers = Float32Array | Float64Array;

const numel = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A new typed array for values of a MATLAB class: float64 for double (and integers), float32 for single. */
export function allocFor(cls: string, n: number): Numbers {
  return cls === 'single' ? new Float32Array(n) : new Float64Array(n);
}

/** `[N, H, W, C]` row-major from a column-major `H×W×C×N` array (dims padded to 4). */
export function mapFromMatlab(data: ArrayLike<number>, dims4: readonly number[], out: Numbers = new Float64Array(data.length)): Numbers {
  return featureMapFromMatlab(data, dims4, out)!.data;
}

/** Column-major `H×W×C×N` from a row-major `[N, H, W, C]` tensor's data. */
export function mapToMatlab(data: ArrayLike<number>, shape4: readonly number[], out: Numbers = new Float64Array(data.length)): Numbers {
  return featureMapToMatlab(data, shape4 as [number, number, number, number], out).data;
}

/** `[n, h, w, c]` of MATLAB dims `h×w×c×n`, leading ones dropped (Scale's factors; at least one axis). */
export function mapShapeFromMatlab(dims: readonly number[]): Shape | null {
  const d = padDims(dims, 4);
  if (!d) return null;
  const shape = [d[3]!, d[0]!, d[1]!, d[2]!];
  while (shape.length > 1 && shape[0] === 1) shape.shift();
  return shape;
}

/** MATLAB dims `h×w×c×n` of a Scale-like shape (left-padded to `[n, h, w, c]`). */
export function mapShapeToMatlab(shape: readonly number[]): number[] {
  const s = [...shape];
  while (s.length < 4) s.unshift(1);
  return matlabDims([s[1]!, s[2]!, s[3]!, s[0]!]);
}

/** Does a MATLAB array of `dims` fit the tensor `shape` in `layout`? */
export function fitsLayout(dims: readonly number[], shape: Shape, layout: ParamLayout): boolean {
  if (numel(dims) !== numel(shape)) return false;
  if (layout === 'vector') return dims.filter((d) => d !== 1).length <= 1 && shape.length === 1;
  if (layout === 'map') {
    const s = mapShapeFromMatlab(dims);
    const t = [...shape];
    while (t.length > 1 && t[0] === 1) t.shift();
    return s !== null && s.length === t.length && s.every((d, i) => d === t[i]);
  }
  const d = padDims(dims, Math.max(shape.length, 2));
  const t = [...shape];
  while (t.length < 2) t.push(1);
  return d !== null && d.length === t.length && d.every((x, i) => x === t[i]);
}

/** The row-major values of a MATLAB array laid out as `shape` in `layout` (checked by `fitsLayout` first). */
export function toTensorData(data: ArrayLike<number>, dims: readonly number[], layout: ParamLayout, out: Numbers): Numbers {
  if (layout === 'vector') {
    for (let i = 0; i < data.length; i++) out[i] = data[i]!;
    return out;
  }
  if (layout === 'map') return mapFromMatlab(data, padDims(dims, 4)!, out);
  return columnToRowMajor(data, dims, out);
}

/** The column-major values and MATLAB dims of a tensor's row-major data in `layout`. */
export function fromTensorData(data: ArrayLike<number>, shape: Shape, layout: ParamLayout, out: Numbers): { data: Numbers; dims: number[] } {
  if (layout === 'vector') {
    for (let i = 0; i < data.length; i++) out[i] = data[i]!;
    return { data: out, dims: [data.length, 1] };
  }
  if (layout === 'map') {
    const s = [...shape];
    while (s.length < 4) s.unshift(1);
    return { data: mapToMatlab(data, s, out), dims: mapShapeToMatlab(shape) };
  }
  return { data: rowToColumnMajor(data, shape, out), dims: matlabDims(shape) };
}
