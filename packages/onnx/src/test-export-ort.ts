/**
 * Test helpers: run an exported model in ONNX Runtime (onnxruntime-node, CPU,
 * one thread) and a network in convnet-ts (CPU backend, test mode) on the
 * same seeded inputs, and compare.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DagNN } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, type FloatArray, Rng, randnTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

export const backend: Backend = createCpuBackend();

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(root, 'fixtures', path)));
}

export interface Output {
  data: Float32Array;
  dims: number[];
}

/** Runs `model` in ONNX Runtime on `feeds` (float32 tensors by input name). */
export async function runOrt(model: Uint8Array, feeds: Record<string, { data: ArrayLike<number>; dims: readonly number[] }>): Promise<Record<string, Output>> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', Float32Array.from(f.data), [...f.dims]);
    const result = await session.run(inputs);
    const out: Record<string, Output> = {};
    for (const [name, t] of Object.entries(result)) out[name] = { data: t.data as Float32Array, dims: t.dims.map(Number) };
    return out;
  } finally {
    await session.release();
  }
}

/** A seeded normal input of `shape`, as a tensor and as a feed. */
export function randomInput(shape: Shape, seed: number, std = 1): { tensor: Tensor; feed: { data: FloatArray; dims: number[] } } {
  const tensor = randnTensor(backend, shape, new Rng(seed), std);
  return { tensor, feed: { data: tensor.dataSync(), dims: [...shape] } };
}

/** Evaluates a DagNN in test mode and returns the named variables' values. */
export function evalDag(net: DagNN, inputs: Record<string, Tensor>, outputs: readonly string[]): Record<string, { data: FloatArray; dims: number[] }> {
  net.mode = 'test';
  for (const v of outputs) net.getVar(v).precious = true;
  net.eval(inputs);
  const out: Record<string, { data: FloatArray; dims: number[] }> = {};
  for (const v of outputs) {
    const t = net.getVar(v).value as Tensor;
    out[v] = { data: t.dataSync(), dims: [...t.shape] };
  }
  return out;
}

/**
 * max |a − b| / max |b|: the largest difference relative to the output's
 * magnitude. Returns it, after checking that the shapes agree and that it is ≤ tol.
 */
export function expectAgree(actual: { data: ArrayLike<number>; dims: readonly number[] }, expected: { data: ArrayLike<number>; dims: readonly number[] }, tol = 1e-4): number {
  expect(actual.dims).toEqual([...expected.dims]);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.data.length; i++) {
    diff = Math.max(diff, Math.abs(actual.data[i]! - expected.data[i]!));
    scale = Math.max(scale, Math.abs(expected.data[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  const rel = diff / scale;
  expect(rel).toBeLessThanOrEqual(tol);
  return rel;
}
