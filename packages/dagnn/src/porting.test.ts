/**
 * MatConvNet's documented DagNN behaviour that porting code relies on; each
 * test cites the file and lines of vlfeat/matconvnet (matlab/+dagnn/…).
 */
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { OptionError, Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { fromSimpleNN } from './from-simplenn.js';
import { Layer, type VarValue } from './layer.js';
import { ReLU } from './layers/relu.js';
import { branchyNet, cpu64, randn } from './test-nets.js';

const x = randn(cpu64, [2, 4, 4, 2], 1);
const labels = [1, 2];

describe('DagNN.accumulateParamDers (DagNN.m lines 24-27, Layer.m lines 137-147)', () => {
  it('sums parameter derivatives over evaluations when true, replaces them when false', () => {
    const net = branchyNet(cpu64);
    net.eval({ x, label: labels }, { objective: 1 });
    const once = Array.from(net.getParam('wf').der!.dataSync());
    net.accumulateParamDers = true;
    net.eval({ x, label: labels }, { objective: 1 });
    const twice = Array.from(net.getParam('wf').der!.dataSync());
    twice.forEach((v, i) => {
      expect(v).toBeCloseTo(2 * once[i]!, 12);
    });
    net.accumulateParamDers = false;
    net.eval({ x, label: labels }, { objective: 1 });
    Array.from(net.getParam('wf').der!.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(once[i]!, 12);
    });
  });

  it('a forward-only eval leaves the parameter derivatives as they were (only backwardAdvanced writes them)', () => {
    const net = branchyNet(cpu64);
    net.eval({ x, label: labels }, { objective: 1 });
    const der = net.getParam('wf').der;
    net.eval({ x, label: labels });
    expect(net.getParam('wf').der).toBe(der);
  });

  it('holdOn is a deprecated alias of accumulateParamDers (MatConvNet’s eval holdOn, eval.m line 111, is a parameter-server option)', () => {
    const net = branchyNet(cpu64);
    net.holdOn = true;
    expect(net.accumulateParamDers).toBe(true);
    net.accumulateParamDers = false;
    expect(net.holdOn).toBe(false);
  });
});

describe('sub-network evaluation (Layer.m forwardAdvanced, lines 64-70)', () => {
  it('skips a layer whose inputs have no value, leaving its outputs empty: a trained net runs without labels', () => {
    const net = branchyNet(cpu64);
    net.getVar('p').precious = true;
    net.eval({ x });
    expect((net.getVar('p').value as Tensor).shape).toEqual([2, 2, 2, 3]);
    expect(net.getVar('objective').value).toBeNull();
  });

  it('throws only when a requested output cannot be computed, naming the chain back to the missing input', () => {
    const net = branchyNet(cpu64);
    expect(() => net.eval({ x }, { objective: 1 })).toThrow(
      "DagNN.eval: derOutputs must name computed variables, got 'objective', which could not be computed: layer 'loss' (Loss) was skipped because variable 'label' was not given in inputs, so variable 'objective' has no value",
    );
    const partial = new DagNN(cpu64).addLayer('r1', new ReLU(), 'a', 'b').addLayer('r2', new ReLU(), 'b', 'c');
    expect(() => partial.eval({}, { c: 1 })).toThrow("layer 'r2' (ReLU) was skipped because layer 'r1' (ReLU) was skipped because variable 'a' was not given in inputs");
  });

  it('runs only the branch whose inputs are given', () => {
    const net = new DagNN(cpu64).addLayer('r1', new ReLU(), 'a', 'b').addLayer('r2', new ReLU(), 'c', 'd');
    net.eval({ c: cpu64.tensor([-1, 2], [2]) }, { d: 1 });
    expect(Array.from(net.getVar('c').der!.dataSync())).toEqual([0, 1]);
    expect(net.getVar('b').value).toBeNull();
  });
});

describe('DagNN.mode (DagNN.m lines 123-130)', () => {
  it("accepts 'normal', 'train' (= normal) and 'test' in any case; anything else throws and keeps the mode", () => {
    const net = branchyNet(cpu64);
    net.mode = 'test';
    expect(net.mode).toBe('test');
    net.mode = 'train';
    expect(net.mode).toBe('normal');
    net.mode = 'Test';
    expect(net.mode).toBe('test');
    expect(() => {
      net.mode = 'tst' as 'test';
    }).toThrow("DagNN.mode: mode must be 'normal', 'train' or 'test', got \"tst\"");
    expect(net.mode).toBe('test');
  });
});

describe('getLayerIndex / getVarIndex / getParamIndex (DagNN.m lines 176-261)', () => {
  it('give 0-based positions, of one name or of each of a list, and -1 where MatConvNet gives NaN', () => {
    const net = branchyNet(cpu64);
    expect(net.getLayerIndex('convB')).toBe(2);
    expect(net.layers[net.getLayerIndex('loss')]!.name).toBe('loss');
    expect(net.getLayerIndex(['sig', 'nope'])).toEqual([1, -1]);
    const v = net.getVarIndex('c');
    expect([...net.vars.values()][v]!.name).toBe('c');
    expect(net.getVarIndex('nope')).toBe(-1);
    expect(net.getParamIndex(['wf', 'b1'])).toEqual([[...net.params.keys()].indexOf('wf'), [...net.params.keys()].indexOf('b1')]);
    expect(() => net.getVarIndex(3 as unknown as string)).toThrow(OptionError);
  });
});

describe('setLayerInputs / setLayerOutputs / setLayerParams (setLayerInputs.m, setLayerOutputs.m, setLayerParams.m)', () => {
  it('rewires a layer and rebuilds the variables and parameters', () => {
    const net = new DagNN(cpu64).addLayer('r1', new ReLU(), 'a', 'b').addLayer('r2', new ReLU(), 'b', 'c');
    net.setLayerInputs('r2', 'a');
    expect(net.getVar('a').fanout).toBe(2);
    expect(net.getOutputs().sort()).toEqual(['b', 'c']);
    net.setLayerOutputs('r1', ['z']);
    expect(net.vars.has('b')).toBe(false);
    const shared = branchyNet(cpu64);
    shared.setLayerParams('convB', ['wB', 'bb']);
    expect(shared.getParam('wf').fanout).toBe(1);
    expect(shared.getParam('wB').value).toBeNull();
  });

  it('checks the graph first and leaves the network as it was on error', () => {
    const net = new DagNN(cpu64).addLayer('r1', new ReLU(), 'a', 'b').addLayer('r2', new ReLU(), 'b', 'c');
    expect(() => net.setLayerInputs('r1', 'c')).toThrow('DagNN.setLayerInputs: the graph must have no cycle');
    expect(() => net.setLayerOutputs('r2', ['b'])).toThrow("DagNN.setLayerOutputs: layer 'r2' must not write its own input, got 'b' in both");
    expect(() => net.setLayerInputs('r2', ['b', 'a'])).toThrow("DagNN.setLayerInputs: layer 'r2' (ReLU) must have 1 inputs, got 2");
    expect(() => net.setLayerParams('nope', [])).toThrow("DagNN.setLayerParams: name must be a layer of the network, got 'nope'");
    expect(net.layers.map((l) => [l.name, l.inputs, l.outputs])).toEqual([
      ['r1', ['a'], ['b']],
      ['r2', ['b'], ['c']],
    ]);
  });
});

/** cnn_mnist_init's batch-norm LeNet, shortened: conv, bnorm (learningRate [1 1 0.05] given or not), relu, conv, softmax | softmaxloss. */
function bnormNet(head: 'softmax' | 'softmaxloss', bnormRates?: number[]): SimpleNNSpec {
  const rng = new Rng(2);
  const t = (shape: number[]) => cpu64.tensor(rng.randn(shape.reduce((a, b) => a * b, 1)), shape);
  return {
    layers: [
      { type: 'conv', name: 'conv1', weights: [t([3, 3, 1, 4]), t([4])] },
      { type: 'bnorm', name: 'bn1', weights: [t([4]), t([4]), cpu64.zeros([4, 2])], ...(bnormRates && { learningRate: bnormRates }) },
      { type: 'relu', name: 'relu1' },
      { type: 'conv', name: 'conv2', weights: [t([2, 2, 4, 3]), t([3])] },
      { type: head, name: 'head' },
    ],
    meta: { inputs: [{ name: 'data', size: [6, 6, 1] }] },
  };
}

describe('fromSimpleNN (fromSimpleNN.m)', () => {
  it('gives batch-norm moments learning rate 0.1 unless the layer sets one (BatchNorm.m lines 47-52; fromSimpleNN.m lines 153-157)', () => {
    const dag = fromSimpleNN(bnormNet('softmaxloss'));
    expect(dag.getParam('bn1x')).toMatchObject({ learningRate: 0.1, weightDecay: 0, trainMethod: 'average' });
    expect(dag.getParam('bn1m').learningRate).toBe(1);
    const given = fromSimpleNN(bnormNet('softmaxloss', [1, 1, 0.05]));
    expect(given.getParam('bn1x').learningRate).toBe(0.05);
  });

  it('canonicalNames renames input, prediction, prob and objective (lines 190-215) and meta.inputs(1).name', () => {
    const soft = fromSimpleNN(bnormNet('softmax'), { canonicalNames: true });
    expect(soft.getInputs()).toEqual(['input']);
    expect(soft.layers[4]).toMatchObject({ inputs: ['prediction'], outputs: ['prob'] });
    expect((soft.meta.inputs as { name: string }[])[0]!.name).toBe('input');
    const loss = fromSimpleNN(bnormNet('softmaxloss'), { canonicalNames: true });
    expect(loss.layers[4]).toMatchObject({ inputs: ['prediction', 'label'], outputs: ['objective'] });
    expect(fromSimpleNN(bnormNet('softmax')).getInputs()).toEqual(['x0']);
  });

  it('takes options or, as before, a backend; unknown option names throw', () => {
    expect(fromSimpleNN(bnormNet('softmax'), cpu64).backend).toBe(cpu64);
    expect(fromSimpleNN(bnormNet('softmax'), { backend: cpu64 }).backend).toBe(cpu64);
    expect(() => fromSimpleNN(bnormNet('softmax'), { CanonicalNames: true } as never)).toThrow("fromSimpleNN: unknown option 'CanonicalNames'; known options are backend, canonicalNames");
  });
});

class Twice extends Layer {
  readonly type = 'Twice';
  readonly k: number;
  constructor(o: { k: number }) {
    super();
    this.k = o.k;
  }
  forward([v]: readonly VarValue[]): Tensor[] {
    const t = v as Tensor;
    return [t.backend.run('Unary', { x: t }, { op: 'scale', alpha: this.k })];
  }
  backward(_i: readonly VarValue[], _p: readonly Tensor[], [d]: readonly Tensor[]) {
    return { derInputs: [d!.backend.run('Unary', { x: d! }, { op: 'scale', alpha: this.k })], derParams: [] };
  }
  options() {
    return { k: this.k };
  }
}

describe('DagNN.copy (DagNN.m lines 40-45: a deep copy of structure and parameters)', () => {
  it('copies layers (custom ones too), parameter values and factors, precious flags and meta; variables start empty', () => {
    const net = branchyNet(cpu64);
    net.addLayer('twice', new Twice({ k: 3 }), 'p', 'q');
    net.getParam('w1').learningRate = 0.5;
    net.getVar('c').precious = true;
    net.meta = { classes: { name: ['a', 'b'] } };
    net.eval({ x, label: labels });
    const copy = net.copy();
    expect(copy.layers.map((l) => [l.name, l.block.type, l.inputs, l.outputs, l.params])).toEqual(net.layers.map((l) => [l.name, l.block.type, l.inputs, l.outputs, l.params]));
    expect(copy.layers[8]!.block).not.toBe(net.layers[8]!.block);
    expect(copy.getParam('w1').learningRate).toBe(0.5);
    expect(copy.getParam('wf').value).not.toBe(net.getParam('wf').value);
    expect(Array.from(copy.getParam('wf').value!.dataSync())).toEqual(Array.from(net.getParam('wf').value!.dataSync()));
    expect(copy.getVar('c').precious).toBe(true);
    expect(copy.getVar('q').value).toBeNull();
    expect(copy.meta).toEqual(net.meta);
    expect(copy.meta.classes).not.toBe(net.meta.classes);
    copy.eval({ x, label: labels });
    expect(Array.from((copy.getVar('q').value as Tensor).dataSync())).toEqual(Array.from((net.getVar('q').value as Tensor).dataSync()));
  });
});

describe('eval argument checks', () => {
  it('rejects derOutputs that are not an object', () => {
    expect(() => branchyNet(cpu64).eval({ x, label: labels }, 'objective' as never)).toThrow(OptionError);
  });
});
