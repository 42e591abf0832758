import { describe, expect, it } from 'vitest';
import { NO_FIELD } from './field.js';
import { graphReceptiveFields } from './graph-fields.js';
import { type GraphLayer, graphOrder } from './graph-order.js';
import { graphSizes } from './graph-sizes.js';
import type { VarSize } from './var-size.js';

const identity = { kind: 'identity' } as const;

/** A ResNet block that halves the resolution: two 3×3 convs (the first with stride 2) plus a 1×1 stride-2 projection. */
const resnetDown: GraphLayer[] = [
  { name: 'conv1', inputs: ['x'], outputs: ['a'], geometry: { kind: 'filter', size: 3, stride: 2, pad: 1, channels: 128 } },
  { name: 'relu1', inputs: ['a'], outputs: ['b'], geometry: identity },
  { name: 'conv2', inputs: ['b'], outputs: ['c'], geometry: { kind: 'filter', size: 3, pad: 1, channels: 128 } },
  { name: 'proj', inputs: ['x'], outputs: ['p'], geometry: { kind: 'filter', size: 1, stride: 2, channels: 128 } },
  { name: 'sum', inputs: ['c', 'p'], outputs: ['s'], geometry: identity },
  { name: 'relu2', inputs: ['s'], outputs: ['y'], geometry: identity },
];

describe('graphOrder', () => {
  it('keeps layers already in execution order', () => {
    expect(graphOrder(resnetDown).map((l) => l.name)).toEqual(['conv1', 'relu1', 'conv2', 'proj', 'sum', 'relu2']);
  });

  it('sorts layers given out of order, keeping the given order among ready ones', () => {
    const shuffled = [resnetDown[5]!, resnetDown[4]!, resnetDown[3]!, resnetDown[2]!, resnetDown[1]!, resnetDown[0]!];
    expect(graphOrder(shuffled).map((l) => l.name)).toEqual(['proj', 'conv1', 'relu1', 'conv2', 'sum', 'relu2']);
  });

  it('rejects cycles, variables with two producers, and duplicate names', () => {
    expect(() =>
      graphOrder([
        { name: 'f', inputs: ['x', 'z'], outputs: ['y'], geometry: identity },
        { name: 'g', inputs: ['y'], outputs: ['z'], geometry: identity },
      ]),
    ).toThrow("graphOrder: the graph has a cycle through layers 'f', 'g'");
    expect(() =>
      graphOrder([
        { name: 'f', inputs: ['x'], outputs: ['y'], geometry: identity },
        { name: 'g', inputs: ['x'], outputs: ['y'], geometry: identity },
      ]),
    ).toThrow("graphOrder: variable 'y' is written by both layer 'f' and layer 'g'");
    expect(() =>
      graphOrder([
        { name: 'f', inputs: ['x'], outputs: ['y'], geometry: identity },
        { name: 'f', inputs: ['y'], outputs: ['z'], geometry: identity },
      ]),
    ).toThrow("graphOrder: layer name 'f' is used twice");
    expect(() => graphOrder([{ name: 'f', inputs: 'x', outputs: ['y'] } as never])).toThrow(
      'graphOrder: layers[0] must be { name, inputs, outputs, geometry } with string names, got an object',
    );
  });
});

describe('graphReceptiveFields (DagNN.getVarReceptiveFields)', () => {
  it('overlays the two paths of a residual block', () => {
    const rf = graphReceptiveFields(resnetDown, 'x');
    expect(rf.get('x')).toEqual({ size: [1, 1], stride: [1, 1], offset: [1, 1] });
    // conv1: Δ 3, α 2, β 1; conv2 after it: Δ 3 + 2·2 = 7, β 1 + 2·(2 − 1 − 1) = 1.
    expect(rf.get('c')).toEqual({ size: [7, 7], stride: [2, 2], offset: [1, 1] });
    // proj: Δ 1, α 2, β 1 — inside [1 − 3, 1 + 3], so the overlay is conv2's field.
    expect(rf.get('p')).toEqual({ size: [1, 1], stride: [2, 2], offset: [1, 1] });
    expect(rf.get('y')).toEqual({ size: [7, 7], stride: [2, 2], offset: [1, 1] });
  });

  it('gives fields with respect to an inner variable, leaving out what does not depend on it', () => {
    const rf = graphReceptiveFields(resnetDown, 'b');
    expect([...rf.keys()].sort()).toEqual(['b', 'c', 's', 'y']);
    expect(rf.get('y')).toEqual({ size: [3, 3], stride: [1, 1], offset: [1, 1] });
    expect(rf.get('x')).toBeUndefined();
  });

  it('gives NO_FIELD where paths of different strides meet, and after a loss', () => {
    const net: GraphLayer[] = [
      { name: 'pool', inputs: ['x'], outputs: ['p'], geometry: { kind: 'pool', size: 2, stride: 2 } },
      { name: 'cat', inputs: ['x', 'p'], outputs: ['c'], geometry: identity },
      { name: 'relu', inputs: ['c'], outputs: ['r'], geometry: identity },
      { name: 'loss', inputs: ['x', 'label'], outputs: ['objective'], geometry: [{ kind: 'none' }, null] },
    ];
    const rf = graphReceptiveFields(net, 'x');
    expect(rf.get('c')).toBe(NO_FIELD);
    expect(rf.get('r')).toBe(NO_FIELD);
    expect(rf.get('objective')).toBe(NO_FIELD);
    expect(rf.has('label')).toBe(false);
    // The labels are marked as not spatially related to the objective.
    expect([...graphReceptiveFields(net, 'label').keys()]).toEqual(['label']);
  });

  it('follows an FCN skip: downsample, upsample, crop back and sum', () => {
    const net: GraphLayer[] = [
      { name: 'down', inputs: ['x'], outputs: ['d'], geometry: { kind: 'filter', size: 4, stride: 2, pad: 1 } },
      { name: 'up', inputs: ['d'], outputs: ['u'], geometry: { kind: 'convt', size: 4, upsample: 2 } },
      // dagnn.Crop: input 1 cropped by 1 at the top and left to the size of input 2.
      {
        name: 'crop',
        inputs: ['u', 'x'],
        outputs: ['k'],
        geometry: [{ kind: 'custom', field: { size: 1, stride: 1, offset: 2 } }, null],
        outputSizes: ([u, x]) => [x && u ? { size: x.size, channels: u.channels } : undefined],
      },
      { name: 'sum', inputs: ['k', 'x'], outputs: ['y'], geometry: identity },
    ];
    const rf = graphReceptiveFields(net, 'x');
    // down: α 2, β 1.5, Δ 4. up: α 1/2, β (0 − 4 + 1)/4 + 1 = 1/4, Δ 5/2 → α 1, β 2·(−3/4) + 1.5 = 0, Δ 7.
    expect(rf.get('u')).toEqual({ size: [7, 7], stride: [1, 1], offset: [0, 0] });
    // crop shifts by one: β 1. The skip connection lies inside.
    expect(rf.get('k')).toEqual({ size: [7, 7], stride: [1, 1], offset: [1, 1] });
    expect(rf.get('y')).toEqual({ size: [7, 7], stride: [1, 1], offset: [1, 1] });
    const sizes = graphSizes(net, { x: { size: 16, channels: 3 } });
    expect(sizes.get('d')).toEqual({ size: [8, 8], channels: 3 });
    expect(sizes.get('u')).toEqual({ size: [18, 18], channels: 3 });
    expect(sizes.get('k')).toEqual({ size: [16, 16], channels: 3 });
    expect(sizes.get('y')).toEqual({ size: [16, 16], channels: 3 });
  });

  it('rejects an unknown input variable and mismatched geometry lists', () => {
    expect(() => graphReceptiveFields(resnetDown, 'q')).toThrow('graphReceptiveFields: input "q" is not a variable of the graph');
    expect(() =>
      graphReceptiveFields([{ name: 'sum', inputs: ['a', 'b'], outputs: ['c'], geometry: [identity] }], 'a'),
    ).toThrow("graphReceptiveFields: layer 'sum' has 2 inputs but 1 geometries");
  });
});

describe('graphSizes (DagNN.getVarSizes)', () => {
  it('sizes every variable from the input sizes', () => {
    const sizes = graphSizes(resnetDown, { x: { size: [56, 48], channels: 64 } });
    expect(Object.fromEntries(sizes)).toEqual({
      x: { size: [56, 48], channels: 64 },
      a: { size: [28, 24], channels: 128 },
      b: { size: [28, 24], channels: 128 },
      c: { size: [28, 24], channels: 128 },
      p: { size: [28, 24], channels: 128 },
      s: { size: [28, 24], channels: 128 },
      y: { size: [28, 24], channels: 128 },
    });
  });

  it('uses a layer override (concatenation adds channels) and leaves out unknown sizes', () => {
    const concat = (ins: readonly (VarSize | undefined)[]) => {
      const [a, b] = ins;
      return [a && b ? { size: a.size, channels: (a.channels ?? 0) + (b.channels ?? 0) } : undefined];
    };
    const net: GraphLayer[] = [
      { name: 'c1', inputs: ['x'], outputs: ['a'], geometry: { kind: 'filter', size: 1, channels: 16 } },
      { name: 'c3', inputs: ['x'], outputs: ['b'], geometry: { kind: 'filter', size: 3, pad: 1, channels: 32 } },
      { name: 'cat', inputs: ['a', 'b'], outputs: ['c'], geometry: identity, outputSizes: concat },
      { name: 'sampler', inputs: ['c', 'grid'], outputs: ['s'], geometry: [{ kind: 'none' }, { kind: 'none' }] },
    ];
    const sizes = graphSizes(net, { x: 10 });
    expect(sizes.get('c')).toEqual({ size: [10, 10], channels: 48 });
    expect(sizes.has('grid')).toBe(false);
    expect(sizes.has('s')).toBe(false);
  });

  it('names the layer whose output would be empty', () => {
    expect(() => graphSizes(resnetDown, { x: { size: [56, 1] } })).not.toThrow();
    expect(() =>
      graphSizes([{ name: 'big', inputs: ['x'], outputs: ['y'], geometry: { kind: 'filter', size: 7 } }], { x: 5 }),
    ).toThrow(
      "graphSizes: layer 'big': convOutputSize: vertical input size 5 plus padding 0 + 0 is smaller than the filter extent 7; the output would be empty",
    );
  });

  it('checks the input sizes and the override results', () => {
    expect(() => graphSizes(resnetDown, { z: 4 })).toThrow("graphSizes: inputSizes names 'z', which is not a variable of the graph");
    expect(() => graphSizes(resnetDown, { x: 0 })).toThrow('graphSizes: inputSizes.x must be a positive integer');
    expect(() =>
      graphSizes([{ name: 'f', inputs: ['x'], outputs: ['y'], geometry: identity, outputSizes: () => [] }], { x: 4 }),
    ).toThrow("graphSizes: layer 'f': outputSizes() must return one size per output (1), got []");
  });
});
