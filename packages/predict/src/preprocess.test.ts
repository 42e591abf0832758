import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { OptionError, ShapeError, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { cropWindow, imresize } from '@convnet-ts/images';
import { RGB2GRAY, type RawImage } from './pixels.js';
import { preprocess } from './preprocess.js';
// The Octave imresize references are @convnet-ts/images' test fixtures (its test helper loads them).
import { expectClose, REFERENCE } from '../../images/src/test-helpers.js';

const backend = createCpuBackend({ dtype: 'float32' });

const refCase = (pred: (c: (typeof REFERENCE.cases)[number]) => boolean) => {
  const c = REFERENCE.cases.find(pred);
  if (!c) throw new Error('reference case missing from fixtures/imresize-reference.json');
  return c;
};

const rgbOf = (c: { height: number; width: number; channels: number; input: number[] }): RawImage => ({
  width: c.width,
  height: c.height,
  data: Uint8Array.from(c.input),
  channels: c.channels as 3,
});

async function run(image: RawImage | RawImage[], normalization: unknown, opts = {}) {
  const x = preprocess(image, normalization, backend, opts);
  const values = await x.data();
  const shape = [...x.shape];
  x.dispose();
  return { shape, values };
}

describe('preprocess: resize and crop against the Octave references', () => {
  it('without cropSize: imresize(single(im), imageSize(1:2)) — 6×4 RGB → 5×7 bicubic', async () => {
    const c = refCase((r) => r.height === 6 && r.width === 4 && r.channels === 3);
    const { shape, values } = await run(rgbOf(c), { imageSize: [5, 7, 3] });
    expect(shape).toEqual([1, 5, 7, 3]);
    expectClose(values, c.output, 2e-5);
  });

  it('with cropSize 0.875 (keepAspect): the centred 7×7 crop of a 10×8 image resized to 4×4 (vl_imreadjpeg)', async () => {
    const c = refCase((r) => r.crop !== null && r.channels === 3 && r.crop[0][1] === 1 && r.crop[1][1] === 0);
    expect(cropWindow({ height: 10, width: 8 }, { height: 4, width: 4 }, [0.875, 0.875], true)).toEqual({ top: 1, left: 0, height: 7, width: 7 });
    const { values } = await run(rgbOf(c), { imageSize: [4, 4, 3], cropSize: 0.875 });
    expectClose(values, c.output, 2e-5);
  });

  it('border [1 1] on imageSize [7 7] gives cropSize 7/8 as vl_simplenn_tidy derives it (same crop)', async () => {
    const c = refCase((r) => r.crop !== null && r.channels === 3 && r.crop[0][1] === 1 && r.crop[1][1] === 0);
    const byCrop = await run(rgbOf(c), { imageSize: [7, 7, 3], cropSize: 0.875 });
    const byBorder = await run(rgbOf(c), { imageSize: [7, 7, 3], border: [1, 1] });
    expect(byBorder.values).toEqual(byCrop.values);
  });

  it('keepAspect false squashes the whole image (cropSize 1)', async () => {
    const c = refCase((r) => r.crop !== null && r.channels === 3 && r.crop[0][0] === 0.4);
    const { values } = await run(rgbOf(c), { imageSize: [4, 4, 3], cropSize: 1, keepAspect: false });
    expectClose(values, c.output, 2e-5);
  });

  it('crop: false gives the plain imresize of the manual’s Fig. 1.1 even with cropSize', async () => {
    const c = refCase((r) => r.height === 6 && r.width === 4 && r.channels === 3);
    const { values } = await run(rgbOf(c), { imageSize: [5, 7, 3], cropSize: 0.875 }, { crop: false });
    expectClose(values, c.output, 2e-5);
  });

  it('crop window of a 256×341 image for 224×224 at cropSize 0.875: 224×224 at (16, 58)', () => {
    expect(cropWindow({ height: 256, width: 341 }, { height: 224, width: 224 }, [0.875, 0.875], true)).toEqual({ top: 16, left: 58, height: 224, width: 224 });
  });
});

describe('preprocess: average subtraction', () => {
  const image: RawImage = { width: 2, height: 2, data: Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]), channels: 3 };
  const raw = Array.from(image.data);

  it('a mean colour (3-vector, as loadMatConvNet gives a 1×1×3 averageImage) from every pixel', async () => {
    const mean = [1, 2, 3];
    for (const n of [{ averageImage: mean }, { averageImage: mean, averageImageSize: [1, 1, 3] }]) {
      const { values } = await run(image, { imageSize: [2, 2, 3], ...n });
      expect(Array.from(values)).toEqual(raw.map((v, i) => v - mean[i % 3]!));
    }
  });

  it('a full H×W×3 average image element by element (row-major over averageImageSize, or nested [H][W][C])', async () => {
    const avg = raw.map((_, i) => i * 0.5);
    const nested = [0, 1].map((h) => [0, 1].map((w) => [0, 1, 2].map((c) => avg[(h * 2 + w) * 3 + c]!)));
    for (const n of [{ averageImage: avg, averageImageSize: [2, 2, 3] }, { averageImage: nested }]) {
      const { values } = await run(image, { imageSize: [2, 2, 3], ...n });
      expect(Array.from(values)).toEqual(raw.map((v, i) => v - avg[i]!));
    }
  });

  it('an average image of another size is first imresized to imageSize (cnn_imagenet_evaluate)', async () => {
    const avg = Array.from({ length: 3 * 3 * 3 }, (_, i) => (i * 7) % 11);
    const resized = imresize({ height: 3, width: 3, channels: 3, data: Float64Array.from(avg) }, [2, 2]).data;
    const { values } = await run(image, { imageSize: [2, 2, 3], averageImage: avg, averageImageSize: [3, 3, 3] });
    expectClose(values, raw.map((v, i) => v - resized[i]!), 1e-5);
  });
});

describe('preprocess: channels', () => {
  const rgb: RawImage = { width: 2, height: 1, data: Uint8Array.from([10, 20, 30, 40, 50, 60]), channels: 3 };

  it('drops alpha (RGBA as ImageData gives it, channels inferred)', async () => {
    const rgba = { width: 2, height: 1, data: new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 0]) };
    expect((await run(rgba, { imageSize: [1, 2] })).values).toEqual((await run(rgb, { imageSize: [1, 2] })).values);
  });

  it('replicates a grey image to a 3-channel network', async () => {
    const grey: RawImage = { width: 2, height: 1, data: Uint8Array.from([7, 9]), channels: 1 };
    expect(Array.from((await run(grey, { imageSize: [1, 2, 3] })).values)).toEqual([7, 7, 7, 9, 9, 9]);
  });

  it('takes R of a colour-encoded grey image for a 1-channel network, rgb2gray of a coloured one', async () => {
    const greyRgb: RawImage = { width: 2, height: 1, data: Uint8Array.from([7, 7, 7, 9, 9, 9]), channels: 3 };
    expect(Array.from((await run(greyRgb, { imageSize: [1, 2, 1] })).values)).toEqual([7, 9]);
    const { values } = await run(rgb, { imageSize: [1, 2, 1] });
    const gray = [0, 1].map((p) => RGB2GRAY[0] * rgb.data[3 * p]! + RGB2GRAY[1] * rgb.data[3 * p + 1]! + RGB2GRAY[2] * rgb.data[3 * p + 2]!);
    expectClose(values, gray, 1e-5);
  });

  it('keeps Float32Array values as given and stacks a batch as [N, H, W, C]', async () => {
    const a: RawImage = { width: 1, height: 1, data: Float32Array.from([0.5, 1.5, 2.5]) };
    const b: RawImage = { width: 1, height: 1, data: Float32Array.from([3, 4, 5]) };
    const { shape, values } = await run([a, b], { imageSize: [1, 1, 3] });
    expect(shape).toEqual([2, 1, 1, 3]);
    expect(Array.from(values)).toEqual([0.5, 1.5, 2.5, 3, 4, 5]);
  });
});

describe('preprocess: errors name the argument, expectation and what came', () => {
  const ok: RawImage = { width: 2, height: 2, data: new Uint8Array(12) };

  it('bad images', () => {
    expect(() => preprocess({ width: 2, height: 2, data: new Uint8Array(10) }, { imageSize: [2, 2] }, backend)).toThrow(/image.channels must be 1, 3 or 4, got 10 values for 2×2 pixels/);
    expect(() => preprocess({ width: 2, height: 2, data: new Uint8Array(12), channels: 4 }, { imageSize: [2, 2] }, backend)).toThrow(/must hold width·height·channels = 2·2·4 = 16 values, got 12/);
    expect(() => preprocess({ width: 0, height: 2, data: new Uint8Array(0) }, { imageSize: [2, 2] }, backend)).toThrow(ShapeError);
    expect(() => preprocess({ width: 1, height: 1, data: new Int16Array(3) } as unknown as RawImage, { imageSize: [2, 2] }, backend)).toThrow(/Uint8Array, Uint8ClampedArray or Float32Array/);
    expect(() => preprocess('cat.png' as unknown as RawImage, { imageSize: [2, 2] }, backend)).toThrow(/image must be raw pixels/);
    expect(() => preprocess([], { imageSize: [2, 2] }, backend)).toThrow(/at least one image/);
    expect(() => preprocess([ok, { ...ok, data: new Uint8Array(3) }], { imageSize: [2, 2] }, backend)).toThrow(/images\[1\]/);
  });

  it('bad normalizations', () => {
    expect(() => preprocess(ok, undefined, backend)).toThrow(/normalization must be a model's meta.normalization object/);
    expect(() => preprocess(ok, { imageSize: [2] }, backend)).toThrow(/imageSize must be \[H, W\] or \[H, W, C\]/);
    expect(() => preprocess(ok, { imageSize: [2, 2, 2] }, backend)).toThrow(ShapeError);
    expect(() => preprocess(ok, { imageSize: [2, 2, 3], averageImage: [1, 2] }, backend)).toThrow(/mean colour of 3 values, or come with averageImageSize/);
    expect(() => preprocess(ok, { imageSize: [2, 2, 3], averageImage: [1, 2, 3, 4], averageImageSize: [2, 2, 1] }, backend)).toThrow(/must have 3 channel\(s\) as imageSize, got \[2, 2, 1\]/);
    expect(() => preprocess(ok, { imageSize: [2, 2, 3], averageImage: [1, 2, 3], averageImageSize: [2, 2, 3] }, backend)).toThrow(/H·W·C = 3/);
    expect(() => preprocess(ok, { imageSize: [2, 2], interpolation: 'cubic' }, backend)).toThrow(OptionError);
    expect(() => preprocess(ok, { imageSize: [2, 2], cropSize: 1.5 }, backend)).toThrow(/fractions in \(0, 1\]/);
    expect(() => preprocess(ok, { imageSize: [2, 2], keepAspect: 'yes' }, backend)).toThrow(ValueError);
  });
});
