/**
 * The LeNet round trip through Octave (`fixtures/matconvnet/lenet-roundtrip`,
 * remade by its regenerate.sh): `lenet.mat` is a LeNet trained one epoch by
 * the MNIST example and written by `saveMatConvNet`; `lenet-octave.mat` is
 * that file after Octave's `load`, MatConvNet's `vl_simplenn_tidy` and
 * `save('-v7', …, '-struct', 'net')`. Both load to the same net: the same
 * weights bit for bit, the same top class and scores (within 1e-6) on MNIST
 * digits preprocessed with the net's own `meta.normalization.averageImage`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SimpleNN } from './layer-types.js';
import { loadMatConvNet } from './matconvnet-import.js';
import { simplenn } from './simplenn.js';
import { cpu32 } from './test-nets.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/matconvnet/lenet-roundtrip');
const load = (name: string) => loadMatConvNet(new Uint8Array(readFileSync(join(dir, name))), cpu32);
const P = 28 * 28;

/** The first `perClass` digits of each class in the `mnist` package, on the 0..255 scale, and their labels 1..10. */
function digits(perClass: number): { x: Float32Array; labels: number[] } {
  const require = createRequire(import.meta.url);
  const x = new Float32Array(10 * perClass * P);
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < perClass; i++) {
      const n = labels.length;
      for (let p = 0; p < P; p++) x[n * P + p] = 255 * raw[i * P + p]!;
      labels.push(d + 1);
    }
  }
  return { x, labels };
}

/** Scores (the loss layer's input) `[N, 10]` for raw digits, after subtracting the net's averageImage. */
async function scores(net: SimpleNN, raw: Float32Array): Promise<Float32Array | Float64Array> {
  const avg = net.meta.normalization!.averageImage!;
  expect(net.meta.normalization!.averageImageSize).toEqual([28, 28, 1]);
  const x = raw.map((v, i) => v - avg[i % P]!);
  const res = simplenn({ layers: net.layers.slice(0, -1), meta: net.meta }, cpu32.tensor(x, [raw.length / P, 28, 28, 1]), null, null, { mode: 'test' });
  return res[res.length - 1]!.x!.data();
}

const argmax = (s: ArrayLike<number>, n: number): number[] =>
  Array.from({ length: s.length / n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < n; c++) if (s[i * n + c]! > s[i * n + best]!) best = c;
    return best + 1;
  });

describe('LeNet: saveMatConvNet → Octave (load, vl_simplenn_tidy, save -v7) → loadMatConvNet', () => {
  it('lenet.mat and lenet-octave.mat hold the same net and predict identically', async () => {
    const mine = load('lenet.mat');
    const octave = load('lenet-octave.mat');
    expect(mine.notes).toEqual([]);
    expect(octave.notes).toEqual([]);
    expect(octave.net.layers.map((l) => [l.type, l.name])).toEqual(mine.net.layers.map((l) => [l.type, l.name]));
    expect(octave.net.meta).toEqual(mine.net.meta);
    for (const [i, l] of mine.net.layers.entries()) {
      const other = octave.net.layers[i]!;
      expect(other).toEqual({ ...l, ...('weights' in l ? { weights: expect.anything() } : {}) });
      if (l.type === 'conv' && other.type === 'conv') {
        for (const j of [0, 1]) expect(await other.weights[j]!.data()).toEqual(await l.weights[j]!.data());
      }
    }
    const { x, labels } = digits(5);
    const a = await scores(mine.net, x);
    const b = await scores(octave.net, x);
    expect(argmax(b, 10)).toEqual(argmax(a, 10));
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
    // A trained net (one epoch: 94% held-out accuracy): most of these digits are right.
    const right = argmax(a, 10).filter((c, i) => c === labels[i]).length;
    expect(right).toBeGreaterThanOrEqual(45);
  });

  it("the scores Octave's independent forward pass checked (lenet-probe.json) are those of the loaded net", async () => {
    const probe = JSON.parse(readFileSync(join(dir, 'lenet-probe.json'), 'utf8')) as { digits: number[][]; scores: number[]; labels: number[] };
    const { net } = load('lenet-octave.mat');
    // The probe's digits are mean-subtracted and column-major (MATLAB's 28×28); back to row-major, plus the mean.
    const avg = net.meta.normalization!.averageImage!;
    const raw = new Float32Array(probe.digits.length * P);
    probe.digits.forEach((d, n) => {
      for (let i = 0; i < P; i++) raw[n * P + (i % 28) * 28 + Math.floor(i / 28)] = Math.fround(d[i]! + avg[(i % 28) * 28 + Math.floor(i / 28)]!);
    });
    const s = await scores(net, raw);
    let worst = 0;
    for (let i = 0; i < s.length; i++) worst = Math.max(worst, Math.abs(s[i]! - probe.scores[i]!));
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(argmax(s, 10)).toEqual(probe.labels);
  });
});
