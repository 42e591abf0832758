/**
 * The Octave-made MatConvNet fixtures of `fixtures/matconvnet/` (see its
 * README.md): each SimpleNN file loads, and the output of every layer in
 * test mode matches the fixture's independent float64 reference
 * (`<model>.expected.mat`: `x` H×W×C×N double, `res{l+1}` the output of
 * layer l), on the CPU backend in float64 (to 1e-12, relative to the largest
 * value of the layer; measured 6e-16) and in float32 (to 1e-5; measured 3e-7).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asCell, type MatNumeric, type MatValue, readMat } from '@convnet-ts/matfile';
import type { Backend } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import type { BnormLayer, ConvLayer, PoolLayer } from './layer-types.js';
import { loadMatConvNet } from './matconvnet-import.js';
import { featureMapFromMatlab } from './matconvnet-layout.js';
import { simplenn } from './simplenn.js';
import { cpu32, cpu64 } from './test-nets.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/matconvnet');
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

function expected(model: string): { x: MatNumeric; res: MatNumeric[]; names: string[] } {
  const vars = new Map(readMat(bytes(`${model}.expected.mat`)).variables.map((v) => [v.name, v.value]));
  const res = asCell(vars.get('res'), 'res', 'test') as MatNumeric[];
  const names = asCell(vars.get('layerNames'), 'layerNames', 'test').map((v) => (v as MatValue & { text: string }).text);
  return { x: vars.get('x') as MatNumeric, res, names };
}

/** Largest |a − e| over every layer, relative to the layer's largest |e|. */
async function worstError(model: string, file: string, backend: Backend): Promise<number> {
  const e = expected(model);
  const { net } = loadMatConvNet(bytes(file), backend);
  expect(net.layers.map((l) => l.name)).toEqual(e.names);
  const x = featureMapFromMatlab(e.x.data as Float64Array, e.x.dims)!;
  const res = simplenn(net, backend.tensor(rowMajorF64(e.x), x.shape), null, null, { mode: 'test' });
  let worst = 0;
  for (let l = 1; l < res.length; l++) {
    const ref = e.res[l]!;
    const want = featureMapFromMatlab(ref.data as Float64Array, ref.dims);
    const got = await res[l]!.x!.data();
    expect(res[l]!.x!.shape, `${model} layer ${l} (${e.names[l - 1]})`).toEqual(want!.shape);
    const scale = (ref.data as Float64Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
    const wantRow = rowMajorF64(ref);
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - wantRow[i]!) / scale);
  }
  return worst;
}

/** The reference's values as [N, H, W, C] row-major float64 (featureMapFromMatlab gives float32). */
function rowMajorF64(v: MatNumeric): Float64Array {
  const d = [...v.dims];
  while (d.length < 4) d.push(1);
  const [h, w, c, n] = d as [number, number, number, number];
  const data = v.data as Float64Array;
  const out = new Float64Array(data.length);
  for (let ni = 0; ni < n; ni++)
    for (let ci = 0; ci < c; ci++)
      for (let wi = 0; wi < w; wi++) for (let hi = 0; hi < h; hi++) out[((ni * h + hi) * w + wi) * c + ci] = data[hi + h * (wi + w * (ci + c * ni))]!;
  return out;
}

describe('MatConvNet fixtures (fixtures/matconvnet, made with Octave)', () => {
  for (const model of ['simplenn-prebeta16', 'simplenn-beta25']) {
    for (const version of ['v6', 'v7']) {
      it(`${model}.${version}.mat: every layer matches the float64 reference (float64 ≤ 1e-12, float32 ≤ 1e-5)`, async () => {
        const e64 = await worstError(model, `${model}.${version}.mat`, cpu64);
        const e32 = await worstError(model, `${model}.${version}.mat`, cpu32);
        expect(e64).toBeLessThan(1e-12);
        expect(e32).toBeLessThan(1e-5);
      });
    }
  }

  it('simplenn-prebeta16: the legacy layout is upgraded, with notes', () => {
    const { net, notes } = loadMatConvNet(bytes('simplenn-prebeta16.v7.mat'), cpu32);
    expect(net.layers.map((l) => l.type)).toEqual(['conv', 'relu', 'lrn', 'pool', 'conv', 'relu', 'pool', 'conv', 'softmax']);
    expect((net.layers[0] as ConvLayer).pad).toEqual([1, 2, 1, 2]);
    expect((net.layers[6] as PoolLayer).method).toBe('avg');
    expect(net.meta.classes!.name).toHaveLength(5);
    expect(net.meta.normalization!.averageImageSize).toEqual([15, 15, 3]);
    expect(net.meta.normalization!.cropSize).toEqual([15 / 17, 15 / 17]);
    expect(notes).toContain('net.classes moved to net.meta.classes (the pre-beta16 layout)');
    expect(notes).toContain('net.layers{1}: filters/biases moved to weights (the pre-beta16 layout)');
    expect(notes.some((n) => n.includes('filtersLearningRate'))).toBe(true);
  });

  it("a DagNN fixture is refused with a pointer to @convnet-ts/dagnn", () => {
    expect(() => loadMatConvNet(bytes('dagnn-resnet.v7.mat'), cpu32)).toThrow(/net\.layers: is a struct array .*this is a DagNN file; load it with loadDagNN/);
  });

  it('simplenn-beta25: groups, dilate, bnorm epsilon and meta are kept', () => {
    const { net, notes } = loadMatConvNet(bytes('simplenn-beta25.v6.mat'), cpu32);
    expect(notes).toEqual([]);
    const conv2 = net.layers[4] as ConvLayer;
    expect([conv2.weights[0]!.shape, conv2.dilate, conv2.pad]).toEqual([[3, 3, 4, 8], [2, 2], [2, 2, 2, 2]]);
    expect((net.layers[1] as BnormLayer).epsilon).toBe(1e-4);
    expect(net.meta.normalization).toMatchObject({ imageSize: [16, 16, 3], averageImageSize: [1, 1, 3], interpolation: 'bicubic', keepAspect: true, cropSize: 0.875 });
    expect(net.meta.inputs).toEqual({ name: 'input', size: [16, 16, 3, 10] });
  });
});
