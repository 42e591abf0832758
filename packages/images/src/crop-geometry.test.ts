import { describe, expect, it } from 'vitest';
import { outputSize, planCrop } from './crop-geometry.js';
import type { Draws } from './jitter.js';
import { parseReadOptions, type ReadImagesOptions } from './options.js';

const spec = (o: ReadImagesOptions) => parseReadOptions('test', o).spec;
const z = (d: Partial<Draws> = {}): Draws => ({ anisotropy: 0.5, size: 0.5, x: 0.5, y: 0.5, flip: 0.9, saturation: 0.5, contrast: 0.5, w: [0, 0, 0], ...d });

describe('vl_imreadjpeg crop geometry (hand-computed)', () => {
  it('output size: none, shorter side S, [H, W]', () => {
    expect(outputSize(spec({}), 375, 500)).toEqual([375, 500]);
    // s = max(256/500, 256/375) = 0.68267: 375·s = 256, 500·s = 341.33 → 341
    expect(outputSize(spec({ resize: 256 }), 375, 500)).toEqual([256, 341]);
    expect(outputSize(spec({ resize: 256 }), 500, 375)).toEqual([341, 256]);
    expect(outputSize(spec({ resize: [224, 200] }), 375, 500)).toEqual([224, 200]);
  });

  it("the 0.875 centre crop of cnn_imagenet's evaluation: 375×500 → 224×224", () => {
    // crop 224·(375/224)·0.875 = 328.125 → 328, centred: ⌊(500 − 328)/2⌋ = 86, ⌊(375 − 328)/2⌋ = 23
    expect(planCrop(spec({ resize: [224, 224], cropSize: 0.875 }), 375, 500, z())).toEqual({ outHeight: 224, outWidth: 224, top: 23, left: 86, cropHeight: 328, cropWidth: 328, flip: false });
  });

  it('cropAnisotropy 0 stretches the whole image; a fixed anisotropy shapes the crop', () => {
    expect(planCrop(spec({ resize: [224, 224], cropAnisotropy: 0 }), 375, 500, z())).toMatchObject({ top: 0, left: 0, cropHeight: 375, cropWidth: 500 });
    // a = 2 on a 100×100 input, 10×10 output: crop 10√2 × 10/√2, scaled by 100/(10√2) → 100 × 50
    expect(planCrop(spec({ resize: [10, 10], cropAnisotropy: 2 }), 100, 100, z())).toMatchObject({ top: 25, left: 0, cropHeight: 50, cropWidth: 100 });
  });

  it('ranges: z = 0 takes the maximum, z → 1 the minimum (log-uniform anisotropy, area-uniform size)', () => {
    const s = spec({ resize: [10, 10], cropAnisotropy: [0.5, 2], cropSize: [0.5, 1] });
    expect(planCrop(s, 100, 100, z({ anisotropy: 0, size: 0 }))).toMatchObject({ cropHeight: 50, cropWidth: 100 });
    expect(planCrop(s, 100, 100, z({ anisotropy: 1, size: 1 }))).toMatchObject({ cropHeight: 50, cropWidth: 25 });
    // anisotropy z = ½: a = exp(½(ln ½ + ln 2)) = 1; size z = ½: √(½(¼ + 1)) = 0.7906 → 79
    expect(planCrop(s, 100, 100, z({ anisotropy: 0.5, size: 0.5 }))).toMatchObject({ cropHeight: 79, cropWidth: 79, top: 10, left: 10 });
  });

  it("random location: ⌊z·(W − w + 1)⌋; flip when z < ½", () => {
    const s = spec({ resize: [4, 4], cropSize: 0.5, cropLocation: 'random', flip: true });
    expect(planCrop(s, 8, 8, z({ x: 0, y: 0.999, flip: 0.49 }))).toEqual({ outHeight: 4, outWidth: 4, top: 4, left: 0, cropHeight: 4, cropWidth: 4, flip: true });
    expect(planCrop(s, 8, 8, z({ x: 0.3, y: 0.5, flip: 0.5 }))).toMatchObject({ top: 2, left: 1, flip: false });
  });
});
