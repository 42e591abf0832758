/**
 * The baseline grey JPEG encoder against both of `@convnet-ts/images`'
 * decoders (sharp/libjpeg-turbo and jpeg-js, which read the file's own
 * tables): sizes that are not multiples of 8, flat, random and edge
 * images within JPEG's loss at quality 90 and 100, the zigzag order, and
 * well-formed Huffman tables.
 */
import { createImageReader, type ImageList } from '@convnet-ts/images/node';
import { setDefaultWorkerUrl } from '@convnet-ts/images/node';
import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { AC_VALUES, greyJpeg, quantTable, ZIGZAG } from './grey-jpeg.js';

const worker = new URL('../../../packages/images/dist/node-worker.js', import.meta.url);

describe('greyJpeg', () => {
  it('has Annex K’s tables: a zigzag over all 64 places, 162 distinct AC symbols covering every run/size, IJG quality scaling', () => {
    expect(ZIGZAG.slice(0, 10)).toEqual([0, 1, 8, 16, 9, 2, 3, 10, 17, 24]);
    expect(ZIGZAG.slice(-3)).toEqual([55, 62, 63]);
    expect(new Set(ZIGZAG).size).toBe(64);
    const symbols = new Set(AC_VALUES);
    expect(symbols.size).toBe(162);
    for (let run = 0; run < 16; run++) for (let size = 1; size <= 10; size++) expect(symbols.has((run << 4) | size)).toBe(true);
    expect(symbols.has(0x00) && symbols.has(0xf0)).toBe(true);
    expect(quantTable(50).slice(0, 3)).toEqual([16, 11, 10]);
    expect(quantTable(100).every((q) => q === 1)).toBe(true);
    expect(quantTable(90).slice(0, 3)).toEqual([3, 2, 2]); // ⌊(16·20 + 50)/100⌋, ⌊(11·20 + 50)/100⌋, ⌊(10·20 + 50)/100⌋
    expect(() => quantTable(0)).toThrow('quality must be an integer in 1..100');
    expect(() => greyJpeg(3, 3, new Uint8Array(8))).toThrow('must hold width × height bytes');
  });

  it('decodes (sharp and jpeg-js) to its pixels within JPEG’s loss', async () => {
    setDefaultWorkerUrl(worker);
    const rng = new Rng(3);
    const images = [
      { name: 'flat 9×5', w: 9, h: 5, px: new Uint8Array(45).fill(77) },
      { name: 'noise 17×13', w: 17, h: 13, px: Uint8Array.from({ length: 221 }, () => Math.floor(256 * rng.uniform())) },
      { name: 'edge 28×28', w: 28, h: 28, px: Uint8Array.from({ length: 784 }, (_, i) => (i % 28 < 14 ? 0 : 255)) },
      { name: 'ramp 40×8', w: 40, h: 8, px: Uint8Array.from({ length: 320 }, (_, i) => Math.round((255 * (i % 40)) / 39)) },
    ];
    for (const decoder of ['sharp', 'js'] as const) {
      const reader = await createImageReader({ decoder });
      try {
        for (const quality of [90, 100]) {
          const out = (await reader.read(images.map((im) => greyJpeg(im.w, im.h, im.px, quality)))) as ImageList;
          out.images.forEach((d, k) => {
            const im = images[k]!;
            expect([d.width, d.height], im.name).toEqual([im.w, im.h]);
            let sum = 0;
            let max = 0;
            for (let p = 0; p < im.w * im.h; p++) {
              const e = Math.abs(d.data[p * d.channels]! - im.px[p]!);
              sum += e;
              max = Math.max(max, e);
            }
            const mean = sum / (im.w * im.h);
            // flat: exact (DC only); noise at q90 is JPEG's worst case; at q100 only rounding is left
            const limit = im.name.startsWith('flat') ? 0 : quality === 100 ? 1.5 : im.name.startsWith('noise') ? 12 : 4;
            expect(mean, `${decoder} q${quality} ${im.name}: mean ${mean}, max ${max}`).toBeLessThanOrEqual(limit);
          });
        }
      } finally {
        reader.close();
      }
    }
  });
});
