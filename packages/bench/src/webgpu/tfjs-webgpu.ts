import type * as TF from '@tensorflow/tfjs-core';
import type { HostTensor } from '../workloads.js';
import { describeAdapter } from './convnet-webgpu.js';
import type { WebgpuData } from './data.js';
import type { GpuEngine, GpuResult } from './gpu-engine.js';
import type { ChainData, ChainNet } from './nets.js';

/** The parts of tfjs-backend-webgpu's `WebGPUBackend` this engine uses (some are private in its typings). */
interface TfjsWebgpuBackend {
  device: GPUDevice;
  queue: GPUQueue;
  adapterInfo?: { vendor?: string; architecture?: string };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  recordAndSubmit(...args: unknown[]): void;
}

/** TensorFlow.js on tfjs-backend-webgpu, and how to release its device. */
export interface TfjsWebgpu {
  tf: typeof TF;
  /** Removes the backend (tfjs disposes its buffers) and destroys its device. */
  release(): void;
}

/**
 * TensorFlow.js with its WebGPU backend on a device of `gpu` (Dawn's `GPU` object), registered as
 * `webgpu` and made current. tfjs-backend-webgpu needs `navigator.gpu` (its backend's constructor checks
 * it), so `navigator` is set first and the import is dynamic. The device is requested as tfjs-backend-webgpu's
 * own factory does (timestamp-query when offered, the adapter's workgroup, dispatch and buffer limits);
 * the bench registers it itself so that `release()` can destroy the device (tfjs never does, and a live
 * Dawn device keeps Node from exiting) and a later call can register a fresh one. The caller keeps `gpu`
 * referenced while the backend is in use.
 */
export async function tfjsOnWebgpu(gpu: GPU): Promise<TfjsWebgpu> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator === undefined) g.navigator = { gpu };
  else if (g.navigator.gpu !== gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  const tf = await import('@tensorflow/tfjs-core');
  // The gradients (tf.variableGrads, optimizer.minimize) are registered by the @tensorflow/tfjs bundle.
  await import('@tensorflow/tfjs');
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error(`tfjs-webgpu: Dawn found no adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})`);
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info as never), 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu failed to initialise (tf.setBackend("webgpu") returned false)');
  await tf.ready();
  return {
    tf,
    release: () => {
      tf.removeBackend('webgpu');
      device.destroy();
    },
  };
}

/** Splits a grouped convolution (C′ = C/G filter depth) into G convolutions and concatenates them (tfjs has no groups). */
function groupedConv(tf: typeof TF, x: TF.Tensor4D, f: TF.Tensor4D, stride: number, pad: number): TF.Tensor4D {
  const groups = (x.shape[3] ?? 1) / (f.shape[2] ?? 1);
  if (groups === 1) return tf.conv2d(x, f, stride, pad) as TF.Tensor4D;
  const xs = tf.split(x, groups, 3);
  const fs = tf.split(f, groups, 3);
  return tf.concat(
    xs.map((xg, i) => tf.conv2d(xg as TF.Tensor4D, fs[i] as TF.Tensor4D, stride, pad)),
    3,
  );
}

/** One SGD step of a chain network: forward, softmax cross-entropy averaged over the batch (convnet-ts's and MatConvNet's softmaxloss divide by N), `optimizer.minimize`. */
function chainStep(tf: typeof TF, net: ChainNet, data: ChainData, name: string): { step: () => TF.Scalar; dispose: () => void } {
  const x = tf.tensor4d(data.x.values, net.input, 'float32');
  const onehot = tf.oneHot(tf.tensor1d(data.labels.map((l) => l - 1), 'int32'), net.classes);
  const vars = data.params.map((p, i) => ({
    f: tf.variable(tf.tensor4d(p.f.values, p.f.shape as [number, number, number, number], 'float32'), true, `${name}-${i}f`),
    b: tf.variable(tf.tensor1d(p.b.values, 'float32'), true, `${name}-${i}b`),
  }));
  const optimizer = tf.train.sgd(net.rate);
  const loss = (): TF.Scalar => {
    let h: TF.Tensor4D = x;
    let c = 0;
    for (const l of net.layers) {
      if (l.kind === 'conv') {
        const v = vars[c++]!;
        h = tf.add(groupedConv(tf, h, v.f, l.stride ?? 1, l.pad ?? 0), v.b) as TF.Tensor4D;
      } else if (l.kind === 'relu') h = tf.relu(h);
      else if (l.kind === 'pool') h = tf.maxPool(h, l.size, l.stride, 'valid');
      else h = tf.dropout(h, l.rate) as TF.Tensor4D;
    }
    return tf.losses.softmaxCrossEntropy(onehot, tf.reshape(h, [net.input[0], net.classes]), undefined, 0, tf.Reduction.MEAN);
  };
  const varList = vars.flatMap((v) => [v.f, v.b]);
  return {
    step: () => optimizer.minimize(loss, true, varList) as TF.Scalar,
    dispose: () => {
      for (const v of varList) v.dispose();
      optimizer.dispose();
      x.dispose();
      onehot.dispose();
    },
  };
}

/**
 * TensorFlow.js 4.22 on tfjs-backend-webgpu, the same operations as packages/bench's tfjs engines:
 * `conv2d` (W1), `conv2dTranspose` (W2 dz/dx), the Conv2DBackpropFilter kernel (W2 dz/df), LeNet and
 * AlexNet with `optimizer.minimize` of `tf.train.sgd` (W3, AlexNet; AlexNet's grouped convolutions as
 * split + conv2d + concat), `matMul` (W4). Dispatches are counted by wrapping the backend's
 * `recordAndSubmit` (one compute dispatch each), submissions by wrapping `submitQueue`.
 */
export function tfjsWebgpuEngine(tf: typeof TF, data: WebgpuData): GpuEngine {
  const backend = tf.backend() as unknown as TfjsWebgpuBackend;
  let dispatches = 0;
  let submissions = 0;
  const record = backend.recordAndSubmit.bind(backend);
  backend.recordAndSubmit = (...args: unknown[]) => {
    dispatches++;
    record(...args);
  };
  const submit = backend.submitQueue.bind(backend);
  backend.submitQueue = () => {
    submissions++;
    submit();
  };
  const t = (h: HostTensor) => tf.tensor(h.values, h.shape, 'float32');
  const x = t(data.conv.x) as TF.Tensor4D;
  const f = t(data.conv.f) as TF.Tensor4D;
  const dy = t(data.conv.dy) as TF.Tensor4D;
  const ga = t(data.gemm.a) as TF.Tensor2D;
  const gb = t(data.gemm.b) as TF.Tensor2D;
  const pad = data.conv.pad;
  const result = (y: TF.Tensor): GpuResult => ({ read: () => y.data() as Promise<Float32Array>, release: () => y.dispose() });
  const steps: Record<string, ReturnType<typeof chainStep>> = {};
  const ops: Record<string, () => GpuResult> = {
    W1: () => result(tf.conv2d(x, f, 1, pad)),
    'W2 dzdx': () => result(tf.conv2dTranspose(dy, f, x.shape, 1, pad)),
    'W2 dzdf': () =>
      result(
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad, dataFormat: 'NHWC', filterShape: f.shape }) as TF.Tensor,
      ),
    W4: () => result(tf.matMul(ga, gb)),
  };
  for (const [row, { net, data: d }] of Object.entries(data.nets)) {
    ops[row] = () => {
      steps[row] ??= chainStep(tf, net, d, `tfjs-webgpu-${row}`);
      return result(steps[row].step());
    };
  }
  const info = backend.adapterInfo;
  return {
    name: 'tfjs-webgpu',
    adapter: describeAdapter((backend.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? (info as GPUAdapterInfo | undefined)),
    op: (row) => ops[row] ?? null,
    settle: async () => {
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      await backend.queue.onSubmittedWorkDone();
    },
    resetCounts: () => {
      dispatches = 0;
      submissions = 0;
    },
    counts: () => ({ dispatches, submissions }),
    countsSource: "tfjs-webgpu's recordAndSubmit and submitQueue, wrapped",
    activate: async () => {
      if (tf.getBackend() !== 'webgpu' && !(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu failed to switch');
    },
    dispose: () => {
      for (const s of Object.values(steps)) s.dispose();
      for (const v of [x, f, dy, ga, gb]) v.dispose();
    },
  };
}
