import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { OptionError, Rng, ValueError } from '@convnet-ts/tensor';
import { train } from '@convnet-ts/train';
import { describe, expect, it } from 'vitest';
import { imageFolderDataset, scanImageFolder } from './node.js';
import { pngBytes, tempDir } from './test-images.js';

const backend = createCpuBackend();

/** 2 classes of 12×12 PNGs: 'bottom' (bright lower half) and 'top' (bright upper half), with seeded noise. */
function makeFolder(perClass: number): string {
  const root = tempDir();
  const rng = new Rng(1);
  for (const [c, cls] of ['top', 'bottom'].entries()) {
    mkdirSync(join(root, cls));
    for (let k = 0; k < perClass; k++) {
      const px = Array.from({ length: 144 * 3 }, (_, i) => {
        const y = Math.floor(i / 36);
        const bright = c === 0 ? y < 6 : y >= 6;
        return Math.round((bright ? 180 : 60) + 40 * (rng.uniform() - 0.5));
      });
      writeFileSync(join(root, cls, `img${String(k).padStart(2, '0')}.png`), pngBytes(12, 12, 3, px));
    }
  }
  writeFileSync(join(root, 'top', 'readme.txt'), 'not an image');
  return root;
}

function tinyNet(): SimpleNNSpec {
  const rng = new Rng(2);
  const randn = (shape: number[], s: number) => backend.tensor(Float32Array.from(rng.randn(shape.reduce((a, b) => a * b, 1)), (v) => v * s), shape);
  return {
    layers: [
      { type: 'conv', name: 'conv1', weights: [randn([3, 3, 3, 4], 0.01), backend.zeros([4])] },
      { type: 'relu', name: 'relu1' },
      { type: 'pool', name: 'pool1', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv2', weights: [randn([3, 3, 4, 2], 0.05), backend.zeros([2])] },
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: {},
  };
}

describe('image-folder datasets', () => {
  const root = makeFolder(16);

  it('scan: sorted classes with 1-based labels, sorted names, a seeded per-class val split', async () => {
    const imdb = await scanImageFolder(root, { valFraction: 0.25, seed: 3 });
    expect(imdb.meta.classes).toEqual(['bottom', 'top']);
    expect(imdb.images.name.slice(0, 2)).toEqual(['bottom/img00.png', 'bottom/img01.png']);
    expect(imdb.images.name).toHaveLength(32);
    expect(imdb.images.label.filter((l) => l === 1)).toHaveLength(16);
    expect(imdb.images.label[31]).toBe(2);
    for (const label of [1, 2]) expect(imdb.images.set.filter((s, i) => s === 2 && imdb.images.label[i] === label)).toHaveLength(4);
    expect((await scanImageFolder(root, { valFraction: 0.25, seed: 3 })).images.set).toEqual(imdb.images.set);
    await expect(scanImageFolder(join(root, 'none'))).rejects.toThrow(ValueError);
    await expect(scanImageFolder(root, { valFraction: 1 })).rejects.toThrow('scanImageFolder: valFraction must be in [0, 1), got 1');
  });

  it('a tiny net trains on the folder through train(): decoding in workers, prefetch, loss decreases', async () => {
    const data = await imageFolderDataset(root, {
      resize: [8, 8],
      numThreads: 2,
      valFraction: 0.25,
      train: { cropSize: [0.8, 1], cropLocation: 'random', flip: true, subtractAverage: 120, interpolation: 'bilinear' },
      val: { cropSize: 0.9, subtractAverage: 120 },
    });
    try {
      const first = await data.getBatch([0, 20], backend);
      expect(first.images.shape).toEqual([2, 8, 8, 3]);
      expect(Array.from(first.labels)).toEqual([1, 2]);
      first.images.dispose();
      data.prefetch([1, 2, 3]);
      expect((await data.getBatch([1, 2, 3], backend)).images.shape).toEqual([3, 8, 8, 3]);
      const { stats } = await train(tinyNet(), data, { train: data.trainIndices, val: data.valIndices, numEpochs: 6, batchSize: 8, learningRate: 0.05 });
      const objectives = stats.map((s) => s.train.objective);
      expect(objectives[5]!).toBeLessThan(0.7 * objectives[0]!);
      expect(stats[5]!.val!.errors.top1err).toBeLessThan(0.25);
    } finally {
      data.close();
    }
  });

  it('grey networks (channels: 1) and option errors', async () => {
    const data = await imageFolderDataset(root, { resize: [6, 6], channels: 1 });
    try {
      const b = await data.getBatch([0], backend);
      expect(b.images.shape).toEqual([1, 6, 6, 1]);
    } finally {
      data.close();
    }
    await expect(imageFolderDataset(root, {} as never)).rejects.toThrow(OptionError);
    await expect(imageFolderDataset(root, { resize: [4, 4], train: { contrast: 3 } })).rejects.toThrow('imageFolderDataset: contrast must be a number in [0, 1], got 3');
    await expect(imageFolderDataset(root, { resize: [4, 4], batch: 3 } as never)).rejects.toThrow("imageFolderDataset: unknown option 'batch'");
  });
});
