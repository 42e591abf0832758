/**
 * Each SimpleNN layer described to `@convnet-ts/geometry` (its receptive field
 * and output size, manual chapter 5): conv → `filter` (dilated, with K
 * channels; identity filters keep the channels), convt → `convt` (its own
 * size formula, §5.3, and K·numGroups channels — fixing `vl_simplenn_display`,
 * which sized convt as a filter), pool → `pool`, element-wise layers →
 * `identity`, losses and aggregated pdist → `none` with a 1×1×1 output,
 * pdist → `identity` with one channel, custom → `layer.geometry` (default:
 * `none`, unknown field and size).
 */
import type { LayerGeometry } from '@convnet-ts/geometry';
import type { Layer } from './layer-types.js';

export function geometryOf(layer: Layer): LayerGeometry {
  switch (layer.type) {
    case 'conv': {
      const [f] = layer.weights;
      if (!f) return { kind: 'filter', size: 1, stride: layer.stride, pad: layer.pad };
      const [hf = 1, wf = 1, , k] = f.shape;
      return { kind: 'filter', size: [hf, wf], stride: layer.stride, pad: layer.pad, dilate: layer.dilate, channels: k };
    }
    case 'convt': {
      const [hf = 1, wf = 1, k = 1] = layer.weights[0].shape;
      return { kind: 'convt', size: [hf, wf], upsample: layer.upsample, crop: layer.crop, channels: k * layer.numGroups };
    }
    case 'pool':
      return { kind: 'pool', size: layer.pool, stride: layer.stride, pad: layer.pad };
    case 'loss':
    case 'softmaxloss':
      return { kind: 'none', outputSize: 1, channels: 1 };
    case 'pdist':
      return layer.aggregate ? { kind: 'none', outputSize: 1, channels: 1 } : { kind: 'identity', channels: 1 };
    case 'custom':
      return layer.geometry ?? { kind: 'none' };
    default:
      return { kind: 'identity' };
  }
}

/** Whether the layer's output is one number for the whole batch (batch size 1 after it). */
export function reducesBatch(layer: Layer): boolean {
  return layer.type === 'loss' || layer.type === 'softmaxloss' || (layer.type === 'pdist' && layer.aggregate);
}
