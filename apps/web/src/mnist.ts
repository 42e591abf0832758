/**
 * The page's digits: `mnist-digits.bin` (build/mnist-asset.ts) decoded,
 * split and normalised as MatConvNet's `cnn_mnist.m` getMnistImdb does and
 * as apps/examples' mnist-data.ts does in Node:
 *
 * - order: digits 0..9, each in the package's order; image k of that
 *   concatenation is held out when k mod 5 = 4, else used for training
 *   (8,000 and 2,000 images, about 20% of every digit held out);
 * - pixels on the 0..255 scale (the file holds MNIST's raw bytes), minus the
 *   mean of the 8,000 training images;
 * - labels 1..10 (digit + 1), MatConvNet's class convention.
 */
export const IMAGE_SIZE = 28 * 28;
const HEADER = 40;

export interface Digits {
  /** `[N, 28, 28, 1]` row-major, mean-subtracted, 0..255 scale. */
  images: Float32Array;
  /** Class 1..10 (digit + 1). */
  labels: Float64Array;
  /** 0-based indices of the training and held-out images. */
  train: number[];
  val: number[];
  /** The mean training image, row-major `[28, 28]`, 0..255 scale. */
  mean: Float64Array;
}

/** Decodes and normalises the packed digits; throws naming the file when it is not one. */
export function decodeDigits(bytes: Uint8Array): Digits {
  if (bytes.length < HEADER) throw new Error(`decodeDigits: mnist-digits.bin must start with ten uint32 counts (40 bytes), got ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = Array.from({ length: 10 }, (_, d) => view.getUint32(4 * d, true));
  const total = counts.reduce((a, b) => a + b, 0);
  if (bytes.length !== HEADER + total * IMAGE_SIZE) {
    throw new Error(`decodeDigits: mnist-digits.bin must hold ${total} images of 784 bytes after its header (${HEADER + total * IMAGE_SIZE} bytes), got ${bytes.length} bytes`);
  }
  const images = new Float32Array(total * IMAGE_SIZE);
  for (let i = 0; i < images.length; i++) images[i] = bytes[HEADER + i]!;
  const labels = new Float64Array(total);
  let k = 0;
  counts.forEach((n, d) => {
    labels.fill(d + 1, k, k + n);
    k += n;
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

/** `n` of `indices` spread evenly over them (every digit keeps its share); all of them when n ≥ their count. */
export function spread(indices: readonly number[], n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`spread: n must be a positive integer, got ${n}`);
  if (n >= indices.length) return [...indices];
  return Array.from({ length: n }, (_, i) => indices[Math.floor((i * indices.length) / n)]!);
}

/**
 * What a LeNet trained on these digits records in `meta.normalization`
 * (MatConvNet's field): 28×28 grey inputs on the 0..255 scale minus the mean
 * training digit, row-major over averageImageSize [28, 28, 1].
 */
export function digitNormalization(mean: Float64Array): { imageSize: number[]; averageImage: number[]; averageImageSize: number[] } {
  return { imageSize: [28, 28, 1], averageImage: Array.from(mean, Math.fround), averageImageSize: [28, 28, 1] };
}
