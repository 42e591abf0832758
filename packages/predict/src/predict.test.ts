import { Conv, DagNN, Loss, ReLU, SoftMax } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { OptionError, ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { predict } from './predict.js';

const backend = createCpuBackend({ dtype: 'float32' });

// Two images of 1×1×3 pixels and a 1×1 conv to K = 4 scores: s_k = Σ_c x_c·F[c, k] + b_k.
const X = [
  [1, 2, 3],
  [-1, 0, 2],
];
const F = [
  [0.5, -1, 0, 2],
  [1, 0.25, -0.5, 0],
  [-0.5, 1, 1, 0.5],
]; // F[c][k]
const B = [0.1, 0.2, -0.3, 0];
const scores = X.map((x) => B.map((b, k) => b + x.reduce((s, xc, c) => s + xc * F[c]![k]!, 0)));
// image 1: [1.1, 2.7, 1.7, 3.5]; image 2: [-1.4, 3.2, 1.7, -1]
const softmax = (s: number[]) => {
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
};
const classes = { name: ['n01', 'n02', 'n03', 'n04'], description: ['tench', 'goldfish', 'shark', 'tabby, tabby cat'] };

const input = () => backend.tensor(X.flat(), [2, 1, 1, 3]);
const filters = () => backend.tensor(F.flat(), [1, 1, 3, 4]);
const biases = () => backend.tensor(B, [4]);

function simple(last: 'softmaxloss' | 'softmax' | 'none'): SimpleNNSpec {
  return {
    layers: [
      { type: 'conv', name: 'fc', weights: [filters(), biases()] },
      { type: 'dropout', name: 'drop', rate: 0.5 },
      ...(last === 'softmaxloss' ? [{ type: 'softmaxloss' as const, name: 'loss' }] : last === 'softmax' ? [{ type: 'softmax' as const, name: 'prob' }] : []),
    ],
    meta: { classes },
  };
}

function dag(withSoftmax: boolean): DagNN {
  const net = new DagNN(backend);
  net.addLayer('fc', new Conv({ size: [1, 1, 3, 4] }), 'data', 'prediction', ['fcf', 'fcb']);
  if (withSoftmax) net.addLayer('prob', new SoftMax(), 'prediction', 'prob');
  net.addLayer('objective', new Loss({ loss: 'softmaxlog' }), ['prediction', 'label'], 'objective');
  net.addLayer('top1err', new Loss({ loss: 'classerror' }), ['prediction', 'label'], 'top1err');
  net.setParam('fcf', filters()).setParam('fcb', biases());
  net.meta = { classes };
  return net;
}

const close = (actual: Float32Array, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i]!, 6);
  });
};

describe('predict on a SimpleNN', () => {
  it('drops the trailing softmaxloss, applies softmax, reports the top-k 1-based with names and descriptions', async () => {
    const net = simple('softmaxloss');
    const x = input();
    const r = await predict(net, x, { topK: 3 });
    expect(r.softmaxApplied).toBe(true);
    expect(r.output).toBe('drop');
    close(r.probabilities[0]!, softmax(scores[0]!));
    close(r.probabilities[1]!, softmax(scores[1]!));
    expect(r.top[0]!.map((t) => [t.index, t.name, t.description])).toEqual([
      [4, 'n04', 'tabby, tabby cat'],
      [2, 'n02', 'goldfish'],
      [3, 'n03', 'shark'],
    ]);
    expect(r.top[1]!.map((t) => t.index)).toEqual([2, 3, 4]);
    expect(r.top[0]![0]!.score).toBeCloseTo(softmax(scores[0]!)[3]!, 6);
    expect(x.isDisposed).toBe(false);
  });

  it('does not apply softmax twice when the net ends in softmax; softmax: false gives the raw scores', async () => {
    const r = await predict(simple('softmax'), input(), { topK: 1 });
    expect(r.softmaxApplied).toBe(false);
    close(r.probabilities[0]!, softmax(scores[0]!));
    expect(r.top[0]).toHaveLength(1);
    const raw = await predict(simple('none'), input(), { softmax: false });
    close(raw.probabilities[1]!, scores[1]!);
    expect(raw.top[1]![0]).toMatchObject({ index: 2, name: 'n02', description: 'goldfish' });
    expect(raw.top[1]![0]!.score).toBeCloseTo(3.2, 6);
  });

  it('defaults to top-5, at most K, and leaks no tensor', async () => {
    const net = simple('softmaxloss');
    const x = input();
    const before = backend.memory().tensors;
    const r = await predict(net, x);
    expect(r.top[0]).toHaveLength(4);
    expect(backend.memory().tensors).toBe(before);
  });

  it('reports indices only when the model has no class names', async () => {
    const net = simple('none');
    net.meta = {};
    const r = await predict(net, input(), { topK: 1 });
    expect(r.top[0]![0]).toEqual({ index: 4, score: expect.any(Number) });
  });

  it('rejects bad options, names that do not fit the output, and outputs that are not class scores', async () => {
    await expect(predict(simple('none'), input(), { topK: 0 })).rejects.toThrow(/topK must be a positive integer, got 0/);
    await expect(predict(simple('none'), input(), { top: 3 } as never)).rejects.toThrow(OptionError);
    await expect(predict(simple('none'), input(), { output: 'fc' })).rejects.toThrow(/name DagNN variables/);
    const wrong = simple('none');
    wrong.meta = { classes: { name: ['a', 'b'] } };
    await expect(predict(wrong, input())).rejects.toThrow(/meta.classes.name must name each of the network's 4 outputs, got 2 entries/);
    const net = simple('none');
    const big = backend.zeros([1, 2, 2, 3]);
    const before = backend.memory().tensors;
    await expect(predict(net, big)).rejects.toThrow(ShapeError);
    expect(backend.memory().tensors).toBe(before); // a failed evaluation leaks nothing either
    await expect(predict(simple('none'), 'x' as never)).rejects.toThrow(/x must be a tensor/);
  });
});

describe('predict on a DagNN', () => {
  it('reads the last non-loss output without the label input, leaving the network as it was', async () => {
    const net = dag(false);
    net.mode = 'normal';
    const before = backend.memory().tensors;
    const r = await predict(net, input(), { topK: 2 });
    expect(r.output).toBe('prediction');
    expect(r.softmaxApplied).toBe(true);
    close(r.probabilities[0]!, softmax(scores[0]!));
    expect(r.top[1]!.map((t) => [t.index, t.description])).toEqual([
      [2, 'goldfish'],
      [3, 'shark'],
    ]);
    expect(net.layers.map((l) => l.name)).toEqual(['fc', 'objective', 'top1err']);
    expect(net.mode).toBe('normal');
    expect(backend.memory().tensors).toBe(before + 1); // the input
  });

  it('takes a SoftMax output as probabilities, and reads opts.output', async () => {
    const net = dag(true);
    const r = await predict(net, input());
    expect(r.output).toBe('prob');
    expect(r.softmaxApplied).toBe(false);
    close(r.probabilities[1]!, softmax(scores[1]!));
    const pre = await predict(net, input(), { output: 'prediction', softmax: false });
    close(pre.probabilities[0]!, scores[0]!);
  });

  it('evaluates a deployed network (no losses) in place, clearing its variables after', async () => {
    const net = new DagNN(backend);
    net.addLayer('fc', new Conv({ size: [1, 1, 3, 4] }), 'input', 'x1', ['f', 'b']);
    net.addLayer('relu', new ReLU(), 'x1', 'x2');
    net.addLayer('prob', new SoftMax(), 'x2', 'prob');
    net.setParam('f', filters()).setParam('b', biases());
    const before = backend.memory().tensors;
    const r = await predict(net, input());
    close(r.probabilities[0]!, softmax(scores[0]!.map((s) => Math.max(0, s))));
    expect([...net.vars.values()].every((v) => v.value === null)).toBe(true);
    expect(backend.memory().tensors).toBe(before + 1);
  });

  it('rejects unknown variables and ambiguous inputs', async () => {
    await expect(predict(dag(false), input(), { output: 'nope' })).rejects.toThrow(/output must be a variable of the network, got 'nope'/);
    await expect(predict(dag(false), input(), { output: 'data' })).rejects.toThrow(/an input/);
    await expect(predict(dag(false), input(), { input: 'label' })).rejects.toThrow(/input must be an input variable that 'prediction' depends on/);
    const two = new DagNN(backend);
    two.addLayer('fc', new Conv({ size: [1, 1, 3, 4] }), 'a', 'x1', ['f', 'b']);
    two.addLayer('fc2', new Conv({ size: [1, 1, 3, 4] }), 'b', 'x2', ['f', 'b']);
    two.addLayer('sum', new (await import('@convnet-ts/dagnn')).Sum(), ['x1', 'x2'], 'y');
    two.setParam('f', filters()).setParam('b', biases());
    await expect(predict(two, input())).rejects.toThrow(/input must name the image input of the network \(it reads 'a', 'b'\)/);
  });
});
