/**
 * The image-folder example (`bash scripts/run.sh imagefolder --data DIR`):
 * a `cnn_imagenet_init` network (`imagefolder-nets.ts`) trained on any
 * class-per-folder tree through `@convnet-ts/images`' `imageFolderDataset`
 * (decoding in worker threads, the trainer prefetching the next batch) and
 * `@convnet-ts/train` (checkpoints, `net-train.svg` and `--continue` in the
 * experiment folder), as `cnn_imagenet.m` does:
 *
 * - the mean colour of up to 256 training images (centre crops, as
 *   `getImageStats`) is subtracted from every input;
 * - training images: random crops of 80–100 % of the side, aspect 3/4–4/3,
 *   flips; held-out images: a centre crop of 87.5 % (`cnn_imagenet_get_batch`);
 * - one line per epoch (the trainer's), with the seconds spent waiting for
 *   images next to the seconds computing;
 * - the final network as a MatConvNet model `<exp-dir>/net.mat` with
 *   `meta.normalization` (imageSize [S S C], the mean colour, cropSize
 *   0.875, bilinear) and `meta.classes` (the folder names), so
 *   `bash scripts/run.sh classify --model <exp-dir>/net.mat --image x.jpg`
 *   classifies with it.
 *
 * The experiment folder is kept to one run (exp-dir.ts): a folder that holds
 * one needs `--continue` (resume; refused when the data folder, model, size,
 * colour, split or an SGD setting differs from its `run-options.json`) or
 * `--overwrite` (delete it first). Returns the exit code: 0 done, 1 failed,
 * 2 bad usage.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { imageFolderDataset } from '@convnet-ts/images/node';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { display, saveMatConvNet, type SimpleNNSpec } from '@convnet-ts/simplenn';
import { PLOT_FILE, terminalReport, train } from '@convnet-ts/train/node';
import { UsageError } from './cli-args.js';
import { prepareExpDir, resolveExpDir, writeAtomic } from './exp-dir.js';
import { imageNetInit } from './imagefolder-nets.js';
import { HELP, imageFolderRun, parseImageFolderArgs } from './imagefolder-options.js';
import type { CommandIO } from './main.js';
import { sgdOptions } from './sgd-options.js';

const VAL_CROP = 0.875;

export async function runImageFolder(argv: readonly string[], io: CommandIO): Promise<number> {
  const backend = createCpuBackend({ dtype: 'float32' });
  try {
    const o = parseImageFolderArgs(argv);
    if (o === 'help') {
      io.out(HELP);
      return 0;
    }
    const dataDir = isAbsolute(o.data) ? o.data : resolve(io.cwd, o.data);
    const expDir = resolveExpDir(o.expDir, `imagefolder-${o.model}${o.bnorm ? '-bnorm' : ''}`, io.cwd, io.repoRoot);
    const { resumeAfter, notes } = await prepareExpDir(expDir, imageFolderRun(o, dataDir));
    for (const n of notes) io.out(n);
    const common = { resize: [o.size, o.size] as [number, number], channels: o.channels, valFraction: o.valFraction, seed: o.seed, numThreads: o.threads };
    const val = { cropSize: VAL_CROP, interpolation: 'bilinear' as const };
    // the mean colour of up to 256 training images' centre crops (getImageStats)
    const probe = await imageFolderDataset(dataDir, { ...common, train: val, val });
    let mean: number[];
    try {
      const sample = probe.trainIndices.filter((_, k) => k % Math.max(1, Math.floor(probe.trainIndices.length / 256)) === 0).slice(0, 256);
      if (sample.length === 0) throw new UsageError(`imagefolder: ${dataDir} must leave training images after --val-fraction ${o.valFraction}, got none (see --help)`);
      const b = await probe.getBatch(sample, backend);
      const px = await b.images.data();
      b.images.dispose();
      mean = Array.from({ length: o.channels }, (_, c) => {
        let s = 0;
        for (let i = c; i < px.length; i += o.channels) s += px[i]!;
        return s / (px.length / o.channels);
      });
    } finally {
      probe.close();
    }
    const average = o.channels === 3 ? mean : [mean[0]!, mean[0]!, mean[0]!];
    const data = await imageFolderDataset(dataDir, {
      ...common,
      train: { cropSize: [0.8, 1], cropAnisotropy: [3 / 4, 4 / 3], cropLocation: 'random', flip: true, interpolation: 'bilinear', subtractAverage: average },
      val: { ...val, subtractAverage: average },
    });
    try {
      const classes = data.imdb.meta.classes;
      const net = imageNetInit(backend, { model: o.model, size: o.size, channels: o.channels, classes: classes.length, bnorm: o.bnorm, seed: o.seed });
      net.meta = {
        ...net.meta,
        classes: { name: classes, description: classes },
        normalization: { imageSize: [o.size, o.size, o.channels], averageImage: mean.map(Math.fround), averageImageSize: [1, 1, o.channels], cropSize: VAL_CROP, interpolation: 'bilinear', keepAspect: true },
      };
      io.out(`${o.model}${o.bnorm ? ' + bnorm' : ''} at ${o.size}×${o.size}×${o.channels}: ${classes.length} classes (${classes.slice(0, 5).join(', ')}${classes.length > 5 ? ', …' : ''}), ${data.trainIndices.length} training and ${data.valIndices.length} held-out images from ${dataDir}; ${o.threads} decoding thread${o.threads > 1 ? 's' : ''}`);
      io.out(display(net, { batchSize: o.batchSize }).text);
      io.out(`experiment folder: ${expDir}`);
      const report = terminalReport(io.progress);
      const { net: finalNet, stats } = await train(net, data, {
        train: data.trainIndices,
        val: data.valIndices,
        ...sgdOptions(o),
        expDir,
        continue: resumeAfter > 0,
        ...report,
      });
      const last = stats[stats.length - 1];
      if (last?.val) io.out(`held-out (${last.val.num} images) after epoch ${last.epoch}: error ${(100 * (last.val.errors.top1err ?? Number.NaN)).toFixed(2)}%`);
      const matFile = join(expDir, 'net.mat');
      await writeAtomic(matFile, await saveMatConvNet(finalNet as SimpleNNSpec));
      io.out(`checkpoints: ${expDir}/net-epoch-<N>.ctsnet (+ .state); plot: ${expDir}/${PLOT_FILE}`);
      io.out(`MatConvNet model: ${matFile} (bash scripts/run.sh classify --model ${matFile} --image <image>)`);
      return 0;
    } finally {
      data.close();
    }
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return e instanceof UsageError ? 2 : 1;
  } finally {
    backend.dispose();
  }
}
