/**
 * Blocks release every temporary they make: after disposing a block's inputs
 * and outputs, the backend holds no more tensors than before. (On WebGPU a
 * leaked temporary is leaked GPU memory.) The same on error paths, for every
 * block and on every backend: packages/testing/src/reliability/leaks.ts.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import * as B from './index.js';
import { randn } from './test-helpers.js';

const be = createCpuBackend({ dtype: 'float64' });

function outputs(value: unknown): Tensor[] {
  if (value === null || typeof value !== 'object') return [];
  if ('storage' in value && 'backend' in value) return [value as Tensor];
  return Object.values(value).flatMap(outputs);
}

const x = () => randn(be, [2, 6, 6, 4], 1);
const cases: [string, () => unknown[]][] = [
  ['conv', () => { const a = x(); const f = randn(be, [3, 3, 2, 6], 2); const b = randn(be, [6], 3); const y = B.conv(a, f, b, { pad: 1 }); return [a, f, b, y, B.convBackward(a, f, b, y, { pad: 1 })]; }],
  ['conv without filters', () => { const a = x(); const b = randn(be, [4], 3); const y = B.conv(a, null, b, { stride: 2 }); return [a, b, y, B.convBackward(a, null, b, y, { stride: 2 })]; }],
  ['convt', () => { const a = x(); const f = randn(be, [3, 3, 2, 4], 2); const b = randn(be, [2], 3); const y = B.convt(a, f, b, { upsample: 2 }); return [a, f, b, y, B.convtBackward(a, f, b, y, { upsample: 2 })]; }],
  ['pool', () => { const a = x(); const y = B.pool(a, 2, { stride: 2, method: 'avg' }); return [a, y, B.poolBackward(a, 2, y, { stride: 2, method: 'avg' })]; }],
  ['softmax and loss', () => { const a = x(); const s = B.softmax(a); const l = B.loss(a, [1, 3], { loss: 'softmaxlog' }); return [a, s, l, B.softmaxBackward(a, s), B.lossBackward(a, [1, 3], 1, { loss: 'softmaxlog' })]; }],
  ['softmaxloss', () => { const a = x(); return [a, B.softmaxloss(a, [2, 4]), B.softmaxlossBackward(a, [2, 4], 1)]; }],
  ['bnorm', () => { const a = x(); const g = randn(be, [4], 2); const b = randn(be, [4], 3); const r = B.bnorm(a, g, b); return [a, g, b, r, B.bnormBackward(a, g, b, r.y)]; }],
  ['lrn and spnorm', () => { const a = x(); const l = B.lrn(a, [3, 1, 0.5, 0.75]); const s = B.spnorm(a, [3, 3, 0.5, 0.75]); return [a, l, s, B.lrnBackward(a, [3, 1, 0.5, 0.75], l), B.spnormBackward(a, [3, 3, 0.5, 0.75], s)]; }],
  ['normalizeLp, noffset, pdist', () => { const a = x(); const a0 = randn(be, [2, 6, 6, 4], 5); const n = B.normalizeLp(a); const o = B.noffset(a, [1, 0.5]); const p = B.pdist(a, a0, 2); return [a, a0, n, o, p, B.normalizeLpBackward(a, n), B.noffsetBackward(a, [1, 0.5], o), B.pdistBackward(a, a0, 2, p)]; }],
  ['dropout, relu, sigmoid', () => { const a = x(); const d = B.dropout(a, { rate: 0.5, seed: 1 }); const r = B.relu(a); const s = B.sigmoid(a); return [a, d, r, s, B.dropoutBackward(a, r, { mask: d.mask! }), B.reluBackward(a, r), B.sigmoidBackward(a, s)]; }],
  ['concat, crop, sum, scale', () => { const a = x(); const c = B.concat([a, a]); const k = B.crop(a, [1, 1, 1, 1]); const s = B.sum([a, a]); const w = randn(be, [4], 2); const y = B.scale(a, w, w); return [a, w, c, k, s, y, B.concatBackward([a, a], c), B.cropBackward(a, [1, 1, 1, 1], k), B.sumBackward([a, a], s), B.scaleBackward(a, w, w, y)]; }],
  ['bilinearSampler, affineGrid, roiPool', () => { const a = x(); const th = randn(be, [2, 2, 3], 4, 0.3); const g = B.affineGrid(th, [3, 3]); const y = B.bilinearSampler(a, g); const r = B.roiPool(a, [[1, 1, 1, 4, 4]], { subdivisions: 2 }); return [a, th, g, y, r, B.affineGridBackward(th, [3, 3], g), B.bilinearSamplerBackward(a, g, y), B.roiPoolBackward(a, [[1, 1, 1, 4, 4]], r, { subdivisions: 2 })]; }],
];

describe('blocks release their temporaries', () => {
  it.each(cases)('%s', (_name, run) => {
    const before = be.memory().tensors;
    const made = run().flatMap(outputs);
    for (const t of made) t.dispose();
    expect(be.memory().tensors).toBe(before);
  });
});
