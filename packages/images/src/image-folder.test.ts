import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { OptionError, Rng, ValueError } from '@convnet-ts/tensor';
import { train } from '@convnet-ts/train/node';
import { describe, expect, it } from 'vitest';
import { imageFolderDataset, scanImageFolder } from './node.js';
import { pngBytes, tempDir } from './test-images.js';

const weights = (net: { layers: readonly object[] }) =>
  net.layers.flatMap((l) => ('weights' in l ? (l.weights as { dataSync(): ArrayLike<number> }[]).map((w) => Array.from(w.dataSync())) : []));

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
      const { stats } = await train(tinyNet(), data, { train: data.trainIndices, val: data.valIndices, numEpochs: 6, batchSize: 8, learningRate: 0.001 });
      const objectives = stats.map((s) => s.train.objective);
      // (inputs of ±60 after the average: a learning rate of 0.05 diverged to 1e27)
      expect(objectives.every(Number.isFinite)).toBe(true);
      expect(objectives[5]!).toBeLessThan(0.1 * objectives[0]!);
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

  it('jitter is keyed by (seed, epoch, image): not by the batch, the order or earlier reads', async () => {
    const jitter = { cropSize: [0.5, 1] as [number, number], cropLocation: 'random' as const, flip: true, brightness: 5, contrast: 0.3 };
    const data = await imageFolderDataset(root, { resize: [8, 8], train: jitter, seed: 9 });
    const n = 8 * 8 * 3;
    try {
      const read = async (indices: number[], epoch?: number) => {
        const b = await data.getBatch(indices, backend, epoch === undefined ? undefined : { epoch });
        const v = Array.from(await b.images.data());
        b.images.dispose();
        return v;
      };
      const ab = await read([3, 5], 2);
      await read([3, 5, 7], 1);
      const ba = await read([5, 3], 2);
      expect([...ba.slice(n), ...ba.slice(0, n)]).toEqual(ab);
      data.prefetch([3, 5], { epoch: 2 });
      expect(await read([3, 5], 2)).toEqual(ab);
      expect((await read([3], 2))).toEqual(ab.slice(0, n));
      expect(await read([3, 5], 3)).not.toEqual(ab);
      expect(await read([3, 5])).toEqual(await read([3, 5], 0));
    } finally {
      data.close();
    }
  });

  it('a resumed run (continue) equals an uninterrupted one, jitter included', async () => {
    const open = () =>
      imageFolderDataset(root, { resize: [8, 8], valFraction: 0.25, train: { cropSize: [0.7, 1], cropLocation: 'random', flip: true, subtractAverage: 120 }, val: { subtractAverage: 120 } });
    const run = async (expDir: string, numEpochs: number, resume: boolean) => {
      const data = await open();
      try {
        return await train(tinyNet(), data, { train: data.trainIndices, val: data.valIndices, numEpochs, batchSize: 8, learningRate: 0.001, expDir, continue: resume });
      } finally {
        data.close();
      }
    };
    const whole = await run(tempDir(), 2, false);
    const dir = tempDir();
    await run(dir, 1, false);
    const resumed = await run(dir, 2, true);
    expect(resumed.stats[1]!.train.objective).toBe(whole.stats[1]!.train.objective);
    expect(weights(resumed.net)).toEqual(weights(whole.net));
  });
});
