/**
 * The training worker: MatConvNet's `cnn_train` (`train` of
 * @convnet-ts/train, no `expDir`, so no file system) on LeNet and the
 * page's digits, on WebGPU when asked (or, for 'auto', when `navigator.gpu`
 * gives an adapter) and on the CPU backend otherwise — one thread per core
 * when the page is cross-origin isolated. It reports every batch, and after
 * every epoch the statistics and the network as a model file.
 *
 * Pause and resume: the batch source awaits a resume before handing out the
 * next batch, so a paused run holds the network between two updates. Each
 * batch also yields to the event loop once (a zero timeout), so the page's
 * messages arrive while the CPU backend computes synchronously. Images/s
 * leave out the time spent waiting. Reset is the page terminating the worker.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createWebGPUBackend } from '@convnet-ts/kernels-webgpu';
import { saveSimpleNN, type SimpleNN } from '@convnet-ts/simplenn';
import type { Backend } from '@convnet-ts/tensor';
import { ArrayBatchSource, type BatchSource, type EpochStats, type ProgressEvent, train } from '@convnet-ts/train';
import { lenet } from './lenet.js';
import { decodeDigits, digitNormalization, spread } from './mnist.js';
import type { FromWorker, ToWorker, TrainConfig } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated: boolean;
}
const scope = self as unknown as WorkerScope;

let paused: { promise: Promise<void>; resume: () => void } | null = null;
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
    async getBatch(indices, backend) {
      await new Promise((r) => setTimeout(r, 0));
      if (newPass) {
        waitAtPassStart = waitMs;
        newPass = false;
      }
      const t0 = performance.now();
      if (saving) await saving;
      while (paused) await paused.promise;
      waitMs += performance.now() - t0;
      return inner.getBatch(indices, backend);
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
    const active = e.stats.time - (waitMs - waitAtPassStart) / 1000;
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
    });
  };
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
  const source = pausableSource(new ArrayBatchSource({ images: digits.images, imageShape: [28, 28, 1], labels: digits.labels }));
  const result = await train(net, source, {
    numEpochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    momentum: config.momentum,
    randomSeed: config.seed,
    train: spread(digits.train, config.trainImages),
    val: spread(digits.val, config.valImages),
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

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'pause' && !paused) {
    let resume = (): void => {};
    const promise = new Promise<void>((r) => {
      resume = r;
    });
    paused = { promise, resume };
    scope.postMessage({ type: 'paused' });
  } else if (message.type === 'resume' && paused) {
    const { resume } = paused;
    paused = null;
    resume();
    scope.postMessage({ type: 'resumed' });
  } else if (message.type === 'start') {
    run(message.config, message.digitsUrl).catch((err: unknown) => {
      scope.postMessage({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    });
  }
};
