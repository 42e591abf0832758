import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { loadModel } from '@convnet-ts/predict';
import { describe, expect, it } from 'vitest';
import { loadMnist, mnistNormalization } from './mnist-data.js';

const lenetMat = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/matconvnet/lenet-roundtrip/lenet.mat');

describe('the MNIST job records its preprocessing', () => {
  it('meta.normalization holds the mean training digit it subtracts, the same as the LeNet fixture made from its checkpoint', () => {
    const data = loadMnist();
    const n = mnistNormalization(data.mean);
    expect(n.imageSize).toEqual([28, 28, 1]);
    // The mean is what was subtracted: the training images average to zero at every pixel after it.
    let worst = 0;
    for (let p = 0; p < 784; p++) {
      let sum = 0;
      for (const i of data.train) sum += data.images[i * 784 + p]!;
      worst = Math.max(worst, Math.abs(sum / data.train.length));
    }
    expect(worst).toBeLessThan(1e-3);
    expect(Math.max(...n.averageImage)).toBeGreaterThan(100);
    expect(Math.min(...n.averageImage)).toBeGreaterThanOrEqual(0);
    const { net } = loadModel(new Uint8Array(readFileSync(lenetMat)), createCpuBackend({ dtype: 'float32' }));
    expect(net.meta.normalization).toMatchObject({ imageSize: [28, 28, 1], averageImageSize: [28, 28, 1] });
    expect((net.meta.normalization as { averageImage: number[] }).averageImage).toEqual(n.averageImage);
  });
});
