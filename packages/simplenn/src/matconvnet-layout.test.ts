import { describe, expect, it } from 'vitest';
import { columnToRowMajor, featureMapFromMatlab, featureMapToMatlab, matlabDims, padDims, rowToColumnMajor } from './matconvnet-layout.js';

/** MATLAB's A(h, w, d, k) = 1000h + 100w + 10d + k (1-based), stored column-major. */
function coded(dims: readonly number[]): Float64Array {
  const [H, W, D, K] = dims as [number, number, number, number];
  const out = new Float64Array(H * W * D * K);
  for (let k = 1; k <= K; k++)
    for (let d = 1; d <= D; d++)
      for (let w = 1; w <= W; w++) for (let h = 1; h <= H; h++) out[h - 1 + H * (w - 1 + W * (d - 1 + D * (k - 1)))] = 1000 * h + 100 * w + 10 * d + k;
  return out;
}

describe('MATLAB ↔ convnet-ts layouts', () => {
  it('a 2×3×2×2 column-major array becomes row-major [2, 3, 2, 2] with every element in its place', () => {
    const rowMajor = columnToRowMajor(coded([2, 3, 2, 2]), [2, 3, 2, 2]);
    for (let h = 1; h <= 2; h++)
      for (let w = 1; w <= 3; w++)
        for (let d = 1; d <= 2; d++)
          for (let k = 1; k <= 2; k++) expect(rowMajor[(((h - 1) * 3 + (w - 1)) * 2 + (d - 1)) * 2 + (k - 1)]).toBe(1000 * h + 100 * w + 10 * d + k);
    // The first row-major elements walk k fastest, then d, w, h.
    expect(Array.from(rowMajor.slice(0, 6))).toEqual([1111, 1112, 1121, 1122, 1211, 1212]);
  });

  it('rowToColumnMajor undoes columnToRowMajor, for ranks 1 to 5', () => {
    for (const dims of [[7], [3, 4], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2]]) {
      const n = dims.reduce((a, b) => a * b, 1);
      const col = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);
      expect(Array.from(rowToColumnMajor(columnToRowMajor(col, dims), dims))).toEqual(Array.from(col));
    }
  });

  it('a matrix transposes as expected: MATLAB [1 2 3; 4 5 6] is column-major 1 4 2 5 3 6', () => {
    expect(Array.from(columnToRowMajor([1, 4, 2, 5, 3, 6], [2, 3]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(rowToColumnMajor([1, 2, 3, 4, 5, 6], [2, 3], new Float64Array(6)))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('MATLAB dims drop trailing singletons beyond the second; padDims restores them', () => {
    expect(matlabDims([5, 5, 20, 1])).toEqual([5, 5, 20]);
    expect(matlabDims([1, 1, 1, 1])).toEqual([1, 1]);
    expect(matlabDims([7])).toEqual([7, 1]);
    expect(matlabDims([1, 1, 500, 10])).toEqual([1, 1, 500, 10]);
    expect(padDims([5, 5, 20], 4)).toEqual([5, 5, 20, 1]);
    expect(padDims([3, 1, 1, 1, 1], 2)).toEqual([3, 1]);
    expect(padDims([2, 2, 2], 2)).toBeNull();
  });

  it('feature maps H×W×C×N ↔ [N, H, W, C]', () => {
    const dims = [2, 3, 2, 2];
    const mat = coded(dims); // here (h, w, c, n)
    const { data, shape } = featureMapFromMatlab(mat, dims)!;
    expect(shape).toEqual([2, 2, 3, 2]);
    for (let n = 1; n <= 2; n++)
      for (let h = 1; h <= 2; h++)
        for (let w = 1; w <= 3; w++) for (let c = 1; c <= 2; c++) expect(data[(((n - 1) * 2 + (h - 1)) * 3 + (w - 1)) * 2 + (c - 1)]).toBe(1000 * h + 100 * w + 10 * c + n);
    const back = featureMapToMatlab(data, shape);
    expect(back.dims).toEqual(dims);
    expect(Array.from(back.data)).toEqual(Array.from(mat));
    expect(featureMapFromMatlab(new Float32Array(8), [2, 2, 2])!.shape).toEqual([1, 2, 2, 2]);
    expect(featureMapFromMatlab(new Float32Array(32), [2, 2, 2, 2, 2])).toBeNull();
  });
});
