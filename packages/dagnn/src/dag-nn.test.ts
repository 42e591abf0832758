import { BackendError, OptionError, Rng, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { BatchNorm } from './layers/batch-norm.js';
import { Conv } from './layers/conv.js';
import { Loss } from './layers/loss.js';
import { ReLU } from './layers/relu.js';
import { Sum } from './layers/sum.js';
import { branchyNet, cpu32, cpu64, lenetDag, randn } from './test-nets.js';

describe('DagNN structure', () => {
  it('rejects duplicate layer names, variables written twice and cycles, leaving the network unchanged', () => {
    const net = new DagNN(cpu64);
    net.addLayer('r1', new ReLU(), 'x', 'y');
    expect(() => net.addLayer('r1', new ReLU(), 'y', 'z')).toThrow("DagNN.addLayer: name must be a new layer name, got 'r1', which is already a layer");
    expect(() => net.addLayer('r2', new ReLU(), 'x', 'y')).toThrow(
      "DagNN.addLayer: variable 'y' must be written by one layer, got layers 'r1' and 'r2'",
    );
    net.addLayer('r2', new ReLU(), 'y', 'z');
    expect(() => net.addLayer('r3', new ReLU(), 'z', 'x')).toThrow(ValueError);
    expect(() => net.addLayer('r3', new ReLU(), 'z', 'x')).toThrow("DagNN.addLayer: the graph must have no cycle, got a cycle through layers 'r1', 'r2', 'r3'");
    expect(() => net.addLayer('r4', new ReLU(), 'z', 'z')).toThrow("DagNN.addLayer: layer 'r4' must not write its own input, got 'z' in both");
    expect(net.layers.map((l) => l.name)).toEqual(['r1', 'r2']);
    expect([...net.vars.keys()]).toEqual(['x', 'y', 'z']);
  });

  it('checks the numbers of inputs, outputs and parameters', () => {
    const net = new DagNN(cpu64);
    expect(() => net.addLayer('c', new Conv({ size: [1, 1, 1, 1] }), 'x', 'y', ['f'])).toThrow(
      "DagNN.addLayer: layer 'c' (Conv) must have 2 (filters, biases) params, got 1",
    );
    expect(() => net.addLayer('l', new Loss(), 'x', 'y')).toThrow("DagNN.addLayer: layer 'l' (Loss) must have 2 to 3 inputs, got 1");
    expect(() => net.addLayer('r', new ReLU(), 'x', ['y', 'z'])).toThrow("DagNN.addLayer: layer 'r' (ReLU) must have 1 outputs, got 2");
  });

  it('rejects a parameter shared with different shapes', () => {
    const net = new DagNN(cpu64);
    net.addLayer('c1', new Conv({ size: [3, 3, 1, 4] }), 'x', 'y', ['f', 'b1']);
    expect(() => net.addLayer('c2', new Conv({ size: [3, 3, 4, 4] }), 'y', 'z', ['f', 'b2'])).toThrow(ShapeError);
    expect(() => net.addLayer('c2', new Conv({ size: [3, 3, 4, 4] }), 'y', 'z', ['f', 'b2'])).toThrow(
      "DagNN.addLayer: parameter 'f' shared by layers 'c1' and 'c2' must have one shape, got [3, 3, 1, 4] and [3, 3, 4, 4]",
    );
    net.addLayer('c2', new Conv({ size: [3, 3, 4, 4] }), 'y', 'z', ['f2', 'b1']);
    expect(net.getParam('b1').fanout).toBe(2);
  });

  it('orders layers topologically, whatever the order they were added in', () => {
    const net = new DagNN(cpu64);
    net.addLayer('second', new ReLU(), 'a', 'b');
    net.addLayer('first', new ReLU(), 'x', 'a');
    expect(net.getLayerExecutionOrder().map((l) => l.name)).toEqual(['first', 'second']);
    expect(net.getInputs()).toEqual(['x']);
    expect(net.getOutputs()).toEqual(['b']);
  });

  it('removes and renames layers, variables and parameters; drops what no layer uses', () => {
    const net = branchyNet(cpu64);
    net.removeLayer('loss');
    expect(net.vars.has('label')).toBe(false);
    net.renameVar('p', 'pooled');
    expect(net.getOutputs()).toEqual(['pooled']);
    net.renameLayer('pool', 'avgpool');
    expect(net.getLayer('avgpool').outputs).toEqual(['pooled']);
    net.renameParam('wf', 'shared');
    expect(net.getParam('shared').fanout).toBe(2);
    expect(net.getLayer('convB').params).toEqual(['shared', 'bb']);
    expect(() => net.renameParam('shared', 'w1')).toThrow("DagNN.renameParam: newName must be a new parameter name, got 'w1'");
    expect(() => net.removeLayer('nope')).toThrow("DagNN.removeLayer: name must be a layer of the network, got 'nope'");
    net.removeLayer(['conv1', 'sum', 'avgpool']);
    expect(net.params.has('w1')).toBe(false);
    expect(net.getOutputs()).toEqual(['c']);
  });

  it('merges two variables when renaming onto an existing one', () => {
    const net = new DagNN(cpu64);
    net.addLayer('r1', new ReLU(), 'x', 'y');
    net.addLayer('r2', new ReLU(), 'z', 'w');
    net.renameVar('z', 'y');
    expect(net.getLayer('r2').inputs).toEqual(['y']);
    expect(net.getLayerExecutionOrder().map((l) => l.name)).toEqual(['r1', 'r2']);
    expect(net.vars.has('z')).toBe(false);
  });
});

describe('DagNN.eval', () => {
  const x = randn(cpu64, [2, 4, 4, 2], 1);

  it('names unknown and missing variables, parameters without values and foreign backends', () => {
    const net = branchyNet(cpu64);
    expect(() => net.eval({ x, label: [1, 1], nope: x })).toThrow("DagNN.eval: inputs must name variables of the network, got 'nope'");
    expect(() => net.eval({ x, a: x, label: [1, 1] })).toThrow("DagNN.eval: inputs must name input variables, got 'a', which layer 'convA' writes");
    expect(() => net.eval({ x }, { objective: 1 })).toThrow("DagNN.eval: derOutputs must name computed variables, got 'objective', which could not be computed");
    expect(() => net.eval({ x: randn(cpu32, [2, 4, 4, 2], 1), label: [1, 1] })).toThrow(BackendError);
    expect(() => net.eval({ x, label: [1, 1] }, { nope: 1 })).toThrow("DagNN.eval: derOutputs must name variables of the network, got 'nope'");
    const fresh = lenetDag(cpu64);
    expect(() => fresh.eval({ input: x, label: [1, 1] })).toThrow(
      "DagNN.eval: parameter 'conv1f' of layer 'conv1' must have a value (initParams or setParam), got none",
    );
  });

  it('reports a block error with the layer and its variables', () => {
    const net = lenetDag(cpu64).initParams();
    const bad = randn(cpu64, [1, 28, 28, 3], 0);
    expect(() => net.eval({ input: bad, label: [1] })).toThrow(ShapeError);
    expect(() => net.eval({ input: bad, label: [1] })).toThrow(/^DagNN\.eval: layer 'conv1' \(Conv, inputs 'input'\): conv: f must have a number of filters divisible by the 3 groups/);
    expect(() => net.setParam('conv1f', cpu64.zeros([5, 5, 2, 20]))).toThrow(
      "DagNN.setParam: parameter 'conv1f' of layer 'conv1' must have shape [5, 5, 1, 20], got [5, 5, 2, 20]",
    );
  });

  it('conserveMemory keeps only outputs after a forward pass and only inputs after a backward pass', () => {
    const net = branchyNet(cpu64);
    net.eval({ x, label: [1, 2] });
    const withValue = () => [...net.vars.values()].filter((v) => v.value !== null).map((v) => v.name);
    expect(withValue()).toEqual(['objective']);
    net.getVar('c').precious = true;
    net.eval({ x, label: [1, 2] }, { objective: 1 });
    expect(withValue().sort()).toEqual(['c', 'label', 'x']);
    net.conserveMemory = false;
    net.eval({ x, label: [1, 2] }, { objective: 1 });
    expect(withValue().length).toBe(net.vars.size);
    expect(net.getVar('s').der).not.toBeNull();
  });

  it('sums the derivatives of a variable read twice', () => {
    const net = new DagNN(cpu64);
    net.addLayer('sum', new Sum(), ['x', 'x'], 'y');
    net.eval({ x }, { y: 1 });
    expect(Array.from(net.getVar('x').der!.dataSync())).toEqual(new Array(x.size).fill(2));
  });

  it('BatchNorm uses batch moments in normal mode and returns them times N as the moments derivative', () => {
    const net = new DagNN(cpu64);
    net.addLayer('bn', new BatchNorm({ numChannels: 2 }), 'x', 'y', ['g', 'b', 'm']);
    net.initParams();
    expect(net.getParam('m')).toMatchObject({ trainMethod: 'average', learningRate: 0.1, weightDecay: 0 });
    net.eval({ x }, { y: randn(cpu64, [2, 4, 4, 2], 3) });
    const m = net.getParam('m').der!.dataSync();
    const xs = x.dataSync();
    let mean0 = 0;
    for (let i = 0; i < xs.length; i += 2) mean0 += xs[i]! / 32;
    expect(m[0]).toBeCloseTo(2 * mean0, 12); // N = 2 images
    net.mode = 'test';
    net.conserveMemory = false;
    // Test mode reads the moments parameter: mu = 0, sigma = 1 and g = 1, b = 0 give y = x.
    net.setParam('m', cpu64.tensor([0, 1, 0, 1], [2, 2]));
    net.eval({ x });
    expect(Array.from((net.getVar('y').value as Tensor).dataSync())).toEqual(Array.from(xs));
  });

  it('moves its parameters to another backend', async () => {
    const net = lenetDag(cpu64).initParams(new Rng(1));
    const before = net.getParam('conv2f').value!.dataSync();
    await net.move(cpu32);
    expect(net.backend).toBe(cpu32);
    expect(net.getParam('conv2f').value!.dtype).toBe('float32');
    expect(net.getParam('conv2f').value!.dataSync()[7]).toBeCloseTo(before[7]!, 6);
    expect(() => net.eval({ input: randn(cpu64, [1, 28, 28, 1], 0), label: [1] })).toThrow(BackendError);
    expect(() => new DagNN(cpu64).addLayer('', new ReLU(), 'x', 'y')).toThrow(OptionError);
  });
});
