import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OptionError } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageError } from './errors.js';
import { resampleBoth } from './imresize.js';
import { drawJitter } from './jitter.js';
import { createImageReader, readImages } from './node.js';
import type { ReadImagesOptions } from './options.js';
import type { ImageList } from './reader.js';
import { pattern, pngBytes, tempDir, writeFiles } from './test-images.js';

const dir = tempDir();
const rgb43 = pattern(4, 3, 3); // width 4, height 3
const [rgbPath, greyPath, rgbaPath] = writeFiles(dir, {
  'rgb.png': pngBytes(4, 3, 3, rgb43),
  'grey.png': pngBytes(4, 3, 1, pattern(4, 3, 1)),
  'rgba.png': pngBytes(4, 3, 4, pattern(4, 3, 4)),
}) as [string, string, string];
const blocks = pattern(8, 8, 3);
const blockPaths = writeFiles(dir, Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`b${i}.png`, pngBytes(8, 8, 3, blocks.map((v) => (v + 17 * i) % 256))])));

const list = (r: unknown) => r as ImageList;

describe('readImages in Node (worker threads)', () => {
  afterAll(async () => {
    // the shared pool never keeps the process alive; nothing to close
  });

  it('no options: the pixels as stored, float32 0..255; grey keeps 1 channel, alpha is dropped', async () => {
    const r = list(await readImages([rgbPath, greyPath, rgbaPath]));
    expect(r.indices).toEqual([0, 1, 2]);
    expect(r.images.map((i) => [i.height, i.width, i.channels])).toEqual([[3, 4, 3], [3, 4, 1], [3, 4, 3]]);
    expect(Array.from(r.images[0]!.data)).toEqual(Array.from(rgb43));
    expect(Array.from(r.images[1]!.data)).toEqual(Array.from(pattern(4, 3, 1)));
    const rgba = pattern(4, 3, 4);
    expect(Array.from(r.images[2]!.data)).toEqual(Array.from({ length: 36 }, (_, k) => rgba[4 * Math.floor(k / 3) + (k % 3)]));
  });

  it('pack: one [N, H, W, 3] batch, grey replicated to RGB', async () => {
    const r = await readImages([rgbPath, greyPath], { pack: true, resize: [3, 4] });
    expect(r.shape).toEqual([2, 3, 4, 3]);
    expect(Array.from(r.data.subarray(0, 36))).toEqual(Array.from(rgb43));
    const g = pattern(4, 3, 1);
    expect(Array.from(r.data.subarray(36))).toEqual(Array.from({ length: 36 }, (_, k) => g[Math.floor(k / 3)]));
  });

  it('resize: the crop-window resampler agrees with imresize.ts resampleBoth (replicate) for every method', async () => {
    for (const interpolation of ['box', 'bilinear', 'bicubic', 'lanczos2', 'lanczos3'] as const) {
      const r = await readImages([blockPaths[0]!], { resize: [5, 3], interpolation, cropSize: 0.75 });
      const plane = { height: 8, width: 8, channels: 3, data: Float64Array.from(blocks) };
      // crop 0.75 of the largest 5:3 window of 8×8 (8 × 4.8): 6 × 3.6 → 6 × 4 at (1, 2)
      const want = resampleBoth(plane, [5, 3], interpolation, true, [{ scale: 5 / 6, offset: 1 }, { scale: 3 / 4, offset: 2 }], 'replicate');
      const got = list(r).images[0]!;
      expect([got.height, got.width]).toEqual([5, 3]);
      let worst = 0;
      got.data.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - want.data[k]!));
      });
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('random crops and flips follow the seeded draws (box kernel at scale 1 copies the crop exactly)', async () => {
    const seed = 11;
    const r = await readImages(blockPaths, { resize: [4, 4], cropSize: 0.5, cropLocation: 'random', flip: true, interpolation: 'box', seed, pack: true });
    const draws = drawJitter(seed, blockPaths.length);
    let flips = 0;
    draws.forEach((d, i) => {
      const left = Math.floor(d.x * 5);
      const top = Math.floor(d.y * 5);
      const flip = d.flip < 0.5;
      flips += flip ? 1 : 0;
      const src = blocks.map((v) => (v + 17 * i) % 256);
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) {
        const sx = left + (flip ? 3 - x : x);
        expect(r.data[((i * 4 + y) * 4 + x) * 3 + c]).toBe(src[((top + y) * 8 + sx) * 3 + c]);
      }
    });
    expect(flips).toBeGreaterThan(0);
    // one seed per image: image i's draws come from its own seed alone
    const opts = { resize: [4, 4] as [number, number], cropSize: 0.5, cropLocation: 'random' as const, flip: true, interpolation: 'box' as const, pack: true as const };
    const seeds = blockPaths.map((_, i) => 100 + 7 * i);
    const perImage = await readImages(blockPaths, { ...opts, seed: seeds });
    const size = 4 * 4 * 3;
    for (const i of [0, blockPaths.length - 1]) {
      const alone = await readImages([blockPaths[i]!], { ...opts, seed: seeds[i]! });
      expect(Array.from(perImage.data.subarray(i * size, (i + 1) * size))).toEqual(Array.from(alone.data));
    }
    await expect(readImages(blockPaths, { ...opts, seed: [1, 2] })).rejects.toThrow(`readImages: seed must be one number or one per image (${blockPaths.length}), got 2 seeds`);
    expect(flips).toBeLessThan(12);
  });

  it('subtractAverage: a triplet, or an [H, W, 3] image', async () => {
    const r = await readImages([rgbPath], { subtractAverage: [100, 50, 25] });
    expect(Array.from(list(r).images[0]!.data)).toEqual(Array.from(rgb43, (v, k) => v - [100, 50, 25][k % 3]!));
    const avg = { height: 3, width: 4, data: Float32Array.from({ length: 36 }, (_, k) => k) };
    const p = await readImages([rgbPath], { resize: [3, 4], pack: true, subtractAverage: avg });
    expect(Array.from(p.data)).toEqual(Array.from(rgb43, (v, k) => v - k));
  });

  it('the same results with 1 and 4 threads, with every jitter on', async () => {
    const opts = { resize: [5, 6] as [number, number], cropSize: [0.6, 1] as [number, number], cropAnisotropy: [0.75, 1.33] as [number, number], cropLocation: 'random' as const, flip: true, brightness: 10, contrast: 0.4, saturation: 0.4, pack: true as const, seed: 3 };
    const one = await readImages(blockPaths, { ...opts, numThreads: 1 });
    const four = await createImageReader({ numThreads: 4 });
    try {
      const b = await four.read(blockPaths, opts);
      expect(b.shape).toEqual([12, 5, 6, 3]);
      expect(Array.from(b.data)).toEqual(Array.from(one.data));
      const other = await four.read(blockPaths, { ...opts, seed: 4 });
      expect(Array.from(other.data)).not.toEqual(Array.from(one.data));
    } finally {
      four.close();
    }
  });

  it('prefetch: a handle collected later, and a later read of the same files and options collects it', async () => {
    const reader = await createImageReader({ numThreads: 2 });
    try {
      const opts = { resize: [4, 4] as [number, number], pack: true as const, flip: true, seed: 5 };
      const direct = await reader.read(blockPaths, opts);
      const handle = reader.prefetch(blockPaths, opts);
      expect(Array.from((await handle.collect()).data)).toEqual(Array.from(direct.data));
      reader.prefetch(blockPaths, opts);
      expect(Array.from((await reader.read(blockPaths, opts)).data)).toEqual(Array.from(direct.data));
      const h = readImages(blockPaths, { ...opts, prefetch: true });
      expect(Array.from((await h.collect()).data)).toEqual(Array.from(direct.data));
    } finally {
      reader.close();
    }
  });

  it('unreadable images: a typed error naming the file, or skipped and counted', async () => {
    const missing = join(dir, 'nope.png');
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'not an image');
    const truncated = join(dir, 'truncated.png');
    writeFileSync(truncated, pngBytes(4, 3, 3, rgb43).subarray(0, 40));
    for (const [path, reason, text_] of [[missing, 'missing', 'no such file'], [text, 'unsupported', 'must be a PNG or JPEG image, got a file starting with bytes 6e 6f 74'], [truncated, 'corrupt', 'must be a readable PNG image']] as const) {
      const err = await readImages([rgbPath, path]).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ImageError);
      expect((err as ImageError).source).toBe(path);
      expect((err as ImageError).reason).toBe(reason);
      expect((err as Error).message).toContain(`readImages: ${path}`);
      expect((err as Error).message).toContain(text_);
    }
    const r = list(await readImages([missing, rgbPath, text], { onError: 'skip' }));
    expect(r.indices).toEqual([1]);
    expect(r.skipped.map((s) => [s.index, s.reason])).toEqual([[0, 'missing'], [2, 'unsupported']]);
    const bytesErr = await readImages([new Uint8Array([1, 2, 3])]).then(() => null, (e: unknown) => e);
    expect((bytesErr as Error).message).toBe('readImages: sources[0] must be a PNG or JPEG image, got a file starting with bytes 01 02 03');
  });

  it('bad options: OptionError naming the option', async () => {
    const bad = async (opts: object, text: string) => {
      const err = await readImages([rgbPath], opts as ReadImagesOptions).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(OptionError);
      expect((err as Error).message).toContain(text);
    };
    await bad({ size: 3 }, "unknown option 'size'");
    await bad({ resize: [0, 3] }, 'resize must be a positive integer S (shorter side) or [H, W] of positive integers, got [0,3]');
    await bad({ pack: true }, 'pack must be used with resize: [H, W]');
    await bad({ resize: 5, pack: true }, 'pack must be used with resize: [H, W]');
    await bad({ contrast: 2 }, 'contrast must be a number in [0, 1], got 2');
    await bad({ saturation: -0.1 }, 'saturation must be a number in [0, 1]');
    await bad({ cropSize: [0.9, 0.5] }, 'cropSize must be a number or [min, max] with 0 ≤ min ≤ max ≤ 1, got [0.9,0.5]');
    await bad({ cropSize: 1.5 }, 'cropSize must be');
    await bad({ cropAnisotropy: -1 }, 'cropAnisotropy must be');
    await bad({ cropLocation: 'left' }, "cropLocation must be 'center' or 'random', got \"left\"");
    await bad({ interpolation: 'nearest' }, 'interpolation must be one of box, bilinear, bicubic, lanczos2, lanczos3, got "nearest"');
    await bad({ brightness: [1, 2] }, 'brightness must be a number, 3 numbers (a diagonal) or a 3×3 matrix');
    await bad({ subtractAverage: { height: 2, width: 2, data: new Float32Array(12) } }, 'subtractAverage must be a triplet unless resize is [H, W]');
    await bad({ resize: [3, 4], subtractAverage: { height: 2, width: 2, data: new Float32Array(12) } }, 'subtractAverage must be a 3×4×3 average image');
    await bad({ seed: -1 }, 'seed must be an integer');
    await bad({ seed: [1, 0.5] }, 'seed must be an integer in 0..2^32 − 1, or one per image, got [1,0.5]');
    await bad({ onError: 'ignore' }, "onError must be 'throw' or 'skip'");
    await bad({ flip: 1 }, 'flip must be true or false, got 1');
    await expect(createImageReader({ numThreads: 0 })).rejects.toThrow('createImageReader: numThreads must be a positive integer, got 0');
  });
});
