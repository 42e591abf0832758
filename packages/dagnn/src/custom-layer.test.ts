import type { LayerGeometry } from '@convnet-ts/geometry';
import { type Backend, type Rng, randnTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { asTensor, Layer, type LayerDerivatives, param, type VarValue } from './layer.js';
import { Conv } from './layers/conv.js';
import { cpu64, randn } from './test-nets.js';

/** A user layer: y = w ⊙ x², one learnt factor per channel, with a 1×1 field. */
class WeightedSquare extends Layer {
  readonly type = 'WeightedSquare';
  constructor(readonly channels: number) {
    super();
  }
  override paramNames() {
    return ['w'];
  }
  override paramShapes(): Shape[] {
    return [[this.channels]];
  }
  override initParams(rng: Rng, backend: Backend): Tensor[] {
    return [randnTensor(backend, [this.channels], rng)];
  }
  forward(inputs: readonly VarValue[], params: readonly Tensor[]): Tensor[] {
    const x = asTensor(this, inputs[0], 0);
    const sq = x.backend.run('Unary', { x }, { op: 'square', alpha: 1 });
    return [x.backend.run('Binary', { a: sq, b: param(params, 0) }, { op: 'mul' })];
  }
  backward(inputs: readonly VarValue[], params: readonly Tensor[], [dy]: readonly Tensor[]): LayerDerivatives {
    const x = asTensor(this, inputs[0], 0);
    const be = x.backend;
    const dyw = be.run('Binary', { a: dy!, b: param(params, 0) }, { op: 'mul' });
    const dx = be.run('Binary', { a: be.run('Unary', { x }, { op: 'scale', alpha: 2 }), b: dyw }, { op: 'mul' });
    const sq = be.run('Unary', { x }, { op: 'square', alpha: 1 });
    const dw = be.run('ReduceSum', { x: be.run('Binary', { a: sq, b: dy! }, { op: 'mul' }) }, { axes: [0, 1, 2] }).reshape([this.channels]);
    return { derInputs: [dx], derParams: [dw] };
  }
  override geometry(): LayerGeometry {
    return { kind: 'identity' };
  }
  options() {
    return { channels: this.channels };
  }
}

describe('a custom layer', () => {
  it('runs forward and backward inside a network, with its own initialisation and geometry', () => {
    const net = new DagNN(cpu64);
    net.addLayer('conv', new Conv({ size: [3, 3, 1, 2] }), 'x', 'a', ['f', 'b']);
    net.addLayer('wsq', new WeightedSquare(2), 'a', 'y', ['w']);
    net.initParams();
    net.conserveMemory = false;
    const x = randn(cpu64, [1, 5, 5, 1], 1);
    net.eval({ x }, { y: 1 });
    const a = (net.getVar('a').value as Tensor).dataSync();
    const w = net.getParam('w').value!.dataSync();
    const y = (net.getVar('y').value as Tensor).dataSync();
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo(a[i]! ** 2 * w[i % 2]!, 12);
    const da = net.getVar('a').der!.dataSync();
    for (let i = 0; i < da.length; i++) expect(da[i]).toBeCloseTo(2 * a[i]! * w[i % 2]!, 12);
    let dw0 = 0;
    for (let i = 0; i < a.length; i += 2) dw0 += a[i]! ** 2;
    expect(net.getParam('w').der!.dataSync()[0]).toBeCloseTo(dw0, 10);
    expect(net.getVarReceptiveFields('x').get('y')).toEqual({ size: [3, 3], stride: [1, 1], offset: [2, 2] });
    expect(net.getVarSizes({ x: [4, 5, 5, 1] }).get('y')).toEqual([4, 3, 3, 2]);
  });

  it('is checked like a built-in layer', () => {
    const net = new DagNN(cpu64);
    net.addLayer('wsq', new WeightedSquare(2), 'a', 'y', ['w']);
    expect(() => net.addLayer('wsq2', new WeightedSquare(3), 'y', 'z', ['w'])).toThrow(
      "DagNN.addLayer: parameter 'w' shared by layers 'wsq' and 'wsq2' must have one shape, got [2] and [3]",
    );
  });
});
