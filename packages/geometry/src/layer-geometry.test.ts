import { describe, expect, it } from 'vitest';
import { NO_FIELD } from './field.js';
import { type LayerGeometry, layerField, layerOutputSize } from './layer-geometry.js';

describe('layerField', () => {
  it('maps each kind to its field', () => {
    expect(layerField({ kind: 'filter', size: 3, pad: 1, channels: 64 })).toEqual({
      size: [3, 3],
      stride: [1, 1],
      offset: [1, 1],
    });
    expect(layerField({ kind: 'pool', size: 2, stride: 2 })).toEqual({ size: [2, 2], stride: [2, 2], offset: [1.5, 1.5] });
    expect(layerField({ kind: 'convt', size: 4, upsample: 2, crop: 1 })).toEqual({
      size: [2.5, 2.5],
      stride: [0.5, 0.5],
      offset: [0.75, 0.75],
    });
    expect(layerField({ kind: 'identity' })).toEqual({ size: [1, 1], stride: [1, 1], offset: [1, 1] });
    expect(layerField({ kind: 'none' })).toBe(NO_FIELD);
    expect(layerField({ kind: 'custom', field: { size: 1, stride: 1, offset: 3 } })).toEqual({
      size: [1, 1],
      stride: [1, 1],
      offset: [3, 3],
    });
  });

  it('checks pooling padding like vl_nnpool', () => {
    expect(() => layerField({ kind: 'pool', size: 2, pad: [0, 2] })).toThrow('layerField: pad 2 (left) must be smaller than size 2');
  });

  it('rejects an unknown kind', () => {
    expect(() => layerField({ kind: 'relu' } as unknown as LayerGeometry)).toThrow(
      `layerField: geometry.kind must be 'filter', 'pool', 'convt', 'identity', 'none' or 'custom', got "relu"`,
    );
  });
});

describe('layerOutputSize', () => {
  const input = { size: [32, 24], channels: 3 } as const;

  it('applies each size formula and sets the channels', () => {
    expect(layerOutputSize({ kind: 'filter', size: 5, channels: 20 }, input)).toEqual({ size: [28, 20], channels: 20 });
    expect(layerOutputSize({ kind: 'filter', size: 5 }, input)).toEqual({ size: [28, 20], channels: 3 });
    expect(layerOutputSize({ kind: 'pool', size: 2, stride: 2 }, input)).toEqual({ size: [16, 12], channels: 3 });
    expect(layerOutputSize({ kind: 'convt', size: 4, upsample: 2, crop: 1, channels: 2 }, input)).toEqual({
      size: [64, 48],
      channels: 2,
    });
    expect(layerOutputSize({ kind: 'identity' }, input)).toEqual({ size: [32, 24], channels: 3 });
    expect(layerOutputSize({ kind: 'none', outputSize: 1, channels: 1 }, input)).toEqual({ size: [1, 1], channels: 1 });
    expect(layerOutputSize({ kind: 'none' }, input)).toBeUndefined();
    expect(
      layerOutputSize(
        { kind: 'custom', field: NO_FIELD, outputSize: (x) => ({ size: [x.size[0] * 2, x.size[1]], channels: 7 }) },
        input,
      ),
    ).toEqual({ size: [64, 24], channels: 7 });
    expect(layerOutputSize({ kind: 'custom', field: NO_FIELD }, input)).toBeUndefined();
  });

  it('accepts a bare spatial size, leaving channels unknown', () => {
    expect(layerOutputSize({ kind: 'pool', size: 2, stride: 2 }, 8)).toEqual({ size: [4, 4], channels: undefined });
  });

  it('checks channels', () => {
    expect(() => layerOutputSize({ kind: 'filter', size: 1, channels: 0 }, input)).toThrow(
      'layerOutputSize: channels must be a positive integer, got 0',
    );
    expect(() => layerOutputSize({ kind: 'identity' }, { size: 4, channels: 1.5 })).toThrow(
      'layerOutputSize: input.channels must be a positive integer, got 1.5',
    );
  });
});
