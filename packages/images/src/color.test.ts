import { describe, expect, it } from 'vitest';
import { colourShift, processColour } from './color.js';
import type { Draws } from './jitter.js';
import { drawJitter } from './jitter.js';
import { type Matrix3, parseReadOptions, type ReadImagesOptions } from './options.js';

const spec = (o: ReadImagesOptions) => parseReadOptions('test', o).spec;
const z = (d: Partial<Draws> = {}): Draws => ({ anisotropy: 0, size: 0, x: 0, y: 0, flip: 1, saturation: 0.5, contrast: 0.5, w: [0, 0, 0], ...d });

describe('colour processing (hand-computed)', () => {
  it('average triplet and brightness B·w', () => {
    const px = Float32Array.from([10, 20, 30, 40, 50, 60]);
    // B = [[1, 2, 0], [0, 1, 0], [0, 0, 3]], w = [1, −1, 2]: B·w = [−1, −1, 6]
    processColour(px, 3, spec({ subtractAverage: [1, 2, 3], brightness: [[1, 2, 0], [0, 1, 0], [0, 0, 3]] }), z({ w: [1, -1, 2] }));
    expect(Array.from(px)).toEqual([8, 17, 33, 38, 47, 63]);
  });

  it('contrast c = 1 + C(2u − 1) pulls each channel toward its mean; saturation s toward the pixel grey', () => {
    const px = Float32Array.from([10, 20, 30, 50, 60, 70]);
    // C = 0.5, u = 1: c = 1.5; channel means 30, 40, 50 → 1.5·v − 0.5·mean
    processColour(px, 3, spec({ contrast: 0.5 }), z({ contrast: 1 }));
    expect(Array.from(px)).toEqual([0, 10, 20, 60, 70, 80]);
    const q = Float32Array.from([10, 20, 30]);
    // S = 1, u = 0.25: s = 0.5; grey 20 → 0.5·v + 0.5·20
    processColour(q, 3, spec({ saturation: 1 }), z({ saturation: 0.25 }));
    expect(Array.from(q)).toEqual([15, 20, 25]);
  });

  it('grey (K = 1): B₁₁·w₁ and the first average; saturation changes nothing', () => {
    const px = Float32Array.from([10, 30]);
    processColour(px, 1, spec({ subtractAverage: [5, 7, 9], brightness: 2, saturation: 1 }), z({ w: [1.5, 9, 9], saturation: 0 }));
    expect(Array.from(px)).toEqual([8, 28]);
    // an [H, W, 3] average image: each grey pixel takes its own pixel's first value (1×2 image: R 1 and 4)
    const g = Float32Array.from([10, 30]);
    processColour(g, 1, spec({ resize: [1, 2], subtractAverage: { height: 1, width: 2, data: [1, 2, 3, 4, 5, 6] } }), z());
    expect(Array.from(g)).toEqual([9, 26]);
  });

  it('seeded colour shifts have covariance B·Bᵀ, flips rate ½ (8000 draws)', () => {
    const B = [[20, 5, 0], [0, 10, 3], [4, 0, 8]];
    const s = spec({ brightness: B as unknown as Matrix3 });
    const draws = drawJitter(7, 8000);
    const shifts = draws.map((d) => colourShift(s, d, 3));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const cov = shifts.reduce((a, v) => a + v[i]! * v[j]!, 0) / shifts.length;
        const want = B[i]!.reduce((a, b, k) => a + b * B[j]![k]!, 0);
        expect(Math.abs(cov - want)).toBeLessThan(0.06 * 425); // 425 = |B row 1|², the largest variance
      }
    }
    const flips = draws.filter((d) => d.flip < 0.5).length / draws.length;
    expect(Math.abs(flips - 0.5)).toBeLessThan(0.02);
    expect(drawJitter(7, 3)).toEqual(draws.slice(0, 3));
  });
});
