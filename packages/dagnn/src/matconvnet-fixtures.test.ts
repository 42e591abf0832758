/**
 * The Octave-made MatConvNet DagNN fixtures (fixtures/matconvnet/README.md):
 * each file loads, and its test-mode forward pass matches the fixture's
 * independent float64 reference for every variable — to 1e-12 of the
 * variable's largest magnitude on a float64 backend (the weights are single,
 * so both sides compute with the same numbers; measured 6e-16) and to 1e-5
 * on float32 (measured 3.5e-7). Saved again with saveMatConvNetDag, each
 * comes back with a bit-identical forward pass.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { asStruct, type MatValue, readMat } from '@convnet-ts/matfile';
import type { Backend, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { saveMatConvNetDag } from './matconvnet-export.js';
import { loadMatConvNetDag } from './matconvnet-import.js';
import { mapFromMatlab, padDims } from './matconvnet-layout.js';
import { cpu32, cpu64 } from './test-nets.js';

const dir = fileURLToPath(new URL('../../../fixtures/matconvnet/', import.meta.url));
const read = (name: string) => new Uint8Array(readFileSync(`${dir}${name}`));

/** A MATLAB H×W×C×N double array as a `[N, H, W, C]` tensor. */
function featureMap(backend: Backend, v: MatValue): Tensor {
  if (v.type !== 'numeric') throw new Error(`expected a numeric array, got ${v.type}`);
  const d = padDims(v.dims, 4)!;
  return backend.tensor(mapFromMatlab(v.data as Float64Array, d), [d[3]!, d[0]!, d[1]!, d[2]!]);
}

const expected = (model: string) => {
  const vars = Object.fromEntries(readMat(read(`${model}.expected.mat`)).variables.map((v) => [v.name, v.value]));
  const input = vars.inputName!.type === 'char' ? vars.inputName!.text : '';
  return { x: vars.x!, input, refs: asStruct(vars.vars, 'vars', 'test') };
};

describe.each(['dagnn-resnet', 'dagnn-googlenet'])('%s', (model) => {
  const { x, input, refs } = expected(model);
  it.each([
    ['v6', cpu64, 1e-12],
    ['v7', cpu64, 1e-12],
    ['v7', cpu32, 1e-5],
  ] as const)('the %s file loads and matches every reference variable (%s)', async (version, backend, tol) => {
    const { net, notes } = loadMatConvNetDag(read(`${model}.${version}.mat`), backend);
    // The ResNet fixture's bn2a_branch2a block lacks `epsilon`, as files older than the property.
    expect(notes).toEqual(model === 'dagnn-resnet' ? ["BatchNorm: block.epsilon missing (older MatConvNet files lack it); MatConvNet's default 1e-5 used — layer 'bn2a_branch2a'"] : []);
    net.mode = 'test';
    net.conserveMemory = false;
    net.eval({ [input]: featureMap(backend, x) });
    let worst = 0;
    for (const [name, ref] of Object.entries(refs)) {
      const want = featureMap(cpu64, ref);
      const got = net.getVar(name).value as Tensor;
      expect(got.shape, name).toEqual(want.shape);
      const a = await got.data();
      const b = await want.data();
      const scale = Math.max(1, ...Array.from(b, Math.abs));
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
    }
    expect(worst).toBeLessThan(tol);
    expect(Object.keys(refs).length).toBe(net.vars.size);
  });
});

describe.each(['dagnn-resnet', 'dagnn-googlenet'])('%s saved by saveMatConvNetDag', (model) => {
  it('loads back with the same structure, meta and a bit-identical forward pass (float32)', async () => {
    const { x, input } = expected(model);
    const { net } = loadMatConvNetDag(read(`${model}.v7.mat`), cpu32);
    const again = loadMatConvNetDag(saveMatConvNetDag(net), cpu32);
    expect(again.notes).toEqual([]);
    expect(again.net.meta).toEqual(net.meta);
    expect(again.net.layers.map((l) => [l.name, l.block.type, l.block.options(), l.inputs, l.outputs, l.params])).toEqual(
      net.layers.map((l) => [l.name, l.block.type, l.block.options(), l.inputs, l.outputs, l.params]),
    );
    for (const n of [net, again.net]) {
      n.mode = 'test';
      n.eval({ [input]: featureMap(cpu32, x) });
    }
    const out = net.getOutputs()[0]!;
    expect(Array.from(await (again.net.getVar(out).value as Tensor).data())).toEqual(Array.from(await (net.getVar(out).value as Tensor).data()));
  });
});
