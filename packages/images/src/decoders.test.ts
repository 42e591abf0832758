import { describe, expect, it } from 'vitest';
import { createImageReader } from './node.js';
import type { ImageList } from './reader.js';
import { jpegBytes, pattern, pngBytes, withExifOrientation } from './test-images.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('decoders: sharp (libvips) and jpeg-js + pngjs give the same pixels', () => {
  it('PNG grey, RGB, RGBA exactly; JPEG within 2 grey levels on 95% of pixels; EXIF orientations alike', async () => {
    const js = await createImageReader({ decoder: 'js' });
    const sharp = await createImageReader({ decoder: 'sharp' });
    try {
      const jpg = jpegBytes(10, 6, pattern(10, 6, 3));
      const sources = [pngBytes(5, 4, 1, pattern(5, 4, 1)), pngBytes(5, 4, 3, pattern(5, 4, 3)), pngBytes(5, 4, 4, pattern(5, 4, 4)), jpg, ...[3, 6, 8].map((o) => withExifOrientation(jpg, o))];
      const a = (await js.read(sources)) as ImageList;
      const b = (await sharp.read(sources)) as ImageList;
      expect(a.images.map((i) => [i.height, i.width, i.channels])).toEqual([[4, 5, 1], [4, 5, 3], [4, 5, 3], [6, 10, 3], [6, 10, 3], [10, 6, 3], [10, 6, 3]]);
      expect(b.images.map((i) => [i.height, i.width, i.channels])).toEqual(a.images.map((i) => [i.height, i.width, i.channels]));
      for (let k = 0; k < 3; k++) expect(Array.from(b.images[k]!.data)).toEqual(Array.from(a.images[k]!.data));
      for (let k = 3; k < 7; k++) {
        const x = a.images[k]!.data;
        const y = b.images[k]!.data;
        const close = x.filter((v, i) => Math.abs(v - y[i]!) <= 2).length / x.length;
        expect(close).toBeGreaterThan(0.95);
        expect(maxDiff(x, y)).toBeLessThanOrEqual(12);
      }
      // orientation 6 (90° clockwise): displayed (x, y) is stored (y, H − 1 − x)
      const stored = a.images[3]!;
      const turned = a.images[5]!;
      for (let y = 0; y < 10; y++) for (let x = 0; x < 6; x++) expect(turned.data[(y * 6 + x) * 3]).toBe(stored.data[((5 - x) * 10 + y) * 3]);
      const off = (await js.read([withExifOrientation(jpg, 6)], { exifOrientation: false })) as ImageList;
      expect(Array.from(off.images[0]!.data)).toEqual(Array.from(stored.data));
    } finally {
      js.close();
      sharp.close();
    }
  });
});
