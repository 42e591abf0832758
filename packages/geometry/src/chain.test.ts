import { describe, expect, it } from 'vitest';
import { chainGeometry } from './chain.js';
import { NO_FIELD } from './field.js';
import type { LayerGeometry } from './layer-geometry.js';

const conv = (size: number, channels: number, pad = 0, stride = 1): LayerGeometry => ({
  kind: 'filter',
  size,
  pad,
  stride,
  channels,
});
const pool = (size: number, stride: number): LayerGeometry => ({ kind: 'pool', size, stride });
const relu: LayerGeometry = { kind: 'identity' };

describe('chainGeometry', () => {
  it("gives MatConvNet's MNIST LeNet a 28×28 field centred on the 28×28 image", () => {
    const lenet: LayerGeometry[] = [
      conv(5, 20),
      pool(2, 2),
      conv(5, 50),
      pool(2, 2),
      conv(4, 500),
      relu,
      conv(1, 10),
      { kind: 'none', outputSize: 1, channels: 1 }, // softmaxloss
    ];
    const vars = chainGeometry(lenet, { size: 28, channels: 1 });
    // By hand, with Δ ← Δ + α(H′ − 1), β ← β + α((H′ − 1)/2 − P), α ← α·S:
    // conv5  Δ 5,  α 1, β 3
    // pool2  Δ 6,  α 2, β 3.5
    // conv5  Δ 14, α 2, β 7.5
    // pool2  Δ 16, α 4, β 8.5
    // conv4  Δ 28, α 4, β 14.5
    const expected = [
      [1, 1, 1],
      [5, 1, 3],
      [6, 2, 3.5],
      [14, 2, 7.5],
      [16, 4, 8.5],
      [28, 4, 14.5],
      [28, 4, 14.5],
      [28, 4, 14.5],
    ] as const;
    expected.forEach(([size, stride, offset], l) => {
      expect(vars[l]!.field).toEqual({ size: [size, size], stride: [stride, stride], offset: [offset, offset] });
    });
    expect(vars[8]!.field).toBe(NO_FIELD);
    expect(vars.map((v) => v.size?.size[0])).toEqual([28, 24, 12, 8, 4, 1, 1, 1, 1]);
    expect(vars.map((v) => v.size?.channels)).toEqual([1, 20, 20, 50, 50, 500, 500, 10, 1]);
  });

  it('gives AlexNet conv5 a 163-pixel field with stride 16, and pool5 195 with stride 32', () => {
    const alexnet: LayerGeometry[] = [
      conv(11, 96, 0, 4),
      relu,
      { kind: 'identity' }, // LRN
      pool(3, 2),
      conv(5, 256, 2),
      relu,
      { kind: 'identity' },
      pool(3, 2),
      conv(3, 384, 1),
      relu,
      conv(3, 384, 1),
      relu,
      conv(3, 256, 1),
      relu,
      pool(3, 2),
    ];
    const vars = chainGeometry(alexnet, { size: 227, channels: 3 });
    // conv1 Δ 11, α 4, β 6; pool1 Δ 11 + 4·2 = 19, α 8, β 6 + 4 = 10;
    // conv2 Δ 19 + 8·4 = 51, β 10 + 8·(2 − 2) = 10; pool2 Δ 51 + 8·2 = 67, α 16, β 10 + 8 = 18;
    // conv3, conv4, conv5 each Δ += 16·2 (β unchanged, pad 1): 99, 131, 163;
    // pool5 Δ 163 + 16·2 = 195, α 32, β 18 + 16 = 34.
    expect(vars[13]!.field).toEqual({ size: [163, 163], stride: [16, 16], offset: [18, 18] });
    expect(vars[15]!.field).toEqual({ size: [195, 195], stride: [32, 32], offset: [34, 34] });
    expect(vars[13]!.size).toEqual({ size: [13, 13], channels: 256 });
    expect(vars[15]!.size).toEqual({ size: [6, 6], channels: 256 });
  });

  it('gives VGG-16 pool5 a 212-pixel field with stride 32', () => {
    const vgg16: LayerGeometry[] = [];
    for (const [convs, channels] of [
      [2, 64],
      [2, 128],
      [3, 256],
      [3, 512],
      [3, 512],
    ] as const) {
      for (let c = 0; c < convs; c++) vgg16.push(conv(3, channels, 1), relu);
      vgg16.push(pool(2, 2));
    }
    const vars = chainGeometry(vgg16, { size: 224, channels: 3 });
    // Per block: each 3×3 pad-1 conv adds 2α to Δ; each pool adds α, doubles α, and adds α/2 to β.
    // block1 Δ 1 + 2 + 2 = 5 → pool 6, α 2, β 1.5
    // block2 6 + 4 + 4 = 14 → pool 16, α 4, β 2.5
    // block3 16 + 3·8 = 40 → pool 44, α 8, β 4.5
    // block4 44 + 3·16 = 92 → pool 100, α 16, β 8.5
    // block5 100 + 3·32 = 196 → pool 212, α 32, β 16.5
    const pool5 = vars[vars.length - 1]!;
    expect(pool5.field).toEqual({ size: [212, 212], stride: [32, 32], offset: [16.5, 16.5] });
    expect(pool5.size).toEqual({ size: [7, 7], channels: 512 });
  });

  it('gives fields without sizes when no input size is given', () => {
    const vars = chainGeometry([conv(3, 8)]);
    expect(vars).toEqual([
      { field: { size: [1, 1], stride: [1, 1], offset: [1, 1] }, size: undefined },
      { field: { size: [3, 3], stride: [1, 1], offset: [2, 2] }, size: undefined },
    ]);
  });

  it('sizes convolution transpose with its own formula, unlike vl_simplenn_display', () => {
    const vars = chainGeometry([conv(4, 8, 1, 2), { kind: 'convt', size: 4, upsample: 2, crop: 1 }], 32);
    expect(vars.map((v) => v.size?.size)).toEqual([
      [32, 32],
      [16, 16],
      [32, 32],
    ]);
    expect(vars[2]!.field).toEqual({ size: [7, 7], stride: [1, 1], offset: [1, 1] });
  });

  it('names the layer whose geometry is impossible', () => {
    expect(() => chainGeometry([conv(5, 8), pool(2, 2), conv(5, 8)], 12)).toThrow(
      'chainGeometry: layers[2] (filter): convOutputSize: vertical input size 4 plus padding 0 + 0 is smaller than the filter extent 5; the output would be empty',
    );
    expect(() => chainGeometry([relu, { kind: 'pool', size: 2, pad: 2 }])).toThrow(
      'chainGeometry: layers[1] (pool): layerField: pad 2 (top) must be smaller than size 2',
    );
    expect(() => chainGeometry('conv' as never)).toThrow('chainGeometry: layers must be an array of layer geometries, got "conv"');
  });
});
