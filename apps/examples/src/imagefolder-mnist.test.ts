/**
 * MNIST through the image-folder pipeline against the in-memory one: 1,000
 * training and 250 held-out digits of the main job, written as PNG and as
 * JPEG files (`imagefolder-mnist-files.ts`), decoded in worker threads by
 * `imageFolderDataset` (grey, the mean training image subtracted) and
 * trained for one epoch with the main job's LeNet and options. The
 * in-memory twin holds the files' pixels: for PNG the encoded bytes
 * (round(255·v)); for JPEG what `readImages` decodes, itself checked to be
 * within JPEG's loss of the encoded bytes. Same pixels, same order, same
 * seed: the same objective, errors and weights to float32 tolerance —
 * decoding, labels and batching end to end. The decoding worker is the
 * built one (pnpm build).
 */
import { existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageList, imageFolderDataset, readImages, setDefaultWorkerUrl } from '@convnet-ts/images/node';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { ArrayBatchSource, train } from '@convnet-ts/train/node';
import { describe, expect, it } from 'vitest';
import { DIGIT_FORMATS, writeMnistImages } from './imagefolder-mnist-files.js';
import { lenet } from './lenet.js';
import { IMAGE_SIZE } from './mnist-data.js';
import { DEFAULTS } from './mnist-options.js';

/** Mean absolute difference between a decoded quality-90 digit and its bytes (measured on 500 digits: 1.13 with sharp, 1.14 with jpeg-js; at most 19 levels). */
const JPEG_MEAN_ERROR = 2;
const worker = new URL('../../../packages/images/dist/node-worker.js', import.meta.url);

describe.each(DIGIT_FORMATS)('MNIST as %s files, end to end', (format) => {
  it('one epoch from the folder equals one epoch in memory on the same 1,000 + 250 digits', async () => {
    if (!existsSync(worker)) throw new Error(`build @convnet-ts/images first (pnpm --filter @convnet-ts/images build): no ${worker.pathname}`);
    setDefaultWorkerUrl(worker);
    // every 8th of the main job's training digits (index mod 5 ≠ 4) and every 8th held-out one
    const trainAll = Array.from({ length: 10000 }, (_, i) => i).filter((i) => i % 5 !== 4);
    const valAll = Array.from({ length: 10000 }, (_, i) => i).filter((i) => i % 5 === 4);
    const picked = [...trainAll.filter((_, k) => k % 8 === 0).slice(0, 1000), ...valAll.filter((_, k) => k % 8 === 0).slice(0, 250)];
    const files = writeMnistImages(mkdtempSync(join(tmpdir(), `mnist-${format}-`)), { format, indices: picked });
    const isTrain = new Set(picked.slice(0, 1000));
    const trainIdx = files.indices.flatMap((g, k) => (isTrain.has(g) ? [k] : []));
    const valIdx = files.indices.flatMap((g, k) => (isTrain.has(g) ? [] : [k]));
    let pixels = Float32Array.from(files.pixels);
    if (format === 'jpeg') {
      const paths = files.indices.map((g, k) => join(files.root, String(files.labels[k]! - 1), `${String(g).padStart(5, '0')}.jpg`));
      const decoded = (await readImages(paths, { numThreads: 2 })) as ImageList;
      pixels = new Float32Array(decoded.images.length * IMAGE_SIZE);
      decoded.images.forEach((im, k) => {
        // sharp gives a grey JPEG's one channel, jpeg-js three equal ones
        expect([im.height, im.width]).toEqual([28, 28]);
        for (let p = 0; p < IMAGE_SIZE; p++) pixels[k * IMAGE_SIZE + p] = im.data[p * im.channels]!;
      });
      // within JPEG's loss (quality 90) of the encoded bytes: ≈ 1 grey level on average
      let sum = 0;
      for (let i = 0; i < pixels.length; i++) sum += Math.abs(pixels[i]! - files.pixels[i]!);
      expect(sum / pixels.length).toBeGreaterThan(0);
      expect(sum / pixels.length).toBeLessThan(JPEG_MEAN_ERROR);
    }
    const mean = new Float64Array(IMAGE_SIZE);
    for (const k of trainIdx) for (let p = 0; p < IMAGE_SIZE; p++) mean[p]! += pixels[k * IMAGE_SIZE + p]!;
    for (let p = 0; p < IMAGE_SIZE; p++) mean[p]! /= trainIdx.length;
    const average = Float32Array.from({ length: IMAGE_SIZE * 3 }, (_, i) => mean[Math.floor(i / 3)]!);
    const images = Float32Array.from(pixels, (v, i) => v - average[3 * (i % IMAGE_SIZE)]!);

    const backend = createCpuBackend({ dtype: 'float32' });
    const d = DEFAULTS.plain;
    const opts = { train: trainIdx, val: valIdx, numEpochs: 1, batchSize: d.batchSize, learningRate: d.learningRate, weightDecay: d.weightDecay, momentum: DEFAULTS.momentum, randomSeed: DEFAULTS.seed };
    const weights = (net: { layers: readonly object[] }) =>
      net.layers.flatMap((l) => ('weights' in l ? (l.weights as ({ dataSync(): ArrayLike<number> } | null)[]).flatMap((w) => (w ? Array.from(w.dataSync()) : [])) : []));
    const memory = await train(lenet(backend, { bnorm: false, seed: DEFAULTS.seed }), new ArrayBatchSource({ images, imageShape: [28, 28, 1], labels: files.labels }), opts);
    const folder = await imageFolderDataset(files.root, { resize: [28, 28], channels: 1, numThreads: 2, train: { subtractAverage: { height: 28, width: 28, data: average } }, val: { subtractAverage: { height: 28, width: 28, data: average } } });
    try {
      expect(Array.from(folder.imdb.images.label)).toEqual(Array.from(files.labels));
      const fromFiles = await train(lenet(backend, { bnorm: false, seed: DEFAULTS.seed }), folder, opts);
      const [a, b] = [memory.stats[0]!, fromFiles.stats[0]!];
      expect(b.train.num).toBe(1000);
      expect(b.val!.num).toBe(250);
      expect(Math.abs(b.train.objective - a.train.objective)).toBeLessThan(1e-4 * a.train.objective);
      expect(Math.abs(b.val!.objective - a.val!.objective)).toBeLessThan(1e-4 * a.val!.objective);
      expect(b.val!.errors.top1err).toBeCloseTo(a.val!.errors.top1err!, 3);
      expect(a.val!.errors.top1err).toBeLessThan(0.5); // it learned something in one epoch
      const [wa, wb] = [weights(memory.net), weights(fromFiles.net)];
      let worst = 0;
      wa.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - wb[i]!));
      });
      expect(worst).toBeLessThan(1e-4);
      expect(b.train.dataTime).toBeGreaterThan(0);
    } finally {
      folder.close();
      backend.dispose();
    }
  }, 240_000);
});
