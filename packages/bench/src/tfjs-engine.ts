import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
// The gradients (tf.grad, optimizer.minimize) are registered by the @tensorflow/tfjs bundle, not by tfjs-core alone.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Engine, Run, Task } from './engine.js';
import { tfjsAlexnetStep } from './tfjs-alexnet.js';
import { type BenchData, CONV, LENET, LENET_RATE } from './workloads.js';
import { installWasmBestRoute, WASM_BEST_ROUTE } from './tfjs-wasm-best-route.js';

export type TfjsBackend = 'cpu' | 'wasm';

let wasmReady = false;

/** Points tfjs-backend-wasm at the .wasm files inside its own npm package (dist/), and sets its threads. */
export function prepareWasm(threads: number): void {
  if (wasmReady) return;
  const require = createRequire(import.meta.url);
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist/');
  setWasmPaths(dist);
  setThreadsCount(threads);
  wasmReady = true;
}

/**
 * TensorFlow.js 4.22 on one backend: tfjs-backend-cpu (plain JavaScript) or
 * tfjs-backend-wasm (XNNPACK, WebAssembly SIMD, with its best route for the
 * derivatives installed). Same data, same operations: `conv2d` (W1),
 * `conv2dTranspose` = Conv2DBackpropInput and the Conv2DBackpropFilter kernel
 * (W2), LeNet with `optimizer.minimize` and `tf.train.sgd` (W3), `matMul`
 * (W4), AlexNet's SGD step (W5, `tfjsAlexnetStep`).
 */
export async function tfjsEngine(backend: TfjsBackend, data: BenchData, threads: number): Promise<Engine> {
  if (backend === 'wasm') {
    prepareWasm(threads);
    installWasmBestRoute();
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  let threadNote = '1 (tfjs-backend-cpu is single-threaded)';
  if (backend === 'wasm') {
    const mt = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    threadNote = mt ? `${getThreadsCount()} (pthreads)` : '1 (no multithreaded build in Node: no pthreads)';
  }
  const t = (h: { values: Float32Array; shape: number[] }) => tf.tensor(h.values, h.shape, 'float32');
  const x = t(data.x) as tf.Tensor4D;
  const f = t(data.f) as tf.Tensor4D;
  const dy = t(data.dy) as tf.Tensor4D;
  const ga = t(data.gemmA) as tf.Tensor2D;
  const gb = t(data.gemmB) as tf.Tensor2D;
  const lx = t(data.lenetX) as tf.Tensor4D;
  const onehot = tf.oneHot(tf.tensor1d(data.lenetLabels.map((l) => l - 1), 'int32'), 10);
  const vars = data.lenetParams.map((p, i) => ({
    f: tf.variable(t(p.f), true, `${backend}-lenet${i}f`) as tf.Variable<tf.Rank.R4>,
    b: tf.variable(t(p.b), true, `${backend}-lenet${i}b`) as tf.Variable<tf.Rank.R1>,
  }));
  const optimizer = tf.train.sgd(LENET_RATE);
  const pad = CONV.pad === 1 ? 'same' : 'valid';
  const sync = async (y: tf.Tensor): Promise<() => void> => {
    await y.data();
    return () => y.dispose();
  };
  const filterGrad: Run = () =>
    sync(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad, dataFormat: 'NHWC', filterShape: f.shape }) as tf.Tensor);

  /** LeNet forward; the loss is the mean over the batch, as convnet-ts's softmaxloss (vl_nnsoftmaxloss divides by N). */
  const lenetLoss = (): tf.Scalar => {
    let h: tf.Tensor4D = lx;
    for (const [i, layer] of LENET.entries()) {
      h = tf.add(tf.conv2d(h, vars[i]!.f, 1, 'valid'), vars[i]!.b);
      if (layer.after === 'pool') h = tf.maxPool(h, 2, 2, 'valid');
      else if (layer.after === 'relu') h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(onehot, tf.reshape(h, [data.lenetLabels.length, 10]), undefined, 0, tf.Reduction.MEAN);
  };
  // This engine's variables only: the registry also holds the other tfjs engine's.
  const varList = vars.flatMap((v) => [v.f, v.b]);
  const sgdStep: Run = async () => {
    const cost = optimizer.minimize(lenetLoss, true, varList);
    await cost?.data();
    cost?.dispose();
    return () => {};
  };

  // tfjs-wasm trains through the best route (its derivatives as XNNPACK Conv2D, see tfjs-wasm-best-route.ts): labelled in the table.
  const route = backend === 'wasm' ? { route: WASM_BEST_ROUTE } : {};
  // tfjs-backend-cpu's naive Conv2DBackpropFilter takes minutes for W2 alone: no AlexNet weights for it (the table says "not run").
  const alexnet = data.alexnet && backend === 'wasm' ? tfjsAlexnetStep(backend, data.alexnet) : null;
  const tasks: Record<string, Task> = {
    W1: { run: () => sync(tf.conv2d(x, f, 1, pad)) },
    'W2 dzdx': { run: () => sync(tf.conv2dTranspose(dy, f, x.shape, 1, pad)), ...route },
    'W2 dzdf': { run: filterGrad, ...route },
    W3: { run: sgdStep, ...route },
    W4: { run: () => sync(tf.matMul(ga, gb)) },
  };
  if (alexnet) tasks.W5 = { run: alexnet.step, ...route };
  else if (data.alexnet) tasks.W5 = { missing: 'not run: naive Conv2DBackpropFilter' };
  return {
    name: `tfjs-${backend}`,
    threads: 1,
    threadNote,
    task: (row) => tasks[row] ?? null,
    activate: async () => {
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to switch`);
    },
    dispose: () => {
      // Only this engine's variables: the other tfjs engine's live in the same registry.
      for (const v of vars) {
        v.f.dispose();
        v.b.dispose();
      }
      optimizer.dispose();
      alexnet?.dispose();
      for (const v of [x, f, dy, ga, gb, lx, onehot]) v.dispose();
    },
  };
}
