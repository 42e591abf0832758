import { describe, expect, it } from 'vitest';
import { columnToRowMajor, fitsLayout, mapFromMatlab, mapShapeFromMatlab, mapShapeToMatlab, mapToMatlab, matlabDims, rowToColumnMajor } from './matconvnet-layout.js';
import { digits, digitsAt } from './test-matconvnet.js';

const dataOf = (dims: number[]) => (digits(dims) as { data: Float32Array }).data;

describe('MATLAB ↔ convnet-ts layouts', () => {
  it('same dims: element (i0, i1, …) keeps its value; the two directions are inverse', () => {
    for (const dims of [[3], [2, 3], [2, 3, 4], [2, 1, 3, 2], [1, 2, 2, 1, 3]]) {
      const col = dataOf(dims.length === 1 ? [dims[0]!, 1] : dims);
      const row = columnToRowMajor(col, dims);
      let i = 0;
      const walk = (idx: number[]): void => {
        if (idx.length === dims.length) expect(row[i++]).toBe(digitsAt(dims.length === 1 ? [...idx, 0] : idx));
        else for (let k = 0; k < dims[idx.length]!; k++) walk([...idx, k]);
      };
      walk([]);
      expect(Array.from(rowToColumnMajor(row, dims))).toEqual(Array.from(col));
    }
  });

  it('feature maps: H×W×C×N ↔ [N, H, W, C]', () => {
    const dims = [2, 3, 4, 2];
    const col = dataOf(dims);
    const nhwc = mapFromMatlab(col, dims);
    expect(nhwc[((1 * 2 + 1) * 3 + 2) * 4 + 3]).toBe(digitsAt([1, 2, 3, 1])); // n = 1, h = 1, w = 2, c = 3
    expect(Array.from(mapToMatlab(nhwc, [2, 2, 3, 4]))).toEqual(Array.from(col));
  });

  it('MATLAB dims of shapes, Scale-like shapes, and which arrays fit a layout', () => {
    expect(matlabDims([5, 5, 20, 1])).toEqual([5, 5, 20]);
    expect(matlabDims([7])).toEqual([7, 1]);
    expect(mapShapeFromMatlab([1, 1, 3])).toEqual([3]);
    expect(mapShapeFromMatlab([4, 5, 3])).toEqual([4, 5, 3]);
    expect(mapShapeToMatlab([3])).toEqual([1, 1, 3]);
    expect(fitsLayout([1, 4], [4], 'vector')).toBe(true);
    expect(fitsLayout([2, 2], [4], 'vector')).toBe(false);
    expect(fitsLayout([3, 3, 2], [3, 3, 2, 1], 'same')).toBe(true);
    expect(fitsLayout([3, 2, 3], [3, 3, 2, 1], 'same')).toBe(false);
    expect(fitsLayout([1, 1, 3], [1, 1, 1, 3], 'map')).toBe(true);
  });
});
