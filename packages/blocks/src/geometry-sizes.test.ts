/**
 * conv, convt and pool size their outputs with @convnet-ts/geometry's
 * `convOutputSize`, `convtOutputSize` and `poolOutputSize` (the manual's
 * §5.2-5.3 formulas), the functions the wrappers' `display` and
 * `getVarSizes` use, so the sizes shown and the sizes computed come from one
 * place. An empty input (H or W = 0) has no output (vl_nnpool refuses it;
 * conv and convt used to make one from the padding alone).
 */
import * as geometry from '@convnet-ts/geometry';
import { ShapeError } from '@convnet-ts/tensor';
import { describe, expect, it, vi } from 'vitest';
import { conv } from './conv.js';
import { convt } from './convt.js';
import { pool } from './pool.js';
import { cpu64, randn } from './test-helpers.js';

vi.mock('@convnet-ts/geometry', async (importOriginal) => {
  const real = await importOriginal<typeof import('@convnet-ts/geometry')>();
  return { ...real, convOutputSize: vi.fn(real.convOutputSize), convtOutputSize: vi.fn(real.convtOutputSize), poolOutputSize: vi.fn(real.poolOutputSize) };
});

describe('output sizes through @convnet-ts/geometry', () => {
  it('conv, convt and pool take their output sizes from geometry, and agree with it on a sweep', () => {
    const x = randn(cpu64, [1, 9, 7, 2], 1);
    for (const [size, stride, pad, dilate] of [[3, 1, 0, 1], [3, 2, 1, 1], [2, 3, [0, 2, 1, 0], 2], [5, 1, 2, 1]] as const) {
      const y = conv(x, randn(cpu64, [size, size, 2, 3], 2), null, { stride, pad, dilate });
      expect(y.shape.slice(1, 3)).toEqual(geometry.convOutputSize([9, 7], { size, stride, pad, dilate }));
    }
    for (const [size, upsample, crop] of [[3, 1, 0], [4, 2, 1], [3, 3, [0, 1, 2, 0]]] as const) {
      const y = convt(x, randn(cpu64, [size, size, 3, 2], 3), null, { upsample, crop });
      expect(y.shape.slice(1, 3)).toEqual(geometry.convtOutputSize([9, 7], { size, upsample, crop }));
    }
    for (const [size, stride, pad] of [[2, 2, 0], [3, 2, 1], [3, 1, [0, 2, 1, 0]]] as const) {
      const y = pool(x, size, { stride, pad });
      expect(y.shape.slice(1, 3)).toEqual(geometry.poolOutputSize([9, 7], { size, stride, pad }));
    }
    expect(vi.mocked(geometry.convOutputSize).mock.calls.length).toBeGreaterThanOrEqual(8);
    expect(vi.mocked(geometry.convtOutputSize).mock.calls.length).toBeGreaterThanOrEqual(6);
    expect(vi.mocked(geometry.poolOutputSize).mock.calls.length).toBeGreaterThanOrEqual(6);
  });

  it('an empty input throws a ShapeError naming x, as pool does (no output from padding alone)', () => {
    const empty = cpu64.zeros([1, 0, 5, 1]);
    expect(() => conv(empty, cpu64.zeros([3, 3, 1, 2]), null, { pad: 2 })).toThrow(new ShapeError('conv', 'x', 'x must have a height and width of at least 1, got shape [1, 0, 5, 1]'));
    expect(() => convt(empty, cpu64.zeros([3, 3, 2, 1]), null, { upsample: 2 })).toThrow(new ShapeError('convt', 'x', 'x must have a height and width of at least 1, got shape [1, 0, 5, 1]'));
    expect(() => conv(cpu64.zeros([1, 4, 4, 1]), cpu64.zeros([0, 3, 1, 2]), null)).toThrow('conv: f must have a height and width of at least 1, got shape [0, 3, 1, 2]');
  });
});
