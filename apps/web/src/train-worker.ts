/**
 * The training worker: MatConvNet's `cnn_train` (`train` of
 * @convnet-ts/train, no `expDir`, so no file system) on LeNet and the
 * page's digits, on WebGPU when asked (or, for 'auto', when `navigator.gpu`
 * gives an adapter) and on the CPU backend otherwise — one thread per core
 * when the page is cross-origin isolated. It reports every batch, and after
 * every epoch the statistics and the network as a model file.
 *
 * Pause and resume: the batch source awaits a resume before handing out the
 * next batch, so a paused run holds the network between two updates. The
 * worker answers `paused` only once it holds there: a batch already past
 * that point (its images being decoded, or computing) finishes and reports
 * first, so no batch report follows `paused` until `resumed`. Each
 * batch also yields to the event loop once (a zero timeout), so the page's
 * messages arrive while the CPU backend computes synchronously. Images/s
 * leave out the time spent waiting. Reset is the page terminating the worker.
 *
 * On a dropped image folder ('start-images'): `droppedFolderDataset` of
 * @convnet-ts/images decodes in its own Web Workers (nested in this one),
 * first checking every image (unreadable ones reported by path and left
 * out, the training images' mean colour measured), then each batch with
 * cnn_imagenet's augmentation — random crops of 80–100 % of the side,
 * aspect 3/4–4/3, flips — and held-out images as centre crops of 87.5 %;
 * the trainer prefetches the next batch while one computes, and every
 * report carries the time spent waiting for images. The model's
 * `meta.normalization` (imageSize, the mean colour, cropSize 0.875) and
 * `meta.classes` (the folder names) let `classify` in Node use its .mat.
 */
import { type DroppedFolder, droppedFolderDataset } from '@convnet-ts/images/browser';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createWebGPUBackend } from '@convnet-ts/kernels-webgpu';
import { saveSimpleNN, type SimpleNN, type SimpleNNSpec } from '@convnet-ts/simplenn';
import type { Backend } from '@convnet-ts/tensor';
import { ArrayBatchSource, type BatchSource, type EpochStats, type ProgressEvent, train } from '@convnet-ts/train';
import { lenet } from './lenet.js';
import { decodeDigits, digitNormalization, spread } from './mnist.js';
// The decoding worker, bundled by Vite as a worker module (its URL).
import decodeWorkerUrl from '@convnet-ts/images/browser-worker?worker&url';
import { imageNormalization, VAL_CROP } from './image-normalization.js';
import type { FromWorker, ImageTrainConfig, ToWorker, TrainConfig } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated: boolean;
}
const scope = self as unknown as WorkerScope;

/** A pause asked for; `held` once the batch source waits on it and `paused` was posted. */
let paused: { promise: Promise<void>; resume: () => void; held: boolean } | null = null;
/** The last epoch's model file, being written while the next epoch waits for it. */
let saving: Promise<void> | null = null;
/** Milliseconds getBatch spent waiting (saves, pauses), in all and at the start of the current pass. */
let waitMs = 0;
let waitAtPassStart = 0;
let newPass = true;

async function openBackend(choice: TrainConfig['backend']): Promise<{ backend: Backend; kind: 'webgpu' | 'cpu'; detail: string }> {
  if (choice !== 'cpu') {
    const gpu = (navigator as { gpu?: GPU }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (adapter) {
      const device = await adapter.requestDevice();
      const name = [adapter.info.vendor, adapter.info.architecture].filter(Boolean).join(' ');
      return { backend: await createWebGPUBackend({ device, ownsDevice: true }), kind: 'webgpu', detail: `WebGPU (${name || 'adapter'})` };
    }
    if (choice === 'webgpu') throw new Error(`train worker: backend 'webgpu' needs an adapter from navigator.gpu, got ${gpu ? 'null from requestAdapter()' : 'no navigator.gpu'}`);
  }
  const cpu = createCpuBackend();
  await cpu.ready();
  const isolation = scope.crossOriginIsolated ? 'cross-origin isolated' : 'page not cross-origin isolated';
  return { backend: cpu, kind: 'cpu', detail: `CPU, ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'} (${isolation})` };
}

/** Hands out batches after one turn of the event loop, a pending model save and a pause. */
function pausableSource(inner: BatchSource): BatchSource {
  return {
    size: inner.size,
    ...(inner.prefetch ? { prefetch: inner.prefetch.bind(inner) } : {}),
    async getBatch(indices, backend, context) {
      if (newPass) {
        waitAtPassStart = waitMs;
        newPass = false;
      }
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 0));
      if (saving) await saving;
      while (paused) {
        if (!paused.held) {
          paused.held = true;
          scope.postMessage({ type: 'paused' });
        }
        await paused.promise;
      }
      waitMs += performance.now() - t0;
      return inner.getBatch(indices, backend, context);
    },
  };
}

function postModel(message: { type: 'epoch'; stats: EpochStats } | { type: 'done'; stats: EpochStats[] }, model: Uint8Array): void {
  scope.postMessage({ ...message, model }, [model.buffer as ArrayBuffer]);
}

function reporter(): (e: ProgressEvent) => void {
  let last = { num: 0, objective: 0 };
  return (e) => {
    const num = e.stats.num - last.num;
    const batchObjective = num > 0 ? (e.stats.objective * e.stats.num - last.objective * last.num) / num : 0;
    last = e.phase === 'end' ? { num: 0, objective: 0 } : { num: e.stats.num, objective: e.stats.objective };
    if (e.phase === 'end') {
      newPass = true;
      return;
    }
    const waited = (waitMs - waitAtPassStart) / 1000;
    const active = e.stats.time - waited;
    scope.postMessage({
      type: 'batch',
      epoch: e.epoch,
      numEpochs: e.numEpochs,
      mode: e.mode,
      batch: e.batch,
      numBatches: e.numBatches,
      objective: e.stats.objective,
      top1err: e.stats.errors.top1err ?? Number.NaN,
      batchObjective,
      imagesPerSecond: active > 0 ? e.stats.num / active : 0,
      dataSeconds: Math.max(0, (e.stats.dataTime ?? 0) - waited),
      seconds: active,
    });
  };
}

type Solver = Pick<TrainConfig, 'epochs' | 'batchSize' | 'learningRate' | 'weightDecay' | 'momentum' | 'seed'>;

/** `cnn_train` on `source`, reporting every batch and posting each epoch's model (the last one with 'done'). */
async function trainAndPost(net: SimpleNNSpec, source: BatchSource, config: Solver, sets: { train: number[]; val: number[] }): Promise<void> {
  const result = await train(net, pausableSource(source), {
    numEpochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    momentum: config.momentum,
    randomSeed: config.seed,
    train: sets.train,
    val: sets.val,
    onProgress: reporter(),
    postEpochFn: (epoch, stats, trained: SimpleNN) => {
      if (epoch === config.epochs) return undefined; // the 'done' message carries the last epoch's model
      const epochStats = stats[stats.length - 1]!;
      saving = saveSimpleNN(trained)
        .then((model) => postModel({ type: 'epoch', stats: epochStats }, model))
        .finally(() => {
          saving = null;
        });
      return undefined;
    },
  });
  if (saving) await saving;
  postModel({ type: 'done', stats: result.stats }, await saveSimpleNN(result.net));
}

async function run(config: TrainConfig, digitsUrl: string): Promise<void> {
  const t0 = performance.now();
  const response = await fetch(digitsUrl);
  if (!response.ok) throw new Error(`train worker: ${digitsUrl} expected, got HTTP ${response.status}`);
  const digits = decodeDigits(new Uint8Array(await response.arrayBuffer()));
  const t1 = performance.now();
  const { backend, kind, detail } = await openBackend(config.backend);
  scope.postMessage({ type: 'ready', backend: kind, detail, digitsMs: t1 - t0, backendMs: performance.now() - t1 });
  const net = lenet(backend, config.variant, config.seed, digitNormalization(digits.mean));
  const source = new ArrayBatchSource({ images: digits.images, imageShape: [28, 28, 1], labels: digits.labels });
  await trainAndPost(net, source, config, { train: spread(digits.train, config.trainImages), val: spread(digits.val, config.valImages) });
}

async function runImages(config: ImageTrainConfig, folder: DroppedFolder): Promise<void> {
  const t0 = performance.now();
  const data = await droppedFolderDataset(folder, {
    resize: [config.size, config.size],
    numThreads: config.decodeThreads,
    workerUrl: new URL(decodeWorkerUrl, self.location.href),
    seed: config.seed,
    train: { cropSize: [0.8, 1], cropAnisotropy: [3 / 4, 4 / 3], cropLocation: 'random', flip: true, interpolation: 'bilinear' },
    val: { cropSize: VAL_CROP, interpolation: 'bilinear' },
    onCheck: (done, total) => scope.postMessage({ type: 'checking', done, total }),
  });
  try {
    const { problems, trainIndices, valIndices, averageColour } = data;
    scope.postMessage({ type: 'checked', problems, trainImages: trainIndices.length, valImages: valIndices.length, averageColour, seconds: (performance.now() - t0) / 1000 });
    if (trainIndices.length === 0) throw new Error('train worker: the folder must leave readable training images, got none');
    const t1 = performance.now();
    const { backend, kind, detail } = await openBackend(config.backend);
    scope.postMessage({ type: 'ready', backend: kind, detail, digitsMs: t1 - t0, backendMs: performance.now() - t1 });
    const classes = folder.imdb.meta.classes;
    const net = lenet(backend, config.variant, config.seed, imageNormalization(config.size, averageColour), { size: config.size, channels: 3, classes });
    await trainAndPost(net, data, config, { train: trainIndices, val: valIndices });
  } finally {
    data.close();
  }
}

const failed = (err: unknown): void => {
  scope.postMessage({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
};

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'pause' && !paused) {
    let resume = (): void => {};
    const promise = new Promise<void>((r) => {
      resume = r;
    });
    paused = { promise, resume, held: false };
  } else if (message.type === 'resume' && paused) {
    const { resume } = paused;
    paused = null;
    resume();
    scope.postMessage({ type: 'resumed' });
  } else if (message.type === 'start') {
    run(message.config, message.digitsUrl).catch(failed);
  } else if (message.type === 'start-images') {
    runImages(message.config, message.folder).catch(failed);
  }
};
