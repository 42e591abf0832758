import { readFileSync } from 'node:fs';
import { DagNN, saveDagNN } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { asNumbers, matDouble, matStruct, readMat, writeMat } from '@convnet-ts/matfile';
import { encodeModelFile, saveSimpleNN, type SimpleNN } from '@convnet-ts/simplenn';
import { describe, expect, it } from 'vitest';
import { loadModel } from './load-model.js';
import { predict } from './predict.js';

const backend = createCpuBackend({ dtype: 'float32' });
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../fixtures/matconvnet/${name}`, import.meta.url)));

/** The fixture's input x (H×W×3×N, column-major) as [N, H, W, 3] row-major, and its reference prob (1×1×C×N). */
function expected(model: string) {
  const file = readMat(fixture(`${model}.expected.mat`));
  const get = (name: string) => file.variables.find((v) => v.name === name)!.value;
  const x = get('x');
  const [H = 0, W = 0, C = 0, N = 1] = x.dims;
  const xs = asNumbers(x, 'x', 'test');
  const rows = new Float32Array(xs.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) {
    rows[((n * H + h) * W + w) * C + c] = xs[h + H * (w + W * (c + C * n))]!;
  }
  const prob = get('prob');
  const K = prob.dims[2]!;
  const ps = asNumbers(prob, 'prob', 'test');
  const perImage = Array.from({ length: N }, (_, n) => Array.from({ length: K }, (_, k) => ps[k + K * n]!));
  return { x: backend.tensor(rows, [N, H, W, C]), prob: perImage };
}

const MODELS = [
  { model: 'simplenn-prebeta16', kind: 'simplenn' },
  { model: 'simplenn-beta25', kind: 'simplenn' },
  { model: 'dagnn-resnet', kind: 'dagnn' },
  { model: 'dagnn-googlenet', kind: 'dagnn' },
] as const;

describe('loadModel + predict on the Octave MatConvNet fixtures (fixtures/matconvnet)', () => {
  for (const { model, kind } of MODELS) {
    for (const version of ['v6', 'v7']) {
      it(`${model}.${version}.mat: a ${kind}, predicting the reference probabilities and their order`, async () => {
        const loaded = loadModel(fixture(`${model}.${version}.mat`), backend);
        expect(loaded.kind).toBe(kind);
        expect(loaded.format).toBe('matconvnet');
        expect(loaded.net instanceof DagNN).toBe(kind === 'dagnn');
        const { x, prob } = expected(model);
        const before = backend.memory().tensors;
        const r = await predict(loaded.net, x, { topK: 3 });
        expect(backend.memory().tensors).toBe(before);
        expect(r.softmaxApplied).toBe(false); // every fixture ends in a softmax
        prob.forEach((p, n) => {
          const got = r.probabilities[n]!;
          const worst = Math.max(...p.map((v, k) => Math.abs(v - got[k]!)));
          expect(worst).toBeLessThan(1e-6); // measured ≤ 3.8e-8 (float32 against the float64 references)
          const order = p.map((_, k) => k).sort((a, b) => p[b]! - p[a]!);
          expect(r.top[n]!.map((t) => t.index)).toEqual(order.slice(0, 3).map((k) => k + 1));
        });
        const classes = (loaded.net.meta as { classes: { name: string[]; description: string[] } }).classes;
        const best = r.top[0]![0]!;
        expect(best.name).toBe(classes.name[best.index - 1]);
        expect(best.description).toBe(classes.description[best.index - 1]);
        x.dispose();
      });
    }
  }

  it('finds a net saved in one variable `net` (cnn_train checkpoints), both kinds', () => {
    for (const { model, kind } of [MODELS[1], MODELS[2]]) {
      const file = readMat(fixture(`${model}.v7.mat`));
      const fields = Object.fromEntries(file.variables.map((v) => [v.name, v.value]));
      const bytes = writeMat({ net: matStruct(fields), state: matStruct({}) });
      const loaded = loadModel(bytes, backend);
      expect(loaded.kind).toBe(kind);
      expect(loaded.notes.join('\n')).toMatch(/state/);
    }
  });

  it('reads convnet-ts model files by their magic (saveSimpleNN, saveDagNN)', async () => {
    const simple = loadModel(fixture('simplenn-beta25.v7.mat'), backend).net as SimpleNN;
    const again = loadModel(await saveSimpleNN(simple), backend);
    expect(again).toMatchObject({ kind: 'simplenn', format: 'convnet-ts', notes: [] });
    const dag = loadModel(fixture('dagnn-resnet.v6.mat'), backend).net as DagNN;
    const dagAgain = loadModel(saveDagNN(dag), backend);
    expect(dagAgain.kind).toBe('dagnn');
    expect((dagAgain.net as DagNN).layers.map((l) => l.name)).toEqual(dag.layers.map((l) => l.name));
  });

  it('says what it expected for files that are not models', () => {
    expect(() => loadModel(writeMat({ images: matDouble([1, 2, 3]) }), backend)).toThrow(
      /must be a MatConvNet model: a SimpleNN \('layers' cell\) or DagNN .* got a MAT-file with variables images/,
    );
    expect(() => loadModel(new TextEncoder().encode('not a model at all, just some text that is long enough to be a header'), backend)).toThrow();
    expect(() => loadModel(encodeModelFile('simplenn', { layers: [] }, []).subarray(0, 12), backend)).toThrow(/truncated/);
    expect(() => loadModel('net.mat' as never, backend)).toThrow(/bytes must be a Uint8Array/);
  });
});
