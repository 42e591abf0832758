import { isReceptiveField, NO_FIELD } from '@convnet-ts/geometry';
import { Rng, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { Concat } from './layers/concat.js';
import { Conv } from './layers/conv.js';
import { ConvTranspose } from './layers/conv-transpose.js';
import { Pooling } from './layers/pooling.js';
import { Sigmoid } from './layers/sigmoid.js';
import { Sum } from './layers/sum.js';
import { branchyNet, cpu64, lenetDag, randn } from './test-nets.js';

/** conv 3×3 pad 1 → sigmoid → avg pool 2/2, plus a 1×1 stride-2 branch, summed, then conv 3×3. */
function fieldNet(): DagNN {
  const net = new DagNN(cpu64);
  net.addLayer('conv1', new Conv({ size: [3, 3, 1, 2], pad: 1 }), 'x', 'a', ['f1', 'b1']);
  net.addLayer('sig', new Sigmoid(), 'a', 's');
  net.addLayer('pool', new Pooling({ poolSize: 2, stride: 2, method: 'avg' }), 's', 'p');
  net.addLayer('skip', new Conv({ size: [1, 1, 1, 2], stride: 2 }), 'x', 'k', ['f2', 'b2']);
  net.addLayer('sum', new Sum(), ['p', 'k'], 'q');
  net.addLayer('conv2', new Conv({ size: [3, 3, 2, 1] }), 'q', 'y', ['f3', 'b3']);
  net.conserveMemory = false;
  return net.initParams(new Rng(5));
}

describe('getVarReceptiveFields', () => {
  it('agrees with brute force: perturbing one input pixel changes exactly the outputs whose field holds it', () => {
    const net = fieldNet();
    const x0 = randn(cpu64, [1, 10, 10, 1], 2);
    const field = net.getVarReceptiveFields('x').get('y');
    if (field === undefined || !isReceptiveField(field)) throw new Error('expected a field');
    expect(field).toEqual({ size: [8, 8], stride: [2, 2], offset: [3.5, 3.5] });
    const run = (x: Tensor) => {
      net.eval({ x });
      return (net.getVar('y').value as Tensor).dataSync();
    };
    const base = run(x0);
    const [, ho, wo] = (net.getVar('y').value as Tensor).shape as number[];
    const values = x0.dataSync();
    const inside = (i: number, o: number, axis: 0 | 1) => {
      const c = field.stride[axis] * (o - 1) + field.offset[axis];
      return Math.abs(i - c) <= (field.size[axis] - 1) / 2;
    };
    let changedTotal = 0;
    for (let h = 1; h <= 10; h++) {
      for (let w = 1; w <= 10; w++) {
        const v = Float64Array.from(values);
        v[(h - 1) * 10 + (w - 1)]! += 1;
        const y = run(cpu64.tensor(v, x0.shape));
        for (let i = 1; i <= ho!; i++) {
          for (let j = 1; j <= wo!; j++) {
            const changed = Math.abs(y[(i - 1) * wo! + (j - 1)]! - base[(i - 1) * wo! + (j - 1)]!) > 1e-12;
            changedTotal += changed ? 1 : 0;
            expect({ h, w, i, j, changed }).toEqual({ h, w, i, j, changed: inside(h, i, 0) && inside(w, j, 1) });
          }
        }
      }
    }
    expect(changedTotal).toBeGreaterThan(100);
  });

  it('gives the identity on the variable itself, omits independent variables, NO_FIELD after a loss', () => {
    const fields = branchyNet(cpu64).getVarReceptiveFields('x');
    expect(fields.get('x')).toEqual({ size: [1, 1], stride: [1, 1], offset: [1, 1] });
    expect(fields.get('e')).toEqual({ size: [3, 3], stride: [1, 1], offset: [1, 1] });
    expect(fields.get('objective')).toBe(NO_FIELD);
    expect(fields.has('label')).toBe(false);
  });

  it('composes a convolution transpose (stride below 1)', () => {
    const net = new DagNN(cpu64);
    net.addLayer('down', new Conv({ size: [4, 4, 1, 1], stride: 2, pad: 1 }), 'x', 'a', ['f', 'b']);
    net.addLayer('up', new ConvTranspose({ size: [4, 4, 1, 1], upsample: 2, crop: 1 }), 'a', 'y', ['g', 'c']);
    expect(net.getVarReceptiveFields('x').get('y')).toEqual({ size: [7, 7], stride: [1, 1], offset: [1, 1] });
  });

  it('rejects an unknown variable', () => {
    expect(() => branchyNet(cpu64).getVarReceptiveFields('nope')).toThrow("DagNN.getVarReceptiveFields: name must be a variable of the network, got 'nope'");
  });
});

describe('getVarSizes', () => {
  it('sizes LeNet for a batch of 3 28×28 images', () => {
    const sizes = lenetDag(cpu64).getVarSizes({ input: [3, 28, 28, 1] });
    expect(sizes.get('x1')).toEqual([3, 24, 24, 20]);
    expect(sizes.get('x2')).toEqual([3, 12, 12, 20]);
    expect(sizes.get('x4')).toEqual([3, 4, 4, 50]);
    expect(sizes.get('prediction')).toEqual([3, 1, 1, 10]);
    expect(sizes.get('objective')).toEqual([1]);
    expect(sizes.has('label')).toBe(false);
  });

  it('adds channels at a Concat and agrees with eval', () => {
    const net = branchyNet(cpu64);
    net.conserveMemory = false;
    const sizes = net.getVarSizes({ x: [2, 4, 4, 2] });
    net.eval({ x: randn(cpu64, [2, 4, 4, 2], 1), label: [1, 2] });
    for (const name of ['a', 's', 'b', 'c', 'd', 'e', 'p', 'objective']) {
      expect(sizes.get(name)).toEqual([...(net.getVar(name).value as Tensor).shape]);
    }
    expect(sizes.get('c')).toEqual([2, 4, 4, 6]);
  });

  it('reports a size mismatch naming the layer', () => {
    const net = new DagNN(cpu64);
    net.addLayer('cat', new Concat(), ['a', 'b'], 'c');
    net.addLayer('sum', new Sum(), ['a', 'b'], 'd');
    expect(() => net.getVarSizes({ a: [1, 4, 4, 2], b: [1, 4, 5, 2] })).toThrow(ShapeError);
    expect(() => net.getVarSizes({ a: [1, 4, 4, 2], b: [1, 4, 5, 2] })).toThrow(
      "DagNN.getVarSizes: layer 'cat' (Concat, inputs 'a', 'b'): Concat: inputs[1] must match inputs[0] [1, 4, 4, 2] except along dim 3, got [1, 4, 5, 2]",
    );
    expect(() => lenetDag(cpu64).getVarSizes({ input: [1, 8, 8, 1] })).toThrow(/layer 'conv2' \(Conv, inputs 'x2'\)/);
    expect(() => lenetDag(cpu64).getVarSizes({ input: [1, 28, 28, 3] })).toThrow('Conv: input channels must be filter depth 1 × a number of groups dividing the 20 filters, got 3 channels');
  });
});
