import * as B from '@convnet-ts/blocks';
import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from '../dag-nn.js';
import type { Layer, VarValue } from '../layer.js';
import { cpu64, randn } from '../test-nets.js';
import * as L from './registry.js';
import { LAYER_TYPES } from './registry.js';

const be = cpu64;
const x = randn(be, [2, 4, 4, 3], 1);
const x2 = randn(be, [2, 4, 4, 3], 2);

interface Case {
  layer: Layer;
  inputs: VarValue[];
  params?: Tensor[];
  /** The blocks called by hand: output, then [input derivatives..., parameter derivatives...] for dy. */
  forward: () => Tensor;
  backward: (dy: Tensor) => (Tensor | null)[];
}

const make = (type: string, o: Record<string, unknown> = {}) => LAYER_TYPES[type]!(o);
const f = randn(be, [3, 3, 3, 4], 3);
const b = randn(be, [4], 4);
const ft = randn(be, [3, 3, 2, 3], 5);
const bt = randn(be, [2], 6);
const g = randn(be, [3], 7);
const grid = B.affineGrid(be.tensor([0.9, 0.1, 0.05, -0.1, 0.8, 0], [1, 2, 3]).reshape([1, 2, 3]), [3, 3]);
const theta = be.tensor([0.9, 0.1, 0.05, -0.1, 0.8, 0, 1.1, 0, 0.1, 0.2, 0.7, -0.1], [2, 1, 1, 6]);
const rois = [[1, 1, 1, 3, 4], [2, 2, 1, 4, 4]];
const labels = [2, 3];

const cases: Record<string, Case> = {
  Conv: {
    layer: make('Conv', { size: [3, 3, 3, 4], pad: 1, stride: 2 }),
    inputs: [x],
    params: [f, b],
    forward: () => B.conv(x, f, b, { pad: 1, stride: 2 }),
    backward: (dy) => Object.values(B.convBackward(x, f, b, dy, { pad: 1, stride: 2 })),
  },
  ConvTranspose: {
    layer: make('ConvTranspose', { size: [3, 3, 2, 3], upsample: 2, crop: 1 }),
    inputs: [x],
    params: [ft, bt],
    forward: () => B.convt(x, ft, bt, { upsample: 2, crop: 1 }),
    backward: (dy) => Object.values(B.convtBackward(x, ft, bt, dy, { upsample: 2, crop: 1 })),
  },
  Pooling: {
    layer: make('Pooling', { poolSize: 3, stride: 2, pad: 1, method: 'avg' }),
    inputs: [x],
    forward: () => B.pool(x, 3, { stride: 2, pad: 1, method: 'avg' }),
    backward: (dy) => [B.poolBackward(x, 3, dy, { stride: 2, pad: 1, method: 'avg' })],
  },
  ReLU: { layer: make('ReLU', { leak: 0.1 }), inputs: [x], forward: () => B.relu(x, { leak: 0.1 }), backward: (dy) => [B.reluBackward(x, dy, { leak: 0.1 })] },
  Sigmoid: { layer: make('Sigmoid'), inputs: [x], forward: () => B.sigmoid(x), backward: (dy) => [B.sigmoidBackward(x, dy)] },
  SoftMax: { layer: make('SoftMax'), inputs: [x], forward: () => B.softmax(x), backward: (dy) => [B.softmaxBackward(x, dy)] },
  LRN: { layer: make('LRN'), inputs: [x], forward: () => B.lrn(x, [5, 1, 0.0001 / 5, 0.75]), backward: (dy) => [B.lrnBackward(x, [5, 1, 0.0001 / 5, 0.75], dy)] },
  SpatialNorm: { layer: make('SpatialNorm'), inputs: [x], forward: () => B.spnorm(x, [2, 2, 10, 2]), backward: (dy) => [B.spnormBackward(x, [2, 2, 10, 2], dy)] },
  NormOffset: { layer: make('NormOffset'), inputs: [x], forward: () => B.noffset(x, [1, 0.5]), backward: (dy) => [B.noffsetBackward(x, [1, 0.5], dy)] },
  BatchNorm: {
    layer: make('BatchNorm', { numChannels: 3 }),
    inputs: [x],
    params: [g, be.tensor([0.1, 0.2, 0.3], [3]), be.zeros([3, 2])],
    forward: () => B.bnorm(x, g, be.tensor([0.1, 0.2, 0.3], [3])).y,
    backward: (dy) => {
      const r = B.bnormBackward(x, g, be.tensor([0.1, 0.2, 0.3], [3]), dy);
      return [r.dzdx, r.dzdg, r.dzdb, be.run('Unary', { x: r.moments }, { op: 'scale', alpha: x.shape[0]! })];
    },
  },
  DropOut: {
    layer: make('DropOut', { rate: 0.3 }),
    inputs: [x],
    forward: () => B.dropout(x, { rate: 0.3, rng: new Rng(0) }).y,
    backward: (dy) => [B.dropoutBackward(x, dy, { mask: B.dropout(x, { rate: 0.3, rng: new Rng(0) }).mask })],
  },
  Loss: {
    layer: make('Loss', { loss: 'mshinge' }),
    inputs: [x, labels],
    forward: () => B.loss(x, labels, { loss: 'mshinge' }),
    backward: (dy) => [B.lossBackward(x, labels, dy, { loss: 'mshinge' }), null],
  },
  PDist: {
    layer: make('PDist', { p: 1.5, aggregate: false }),
    inputs: [x, x2],
    forward: () => B.pdist(x, x2, 1.5),
    backward: (dy) => Object.values(B.pdistBackward(x, x2, 1.5, dy)),
  },
  Concat: { layer: make('Concat'), inputs: [x, x2], forward: () => B.concat([x, x2]), backward: (dy) => B.concatBackward([x, x2], dy) },
  Sum: { layer: make('Sum'), inputs: [x, x2, x], forward: () => B.sum([x, x2, x]), backward: (dy) => B.sumBackward([x, x2, x], dy) },
  Scale: {
    layer: make('Scale', { size: [3] }),
    inputs: [x],
    params: [g, be.tensor([1, 2, 3], [3])],
    forward: () => B.scale(x, g, be.tensor([1, 2, 3], [3])),
    backward: (dy) => Object.values(B.scaleBackward(x, g, be.tensor([1, 2, 3], [3]), dy)),
  },
  Crop: {
    layer: make('Crop', { crop: [1, 0] }),
    inputs: [x, randn(be, [2, 2, 3, 1], 9)],
    forward: () => B.crop(x, [1, 1, 0, 1]),
    backward: (dy) => [B.cropBackward(x, [1, 1, 0, 1], dy), null],
  },
  BilinearSampler: {
    layer: make('BilinearSampler'),
    inputs: [x.reshape(x.shape), grid.backend.run('Concat', { xs: [grid, grid] }, { axis: 0 })],
    forward: () => B.bilinearSampler(x, B.concat([grid, grid], { axis: 0 })),
    backward: (dy) => Object.values(B.bilinearSamplerBackward(x, B.concat([grid, grid], { axis: 0 }), dy)),
  },
  AffineGridGenerator: {
    layer: make('AffineGridGenerator', { Ho: 3, Wo: 2 }),
    inputs: [theta],
    forward: () => B.affineGrid(theta.reshape([2, 2, 3]), [3, 2]),
    backward: (dy) => [B.affineGridBackward(theta.reshape([2, 2, 3]), [3, 2], dy).reshape([2, 1, 1, 6])],
  },
  ROIPooling: {
    layer: make('ROIPooling', { subdivisions: [2, 2] }),
    inputs: [x, rois],
    forward: () => B.roiPool(x, rois, { subdivisions: [2, 2] }),
    backward: (dy) => [B.roiPoolBackward(x, rois, dy, { subdivisions: [2, 2] }), null],
  },
};

describe('every layer class equals its blocks called by hand', () => {
  it('covers every registered class', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(L.LAYER_TYPES).sort());
  });

  it.each(Object.entries(cases))('%s: forward and backward', (_name, c) => {
    const net = new DagNN(be, { rng: new Rng(0) });
    net.conserveMemory = false;
    const ins = c.inputs.map((_, i) => `in${i}`);
    const ps = (c.params ?? []).map((_, i) => `p${i}`);
    net.addLayer('layer', c.layer, ins, 'y', ps);
    ps.forEach((p, i) => {
      net.setParam(p, c.params![i]!);
    });
    const y = c.forward();
    const dy = randn(be, y.shape, 10);
    // The dropout mask comes from the network's generator: re-seeded to match the hand call.
    net.eval(Object.fromEntries(ins.map((n, i) => [n, c.inputs[i]!])), { y: dy });
    expect(Array.from((net.getVar('y').value as Tensor).dataSync())).toEqual(Array.from(y.dataSync()));
    const expected = c.backward(dy);
    const got = [...ins.map((n) => net.getVar(n).der), ...ps.map((p) => net.getParam(p).der)];
    expect(got.length).toBe(expected.length);
    got.forEach((d, i) => {
      const e = expected[i];
      if (e === null || e === undefined) expect(d).toBeNull();
      else if (ins[i] !== undefined && c.inputs.filter((v) => v === c.inputs[i]).length > 1) expect(d).not.toBeNull();
      else expect(Array.from(d!.dataSync())).toEqual(Array.from(e.dataSync()));
    });
  });
});
