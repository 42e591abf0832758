import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { assignInto, copyToContiguous, isContiguous, rowMajorView, sliceView } from './strided-view.js';

/** A seeded linear congruential generator in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('strided views', () => {
  it("match scijs ndarray's strides, lo/hi slices, transposes and row-major reads on random shapes", () => {
    const rand = lcg(7);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + Math.floor(rand() * 4);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 4));
      const data = Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) + 3 }, (_, i) => i * 0.5);
      const v = rowMajorView(data, shape, 3);
      const n = ndarray(data, shape, undefined, 3);
      expect(v.stride).toEqual(n.stride);
      const begin = shape.map((d) => Math.floor(rand() * d));
      const size = shape.map((d, i) => Math.floor(rand() * (d - begin[i]!)) + 1);
      const s = sliceView(v, begin, size);
      const ns = n.lo(...begin).hi(...size);
      expect([s.offset, s.shape, s.stride]).toEqual([ns.offset, ns.shape, ns.stride]);
      const order = shape.map((_, i) => i).sort(() => rand() - 0.5);
      const nt = ns.transpose(...order);
      const t = { data, shape: nt.shape, stride: nt.stride, offset: nt.offset };
      const expected = new Float64Array(nt.size);
      let o = 0;
      const idx = new Array<number>(rank).fill(0);
      for (let k = 0; k < nt.size; k++) {
        expected[o++] = nt.get(...idx);
        for (let d = rank - 1; d >= 0 && ++idx[d]! === nt.shape[d]; d--) idx[d] = 0;
      }
      expect(copyToContiguous(t, new Float64Array(nt.size))).toEqual(expected);
      // The values are distinct, so the view is contiguous exactly when its row-major read is a run of the data.
      expect(isContiguous(t)).toBe(expected.every((e, k) => e === data[t.offset + k]));
    }
  });

  it('assignInto writes a view of the same shape in row-major order and nothing outside it', () => {
    const out = new Float32Array(12);
    const dst = sliceView(rowMajorView(out, [3, 4]), [1, 1], [2, 2]);
    assignInto(dst, rowMajorView(Float32Array.of(1, 2, 3, 4), [2, 2]));
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0]);
  });

  it('isContiguous ignores the stride of length-1 axes and sees gaps', () => {
    expect(isContiguous({ data: new Float32Array(6), shape: [1, 6], stride: [99, 1], offset: 0 })).toBe(true);
    expect(isContiguous({ data: new Float32Array(8), shape: [2, 3], stride: [4, 1], offset: 0 })).toBe(false);
    expect(isContiguous(rowMajorView(new Float32Array(1), []))).toBe(true);
  });
});
