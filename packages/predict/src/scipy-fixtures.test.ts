/**
 * The scipy-written model files of fixtures/matconvnet/scipy (README.md
 * there): the nets of the Octave fixtures saved as MatConvNet's
 * utils/import-caffe.py saves the zoo's models (`scipy.io.savemat(...,
 * oned_as='column')`: strings as miUTF8, cells from object arrays, structs
 * from record arrays and dicts, bools as logical uint8, empty blocks as 0×0
 * doubles, no DagNN `vars`, biases K×1 or K×1×1×1), uncompressed and
 * compressed. Each loads through `loadModel` with only the notes explained
 * below, holds exactly the weights of its Octave twin, and predicts the
 * twin's float64 reference `<twin>.expected.mat`.
 */
import { readFileSync } from 'node:fs';
import { DagNN } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { asNumbers, readMat } from '@convnet-ts/matfile';
import type { SimpleNN } from '@convnet-ts/simplenn';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { loadModel, type Model } from './load-model.js';
import { parseNormalization } from './normalization.js';
import { predict } from './predict.js';
import { preprocess } from './preprocess.js';

const backend = createCpuBackend({ dtype: 'float32' });
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../fixtures/matconvnet/${name}`, import.meta.url)));

/** The twin's input x (H×W×3×N) as [N, H, W, 3] and its reference prob per image. */
function reference(twin: string) {
  const file = readMat(fixture(`${twin}.expected.mat`));
  const get = (name: string) => file.variables.find((v) => v.name === name)!.value;
  const x = get('x');
  const [H = 0, W = 0, C = 0, N = 1] = x.dims;
  const xs = asNumbers(x, 'x', 'test');
  const rows = new Float32Array(xs.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) rows[((n * H + h) * W + w) * C + c] = xs[h + H * (w + W * (c + C * n))]!;
  const prob = get('prob');
  const K = prob.dims[2]!;
  const ps = asNumbers(prob, 'prob', 'test');
  return { x: backend.tensor(rows, [N, H, W, C]), prob: Array.from({ length: N }, (_, n) => Array.from({ length: K }, (_, k) => ps[k + K * n]!)) };
}

/** Every tensor of a net as plain numbers, keyed by where it is (layer name / param name). */
async function tensors(net: Model): Promise<Record<string, { shape: readonly number[]; data: number[] }>> {
  const out: Record<string, { shape: readonly number[]; data: number[] }> = {};
  const put = async (key: string, t: Tensor | null) => {
    if (t) out[key] = { shape: t.shape, data: Array.from(await t.data()) };
  };
  if (net instanceof DagNN) for (const [name, p] of net.params) await put(name, p.value);
  else for (const l of (net as SimpleNN).layers) for (const [i, w] of ((l as { weights?: (Tensor | null)[] }).weights ?? []).entries()) await put(`${l.name}{${i + 1}}`, w);
  return out;
}

/** A net's structure without its tensors and without what import-caffe.py does not write (precious, learning rates). */
function structure(net: Model): unknown {
  if (net instanceof DagNN) return net.layers.map((l) => [l.name, l.block.type, l.block.options(), l.inputs, l.outputs, l.params]);
  return (net as SimpleNN).layers.map((l) => {
    const { weights: _w, precious: _p, learningRate: _lr, weightDecay: _wd, ...rest } = l as unknown as Record<string, unknown>;
    return rest;
  });
}

// import-caffe.py's CaffeConv.toMatlabSimpleNN writes the filter size beside the weights; vl_simplenn never reads it.
const CONV_SIZE = ['{1} (conv1', '{5} (conv2', '{10} (fc3'].map((l) => `net.layers${l}, conv): size dropped (not read by vl_simplenn)`);
const MISSING_FACTORS = ["net.params: learningRate missing; the layer's default used (1, or BatchNorm's for moments)", "net.params: weightDecay missing; the layer's default used (1, or BatchNorm's for moments)"];

const FILES = [
  {
    file: 'simplenn-beta25',
    twin: 'simplenn-beta25',
    kind: 'simplenn',
    notes: CONV_SIZE,
    normalization: { imageSize: [16, 16, 3], averageSize: [1, 1, 3], interpolation: 'bilinear', cropSize: [16 / 18, 16 / 18], keepAspect: true },
  },
  {
    file: 'simplenn-beta25-oldcaffe',
    twin: 'simplenn-beta25',
    kind: 'simplenn',
    notes: [
      ...CONV_SIZE,
      "net.meta.classes.description ({int64 1×1}, import-caffe.py's placeholder for a model converted without --synsets) dropped",
    ],
    normalization: { imageSize: [16, 16, 3], averageSize: [16, 16, 3], interpolation: 'bicubic', cropSize: [16 / 18, 16 / 18], keepAspect: false },
  },
  {
    file: 'dagnn-resnet',
    twin: 'dagnn-resnet',
    kind: 'dagnn',
    notes: ["BatchNorm: block.numChannels missing (files from import-caffe.py lack it); MatConvNet's default (the multipliers' length 8) used — layers 'bn_conv1', 'bn2a_branch2a', 'bn2a_branch2b'", ...MISSING_FACTORS],
    normalization: { imageSize: [12, 12, 3], averageSize: [12, 12, 3], interpolation: 'bilinear', cropSize: [12 / 14, 12 / 14], keepAspect: true },
  },
  {
    file: 'dagnn-googlenet',
    twin: 'dagnn-googlenet',
    kind: 'dagnn',
    // import-caffe.py's CaffeDropout.toMatlab writes only the rate.
    notes: ["DropOut: block.frozen missing (older MatConvNet files lack it); MatConvNet's default false used — layer 'drop'", ...MISSING_FACTORS],
    normalization: { imageSize: [12, 12, 3], averageSize: [12, 12, 3], interpolation: 'bilinear', cropSize: [12 / 14, 12 / 14], keepAspect: true },
  },
] as const;

describe('scipy-written zoo-style files (fixtures/matconvnet/scipy) against their Octave twins', () => {
  for (const { file, twin, kind, notes } of FILES) {
    for (const variant of ['', '.z']) {
      it(`${file}${variant}.mat: a ${kind} with the twin's layers and weights, predicting ${twin}.expected.mat`, async () => {
        const loaded = loadModel(fixture(`scipy/${file}${variant}.mat`), backend);
        expect(loaded).toMatchObject({ kind, format: 'matconvnet' });
        expect(loaded.notes).toEqual(notes);
        const octave = loadModel(fixture(`${twin}.v7.mat`), backend).net;
        expect(structure(loaded.net)).toEqual(structure(octave));
        expect(await tensors(loaded.net)).toEqual(await tensors(octave));

        const { x, prob } = reference(twin);
        const r = await predict(loaded.net, x, { topK: 3 });
        expect(r.softmaxApplied).toBe(false);
        prob.forEach((p, n) => {
          const got = r.probabilities[n]!;
          expect(Math.max(...p.map((v, k) => Math.abs(v - got[k]!)))).toBeLessThan(1e-6);
          const order = p.map((_, k) => k).sort((a, b) => p[b]! - p[a]!);
          expect(r.top[n]!.map((t) => t.index)).toEqual(order.slice(0, 3).map((k) => k + 1));
        });
        x.dispose();
      });
    }
  }

  it("meta.normalization as import-caffe.py writes it (imageSize [H W C N], double averageImage, border and cropSize) preprocesses", () => {
    for (const { file, normalization } of FILES) {
      const meta = loadModel(fixture(`scipy/${file}.mat`), backend).net.meta as { normalization: unknown };
      const n = parseNormalization(meta.normalization);
      const { averageImage, averageSize, imageSize, interpolation, cropSize, keepAspect } = n;
      expect({ imageSize, averageSize, interpolation, cropSize, keepAspect }, file).toEqual(normalization);
      expect(averageImage).not.toBeNull();
      const [H, W] = imageSize;
      const image = { width: 2 * W, height: H + 3, data: new Uint8Array(2 * W * (H + 3) * 3).map((_, i) => (i * 37) % 256) };
      const t = preprocess(image, meta.normalization, backend);
      expect(t.shape).toEqual([1, H, W, 3]);
      t.dispose();
    }
  });

  it('imageSize: the fourth element N is the batch size and is ignored; other shapes are still refused', () => {
    expect(parseNormalization({ imageSize: [16, 16, 3, 10] }).imageSize).toEqual([16, 16, 3]);
    for (const imageSize of [[16, 16, 3, 0], [16, 16, 3, 2.5], [16, 16, 3, 10, 2]]) {
      expect(() => parseNormalization({ imageSize })).toThrow(/imageSize must be \[H, W\] or \[H, W, C\] \(or \[H, W, C, N\], N ignored\) with positive integers/);
    }
  });

  it('the average images hold the twins’ values (double in the scipy files, single in the Octave ones)', () => {
    const average = (name: string) => parseNormalization((loadModel(fixture(name), backend).net.meta as { normalization: unknown }).normalization).averageImage!;
    expect(average('scipy/simplenn-beta25.mat')).toEqual(average('simplenn-beta25.v7.mat'));
    expect(average('scipy/dagnn-resnet.mat')).toEqual(average('dagnn-resnet.v7.mat'));
    const mean = Array.from(average('simplenn-beta25.v7.mat'));
    const tiled = average('scipy/simplenn-beta25-oldcaffe.mat');
    expect(tiled).toHaveLength(16 * 16 * 3);
    expect(tiled.every((v, i) => v === mean[i % 3])).toBe(true);
  });

  it('classes: synsets as cells of miUTF8 strings; without --synsets, no names and indices only', async () => {
    const named = loadModel(fixture('scipy/dagnn-googlenet.z.mat'), backend).net.meta as { classes: { name: string[]; description: string[] } };
    const twin = loadModel(fixture('dagnn-googlenet.v7.mat'), backend).net.meta as { classes: unknown };
    expect(named.classes).toEqual(twin.classes);
    const bare = loadModel(fixture('scipy/simplenn-beta25-oldcaffe.mat'), backend).net;
    expect((bare.meta as { classes: unknown }).classes).toEqual({ name: [] });
    const { x } = reference('simplenn-beta25');
    const r = await predict(bare, x, { topK: 2 });
    expect(r.top[0]!.map((t) => Object.keys(t).sort())).toEqual([
      ['index', 'score'],
      ['index', 'score'],
    ]);
    x.dispose();
  });
});
