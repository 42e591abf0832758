/**
 * Chains and DAGs built here, exported, run in ONNX Runtime and in
 * convnet-ts on the same seeded inputs: LeNet with bnorm (non-trivial
 * moments), an AlexNet-shaped chain (groups, LRN, dropout, fully connected
 * convs), pooling edge cases, and the other mapped layers.
 */
import { Conv, ConvTranspose, DagNN } from '@convnet-ts/dagnn';
import { type SimpleNNSpec, simplenn } from '@convnet-ts/simplenn';
import { Rng, randnTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { exportOnnxSync } from './export.js';
import { decodeModel } from './proto/model.js';
import { backend, evalDag, expectAgree, randomInput, runOrt } from './test-export-ort.js';
import { alexnet as alexnetNet, lenetBnorm as lenetBnormNet, scaleConcatDag } from './test-nets.js';

const rng = new Rng(7);
const randn = (shape: Shape, std = 1): Tensor => randnTensor(backend, shape, rng, std);

/** Output of the chain (test mode) and of its export in ONNX Runtime, compared; returns the relative difference. */
async function compareChain(net: SimpleNNSpec, inputShape: Shape, seed: number, std = 1): Promise<{ rel: number; ops: string[] }> {
  const { tensor, feed } = randomInput(inputShape, seed, std);
  const chain = { layers: net.layers.filter((l) => l.type !== 'softmaxloss'), meta: net.meta ?? {} };
  const res = simplenn(chain, tensor, null, null, { mode: 'test' });
  const y = res[res.length - 1]!.x!;
  const bytes = exportOnnxSync(net, { inputSize: inputShape.slice(1), backend });
  const out = await runOrt(bytes, { input: feed });
  const name = decodeModel(bytes).graph!.output[0]!.name;
  return { rel: expectAgree(out[name]!, { data: y.dataSync(), dims: y.shape }), ops: decodeModel(bytes).graph!.node.map((n) => n.opType) };
}

async function compareDag(net: DagNN, inputs: Record<string, Shape>, outputs: string[], seed: number): Promise<number[]> {
  const tensors: Record<string, Tensor> = {};
  const feeds: Record<string, { data: ArrayLike<number>; dims: number[] }> = {};
  let s = seed;
  for (const [name, shape] of Object.entries(inputs)) {
    const { tensor, feed } = randomInput(shape, s++);
    tensors[name] = tensor;
    feeds[name] = feed;
  }
  const inputSize = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.slice(1)]));
  const out = await runOrt(exportOnnxSync(net, { inputSize }), feeds);
  const expected = evalDag(net, tensors, outputs);
  return outputs.map((v) => expectAgree(out[v]!, expected[v]!));
}

const nets = { backend, rng };
const lenetBnorm = (): SimpleNNSpec => lenetBnormNet(nets);
const alexnet = (): SimpleNNSpec => alexnetNet(nets);

describe('chains in ONNX Runtime', () => {
  it('LeNet with bnorm: BatchNormalization with var = σ² − ε', async () => {
    const { rel, ops } = await compareChain(lenetBnorm(), [3, 28, 28, 1], 11, 1);
    expect(ops.filter((o) => o === 'BatchNormalization')).toHaveLength(3);
    console.log('lenet+bnorm rel', rel);
  });

  it('AlexNet-shaped: groups, LRN (alpha·n), dropout omitted, fully connected convs', async () => {
    const { rel, ops } = await compareChain(alexnet(), [2, 35, 35, 3], 12, 20);
    expect(ops).not.toContain('Dropout');
    expect(ops.filter((o) => o === 'Transpose')).toHaveLength(2);
    expect(ops.filter((o) => o === 'LRN')).toHaveLength(2);
    console.log('alexnet rel', rel);
  });

  it('LRN with an even window and one wider than the channels', async () => {
    const chain = (n: number): SimpleNNSpec => ({ layers: [{ type: 'lrn', param: [n, 0.5, 0.1, 0.6] }] });
    for (const n of [4, 9, 2, 12]) {
      const { rel, ops } = await compareChain(chain(n), [2, 3, 4, 5], 13 + n, 2);
      expect(ops).toContain(n % 2 === 0 ? 'Pow' : 'LRN');
      console.log(`lrn n=${n} rel`, rel);
    }
  });

  const poolCases: [string, { method: 'max' | 'avg'; pool: number[]; pad: number[]; stride: number[] }][] = [
    ['max, asymmetric pad, stride not dividing', { method: 'max', pool: [3, 2], pad: [1, 2, 0, 1], stride: [2, 3] }],
    ['avg, asymmetric pad, stride not dividing (divisor = pixels inside)', { method: 'avg', pool: [3, 2], pad: [1, 2, 0, 1], stride: [2, 3] }],
    ['avg, pad 1 all round, 3 × 3 stride 2', { method: 'avg', pool: [3, 3], pad: [1, 1, 1, 1], stride: [2, 2] }],
    ['max, pad 2 with a 3 × 3 window', { method: 'max', pool: [3, 3], pad: [2, 2, 2, 2], stride: [1, 1] }],
    ['avg, stride larger than the window', { method: 'avg', pool: [2, 2], pad: [0, 1, 1, 0], stride: [3, 3] }],
  ];
  for (const [title, p] of poolCases) {
    it(`pooling: ${title}`, async () => {
      // Inputs all negative: zero padding would show in max pooling, a full-window divisor in avg pooling.
      const net: SimpleNNSpec = { layers: [{ type: 'pool', ...p }, { type: 'sigmoid' }] };
      const { tensor, feed } = randomInput([2, 7, 8, 3], 14, 1);
      const neg = backend.tensor(Float64Array.from(tensor.dataSync(), (v) => -1 - Math.abs(v)), tensor.shape);
      const res = simplenn({ layers: [{ type: 'pool', ...p }] }, neg, null, null, { mode: 'test' });
      const y = res[1]!.x!;
      const out = await runOrt(exportOnnxSync({ layers: [{ type: 'pool', ...p }] }, { inputSize: [7, 8, 3], backend }), {
        input: { data: neg.dataSync(), dims: feed.dims },
      });
      console.log(`pool ${title} rel`, expectAgree(out.prediction!, { data: y.dataSync(), dims: y.shape }, 1e-6));
      expect((await compareChain(net, [2, 7, 8, 3], 15, 2)).rel).toBeLessThan(1e-4);
    });
  }

  it('pooling over the whole input becomes GlobalAveragePool', async () => {
    const { rel, ops } = await compareChain({ layers: [{ type: 'pool', method: 'avg', pool: [5, 6] }] }, [2, 5, 6, 4], 16);
    expect(ops).toEqual(['Transpose', 'GlobalAveragePool', 'Transpose']);
    expect(rel).toBeLessThan(1e-6);
  });

  it('conv with dilation and asymmetric pads, convt with upsample, crop and groups, leaky ReLU, sigmoid', async () => {
    const net: SimpleNNSpec = {
      layers: [
        { type: 'conv', name: 'c1', weights: [randn([3, 2, 4, 6], 0.3), randn([6], 0.1)], pad: [1, 2, 0, 1], stride: [2, 1], dilate: [2, 3] },
        { type: 'relu', leak: 0.1 },
        { type: 'convt', name: 'up', weights: [randn([4, 3, 5, 6], 0.3), randn([10], 0.1)], upsample: [2, 3], crop: [1, 0, 2, 1], numGroups: 2 },
        { type: 'sigmoid' },
      ],
    };
    const { rel, ops } = await compareChain(net, [2, 9, 8, 4], 17);
    expect(ops).toEqual(['Transpose', 'Conv', 'LeakyRelu', 'ConvTranspose', 'Sigmoid', 'Transpose']);
    console.log('conv/convt rel', rel);
  });
});

describe('DAGs in ONNX Runtime', () => {
  it('Scale, Crop, Concat along each axis, Sum, BatchNorm, SoftMax; two inputs and two outputs', async () => {
    const net = scaleConcatDag(nets, { scale: [1, 1, 1, 4], scale2: [4] });
    const rels = await compareDag(net, { a: [2, 9, 10, 3], b: [2, 6, 6, 4] }, ['prob', 'gate'], 21);
    console.log('dag rels', rels);
  });

  it('ConvTranspose inside a DAG; layout nchw without Transposes; shared parameters written once', async () => {
    const net = new DagNN(backend);
    net.addLayer('up', new ConvTranspose({ size: [3, 3, 2, 3], upsample: 2, crop: [0, 1, 0, 1] }), 'x', 'u', ['uf', 'ub']);
    net.addLayer('c1', new Conv({ size: [3, 3, 2, 2], pad: 1 }), 'u', 'v1', ['shared_f', 'shared_b']);
    net.addLayer('c2', new Conv({ size: [3, 3, 2, 2], pad: 1 }), 'v1', 'v2', ['shared_f', 'shared_b']);
    net.initParams(new Rng(5));
    const bytes = exportOnnxSync(net, { inputSize: [4, 5, 3], layout: 'nchw' });
    const g = decodeModel(bytes).graph!;
    expect(g.node.map((n) => n.opType)).toEqual(['ConvTranspose', 'Conv', 'Conv']);
    expect(g.initializer.map((t) => t.name).sort()).toEqual(['shared_b', 'shared_f', 'ub', 'uf']);
    const { tensor } = randomInput([2, 4, 5, 3], 22);
    const x = tensor.dataSync();
    const nchw = new Float32Array(x.length);
    for (let n = 0; n < 2; n++) for (let h = 0; h < 4; h++) for (let w = 0; w < 5; w++) for (let c = 0; c < 3; c++) nchw[((n * 3 + c) * 4 + h) * 5 + w] = x[((n * 4 + h) * 5 + w) * 3 + c]!;
    const out = (await runOrt(bytes, { x: { data: nchw, dims: [2, 3, 4, 5] } })).v2!;
    const y = evalDag(net, { x: tensor }, ['v2']).v2!;
    const [n, h, w, c] = y.dims as [number, number, number, number];
    const back = new Float32Array(out.data.length);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) back[((i * h + r) * w + s) * c + k] = out.data[((i * c + k) * h + r) * w + s]!;
    expect(out.dims).toEqual([n, c, h, w]);
    console.log('nchw rel', expectAgree({ data: back, dims: y.dims }, y));
  });
});
