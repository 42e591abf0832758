import { simplenn, type SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { fromSimpleNN } from './from-simplenn.js';
import { cpu32, cpu64, randn } from './test-nets.js';

/** MatConvNet's MNIST LeNet (cnn_mnist_init) as a SimpleNN. */
function lenet(backend: Backend): SimpleNNSpec {
  const rng = new Rng(11);
  const w = (shape: Shape) => backend.tensor(rng.randn(sizeOf(shape)).map((v) => 0.1 * v), shape);
  return {
    layers: [
      { type: 'conv', name: 'conv1', weights: [w([5, 5, 1, 20]), w([20])] },
      { type: 'pool', name: 'pool1', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv2', weights: [w([5, 5, 20, 50]), w([50])] },
      { type: 'pool', name: 'pool2', pool: 2, stride: 2 },
      { type: 'conv', name: 'conv3', weights: [w([4, 4, 50, 500]), w([500])], learningRate: [1, 2], weightDecay: [1, 0] },
      { type: 'relu', name: 'relu1' },
      { type: 'conv', name: 'conv4', weights: [w([1, 1, 500, 10]), w([10])] },
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: { inputSize: [1, 28, 28, 1] },
  };
}

describe('fromSimpleNN', () => {
  it.each([
    ['float64', cpu64],
    ['float32', cpu32],
  ] as const)('gives LeNet identical outputs and derivatives (%s)', (_dtype, backend) => {
    const snn = lenet(backend);
    const x = randn(backend, [2, 28, 28, 1], 5);
    const labels = [3, 9];
    const res = simplenn(snn, x, 1, null, { labels, conserveMemory: false });
    const dag = fromSimpleNN(snn);
    dag.conserveMemory = false;
    dag.eval({ x0: x, label: labels }, { x8: 1 });
    expect((dag.getVar('x8').value as Tensor).dataSync()[0]).toBe(res[8]!.x!.dataSync()[0]);
    expect(Array.from((dag.getVar('x7').value as Tensor).dataSync())).toEqual(Array.from(res[7]!.x!.dataSync()));
    expect(Array.from(dag.getVar('x0').der!.dataSync())).toEqual(Array.from(res[0]!.dzdx!.dataSync()));
    for (const [l, name] of [[0, 'conv1'], [2, 'conv2'], [4, 'conv3'], [6, 'conv4']] as const) {
      expect(Array.from(dag.getParam(`${name}f`).der!.dataSync())).toEqual(Array.from(res[l]!.dzdw[0]!.dataSync()));
      expect(Array.from(dag.getParam(`${name}b`).der!.dataSync())).toEqual(Array.from(res[l]!.dzdw[1]!.dataSync()));
    }
    expect(dag.getParam('conv3b')).toMatchObject({ learningRate: 2, weightDecay: 0 });
    expect(dag.getLayer('loss').inputs).toEqual(['x7', 'label']);
    expect(dag.meta).toEqual({ inputSize: [1, 28, 28, 1] });
  });

  it('gives an AlexNet-like chain (leaky relu, lrn, padded pool, bnorm, dropout) identical outputs and derivatives in test mode', () => {
    const backend = cpu64;
    const w = (shape: Shape, seed: number) => randn(backend, shape, seed, 0.5);
    const snn: SimpleNNSpec = {
      layers: [
        { type: 'conv', name: 'conv1', weights: [w([3, 3, 2, 4], 1), w([4], 2)], pad: 1 },
        { type: 'relu', name: 'relu1', leak: 0.1 },
        { type: 'lrn', name: 'norm1', param: [3, 1, 0.5, 0.75] },
        { type: 'pool', name: 'pool1', pool: 2, stride: 2, pad: [0, 1, 0, 1] },
        { type: 'conv', name: 'conv2', weights: [w([3, 3, 2, 4], 3), w([4], 4)], pad: 1 },
        { type: 'bnorm', name: 'bn2', weights: [w([4], 5), w([4], 6), backend.tensor([0.1, 1.2, -0.2, 0.9, 0.3, 1.1, 0, 0.8], [4, 2])] },
        { type: 'dropout', name: 'drop2', rate: 0.3 },
        { type: 'conv', name: 'fc3', weights: [w([3, 3, 4, 3], 7), w([3], 8)] },
        { type: 'softmaxloss', name: 'loss' },
      ],
    };
    const x = randn(backend, [2, 5, 5, 2], 21);
    const labels = [2, 3];
    const res = simplenn(snn, x, 1, null, { labels, conserveMemory: false, mode: 'test' });
    const dag = fromSimpleNN(snn);
    dag.conserveMemory = false;
    dag.mode = 'test';
    dag.eval({ x0: x, label: labels }, { x9: 1 });
    expect((dag.getVar('x9').value as Tensor).dataSync()[0]).toBe(res[9]!.x!.dataSync()[0]);
    expect(Array.from((dag.getVar('x8').value as Tensor).dataSync())).toEqual(Array.from(res[8]!.x!.dataSync()));
    expect(Array.from(dag.getVar('x0').der!.dataSync())).toEqual(Array.from(res[0]!.dzdx!.dataSync()));
    for (const [l, name] of [[0, 'conv1'], [4, 'conv2'], [7, 'fc3']] as const) {
      expect(Array.from(dag.getParam(`${name}f`).der!.dataSync())).toEqual(Array.from(res[l]!.dzdw[0]!.dataSync()));
      expect(Array.from(dag.getParam(`${name}b`).der!.dataSync())).toEqual(Array.from(res[l]!.dzdw[1]!.dataSync()));
    }
  });

  it('rejects custom layers naming them', () => {
    const snn: SimpleNNSpec = {
      layers: [
        {
          type: 'custom',
          name: 'mine',
          forward: (_l, x) => x,
          backward: (_l, _x, _y, dzdy) => ({ dzdx: dzdy }),
        },
      ],
    };
    expect(() => fromSimpleNN(snn, cpu64)).toThrow("fromSimpleNN: layer 'mine' (custom) must be convertible to a DagNN layer, got type 'custom', which has no DagNN layer");
  });
});
