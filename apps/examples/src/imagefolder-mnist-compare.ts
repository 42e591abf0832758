/**
 * The full comparison behind the images README's MNIST-as-PNG and -JPEG numbers (a
 * script, not a test: about 20 minutes on 2 cores). The main job (10
 * epochs, its LeNet and options, 8,000 training / 2,000 held-out digits)
 * twice: in memory (`mnist-data.ts`, as `bash scripts/run.sh mnist`) and
 * from all 10,000 digits written as PNG or JPEG files (`imagefolder-mnist-files.ts`)
 * through `imageFolderDataset` with 2 decoding threads and the trainer's
 * prefetch; then one epoch from the folder without prefetch. Prints each
 * run's held-out error and the time spent waiting for data as a share of
 * the compute time (time − dataTime).
 *
 *   pnpm --filter @convnet-ts/examples build && node apps/examples/dist/imagefolder-mnist-compare.js
 *
 * (EPOCHS=N for fewer epochs, SKIP_MEMORY=1 to run only the folder,
 * FORMAT=jpeg for JPEG files, quality 90.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageFolderDataset } from '@convnet-ts/images/node';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { ArrayBatchSource, type BatchSource, type EpochStats, train } from '@convnet-ts/train/node';
import { type DigitFormat, writeMnistImages } from './imagefolder-mnist-files.js';
import { lenet } from './lenet.js';
import { IMAGE_SIZE, loadMnist } from './mnist-data.js';
import { DEFAULTS } from './mnist-options.js';

const backend = createCpuBackend({ dtype: 'float32' });
const data = loadMnist();
const d = DEFAULTS.plain;
const epochs = Number(process.env.EPOCHS ?? d.epochs);
const opts = (numEpochs: number) => ({ train: data.train, val: data.val, numEpochs, batchSize: d.batchSize, learningRate: d.learningRate, weightDecay: d.weightDecay, momentum: DEFAULTS.momentum, randomSeed: DEFAULTS.seed });
const wait = (s: EpochStats) => {
  const dataTime = (s.train.dataTime ?? 0) + (s.val?.dataTime ?? 0);
  const total = s.train.time + (s.val?.time ?? 0);
  return { dataTime, compute: total - dataTime };
};
const summary = (name: string, stats: EpochStats[]) => {
  const last = stats[stats.length - 1]!;
  const w = stats.map(wait).reduce((a, b) => ({ dataTime: a.dataTime + b.dataTime, compute: a.compute + b.compute }));
  console.log(
    `${name}: held-out error ${(100 * last.val!.errors.top1err!).toFixed(2)}% after ${last.epoch} epochs; ` +
      `data wait ${w.dataTime.toFixed(1)} s = ${((100 * w.dataTime) / w.compute).toFixed(1)}% of compute ${w.compute.toFixed(1)} s`,
  );
};
const onEpoch = (name: string) => (_e: number, stats: readonly EpochStats[]) => {
  const s = stats[stats.length - 1]!;
  const w = wait(s);
  console.log(`  ${name} epoch ${s.epoch}: train ${s.train.objective.toFixed(4)}, val err ${(100 * s.val!.errors.top1err!).toFixed(2)}%, data ${w.dataTime.toFixed(1)} s / compute ${w.compute.toFixed(1)} s`);
};

if (!process.env.SKIP_MEMORY) {
  const memory = await train(lenet(backend, { bnorm: false, seed: DEFAULTS.seed }), new ArrayBatchSource({ images: data.images, imageShape: [28, 28, 1], labels: data.labels }), { ...opts(epochs), onEpoch: onEpoch('memory') });
  summary('in memory', memory.stats);
}

const format = (process.env.FORMAT ?? 'png') as DigitFormat;
const kind = format.toUpperCase();
const root = mkdtempSync(join(tmpdir(), `mnist-${format}-`));
const written = performance.now();
const files = writeMnistImages(root, { format });
console.log(`wrote ${files.indices.length} ${kind} files to ${root} in ${((performance.now() - written) / 1000).toFixed(1)} s`);
const average = Float32Array.from({ length: IMAGE_SIZE * 3 }, (_, i) => data.mean[Math.floor(i / 3)]!);
const sub = { subtractAverage: { height: 28, width: 28, data: average } };
const folder = await imageFolderDataset(root, { resize: [28, 28], channels: 1, numThreads: 2, train: sub, val: sub });
try {
  const fromFiles = await train(lenet(backend, { bnorm: false, seed: DEFAULTS.seed }), folder, { ...opts(epochs), onEpoch: onEpoch('folder') });
  summary(`${kind} folder (2 threads, prefetch)`, fromFiles.stats);
  const noPrefetch: BatchSource = { size: folder.size, getBatch: (i, b, c) => folder.getBatch(i, b, c) };
  const one = await train(lenet(backend, { bnorm: false, seed: DEFAULTS.seed }), noPrefetch, opts(1));
  summary(`${kind} folder, no prefetch (1 epoch)`, one.stats);
} finally {
  folder.close();
  backend.dispose();
}
