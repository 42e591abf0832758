import { describe, expect, it } from 'vitest';
import { lenet } from './data.js';
import { alexnet, makeChainData, spatialSizes, stepFlops } from './nets.js';
import { knownPeak } from './peaks.js';
import { selectRows } from './run-webgpu.js';

describe('the WebGPU rows’ networks', () => {
  it('AlexNet at 227: sizes 55 → 27 → 13 → 6 → 1 and 724 M multiply-adds per image (the published figure for grouped AlexNet)', () => {
    const net = alexnet(1);
    const sizes = spatialSizes(net).filter((_, i) => net.layers[i]!.kind !== 'relu' && net.layers[i]!.kind !== 'dropout');
    expect(sizes).toEqual([55, 27, 27, 13, 13, 13, 13, 6, 1, 1, 1]);
    // Per layer by hand: 55²·96·11²·3, 27²·256·5²·48, 13²·384·3²·256, 13²·384·3²·192, 13²·256·3²·192, 6²·256·4096, 4096², 4096·1000.
    const macs = [105_415_200, 223_948_800, 149_520_384, 112_140_288, 74_760_192, 37_748_736, 16_777_216, 4_096_000];
    const total = macs.reduce((a, b) => a + b, 0);
    expect(total).toBe(724_406_816);
    expect(stepFlops(alexnet(128))).toBe(128 * 2 * (3 * total - macs[0]!));
  });

  it('LeNet (cnn_mnist_init) ends 1×1 with 10 classes, and seeded data has the right shapes', () => {
    const net = lenet(4);
    expect(spatialSizes(net).at(-1)).toBe(1);
    const d = makeChainData(alexnet(2, 67, 16, 10));
    expect(d.x.shape).toEqual([2, 67, 67, 3]);
    expect(d.params.map((p) => p.f.shape)).toEqual([
      [11, 11, 3, 96],
      [5, 5, 48, 256],
      [3, 3, 256, 384],
      [3, 3, 192, 384],
      [3, 3, 192, 256],
      [1, 1, 256, 16],
      [1, 1, 16, 16],
      [1, 1, 16, 10],
    ]);
    expect(d.labels.every((l) => l >= 1 && l <= 10)).toBe(true);
    // N(0, 2/fan-in): the sample variance of conv1's 34 848 weights is within a few per cent of 2/363.
    const w = d.params[0]!.f.values;
    const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
    expect(variance / (2 / 363)).toBeGreaterThan(0.95);
    expect(variance / (2 / 363)).toBeLessThan(1.05);
  });

  it('rejects an AlexNet input too small for fc6', () => {
    expect(() => alexnet(1, 60)).toThrow(/input size 60 leaves no pixel/);
  });
});

describe('peaks and rows', () => {
  it('knows vendor peaks by adapter name, and none for SwiftShader or an unlisted GPU', () => {
    expect(knownPeak('nvidia / hopper / NVIDIA H200')?.tflops).toBe(67);
    expect(knownPeak('nvidia / hopper / NVIDIA H100 PCIe')?.tflops).toBe(51);
    expect(knownPeak('nvidia / hopper / NVIDIA H100 80GB HBM3')?.source).toMatch(/^vendor figure/);
    expect(knownPeak('google / swiftshader / SwiftShader driver 5.0.0')).toBeNull();
    expect(knownPeak('acme / Mystery GPU')).toBeNull();
  });

  it('selects rows by workload (W2 = both derivatives, LeNet = W3), in table order', () => {
    expect(selectRows(['alexnet', 'W2'])).toEqual(['W2 dzdx', 'W2 dzdf', 'AlexNet']);
    expect(selectRows(['LeNet'])).toEqual(['W3']);
    expect(selectRows(undefined)).toHaveLength(6);
    expect(() => selectRows(['W5'])).toThrow(/unknown workload W5/);
  });
});
