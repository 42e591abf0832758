/**
 * Shared helpers for the dagnn tests (not part of the package's build).
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { DagNN } from './dag-nn.js';
import { Concat } from './layers/concat.js';
import { Conv } from './layers/conv.js';
import { Loss } from './layers/loss.js';
import { Pooling } from './layers/pooling.js';
import { ReLU } from './layers/relu.js';
import { Sigmoid } from './layers/sigmoid.js';
import { Sum } from './layers/sum.js';

export const cpu64 = createCpuBackend({ dtype: 'float64' });
export const cpu32 = createCpuBackend({ dtype: 'float32' });

/** A tensor of normal values from a seeded generator. */
export function randn(backend: Backend, shape: Shape, seed: number, std = 1): Tensor {
  const rng = new Rng(seed);
  return backend.tensor(rng.randn(sizeOf(shape)).map((v) => v * std), shape);
}

/**
 * A DAG with a branch, a Concat, a Sum and a shared parameter:
 * x → convA (filters 'wf') → a → sigmoid → s ┐
 * x → convB (filters 'wf', shared) → b ──────┴ concat → c → conv1×1 → d ┐
 *                                         a ─────────────────────────────┴ sum → e → avg pool → p → loss(p, label) → objective
 */
export function branchyNet(backend: Backend): DagNN {
  const net = new DagNN(backend);
  net.addLayer('convA', new Conv({ size: [3, 3, 2, 3], pad: 1 }), 'x', 'a', ['wf', 'ba']);
  net.addLayer('sig', new Sigmoid(), 'a', 's');
  net.addLayer('convB', new Conv({ size: [3, 3, 2, 3], pad: 1 }), 'x', 'b', ['wf', 'bb']);
  net.addLayer('cat', new Concat(), ['s', 'b'], 'c');
  net.addLayer('conv1', new Conv({ size: [1, 1, 6, 3] }), 'c', 'd', ['w1', 'b1']);
  net.addLayer('sum', new Sum(), ['d', 'a'], 'e');
  net.addLayer('pool', new Pooling({ poolSize: 2, stride: 2, method: 'avg' }), 'e', 'p');
  net.addLayer('loss', new Loss(), ['p', 'label'], 'objective');
  return net.initParams(new Rng(3));
}

/** MatConvNet's MNIST LeNet as a DAG (conv 5×5×1×20, pool, conv 5×5×20×50, pool, conv 4×4×50×500, relu, conv 1×1×500×10, loss). */
export function lenetDag(backend: Backend): DagNN {
  const net = new DagNN(backend);
  net.addLayer('conv1', new Conv({ size: [5, 5, 1, 20] }), 'input', 'x1', ['conv1f', 'conv1b']);
  net.addLayer('pool1', new Pooling({ poolSize: 2, stride: 2 }), 'x1', 'x2');
  net.addLayer('conv2', new Conv({ size: [5, 5, 20, 50] }), 'x2', 'x3', ['conv2f', 'conv2b']);
  net.addLayer('pool2', new Pooling({ poolSize: 2, stride: 2 }), 'x3', 'x4');
  net.addLayer('conv3', new Conv({ size: [4, 4, 50, 500] }), 'x4', 'x5', ['conv3f', 'conv3b']);
  net.addLayer('relu', new ReLU(), 'x5', 'x6');
  net.addLayer('conv4', new Conv({ size: [1, 1, 500, 10] }), 'x6', 'prediction', ['conv4f', 'conv4b']);
  net.addLayer('loss', new Loss(), ['prediction', 'label'], 'objective');
  return net;
}
