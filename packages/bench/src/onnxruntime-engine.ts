import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { exportOnnx } from '@convnet-ts/onnx';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import type { Engine, Task } from './engine.js';
import { sums } from './engine.js';
import { type BenchData, CONV, GEMM_SIZE, type HostTensor } from './workloads.js';

type Ort = typeof import('onnxruntime-node');

/** onnxruntime-node, or why it is absent (the bench prints that and skips the column). */
export async function loadOrt(): Promise<Ort | string> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    return `ONNX Runtime skipped: onnxruntime-node failed to load (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

/** NHWC → NCHW, once at set-up (ONNX is NCHW; the timed run is the Conv node alone). */
function toNchw(t: HostTensor): { values: Float32Array; dims: number[] } {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const out = new Float32Array(t.values.length);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((i * h + y) * w + x) * c;
        for (let k = 0; k < c; k++) out[((i * c + k) * h + y) * w + x] = t.values[src + k]!;
      }
    }
  }
  return { values: out, dims: [n, c, h, w] };
}

/**
 * ONNX Runtime (onnxruntime-node, CPU execution provider, MLAS kernels) for
 * the inference rows: W1 (one Conv node), W2 dzdx (one ConvTranspose node,
 * which is that derivative) and W4 (a 1×1 Conv of 1024 images,
 * which MLAS runs as one SGEMM, as convnet-ts does), on models exported by
 * @convnet-ts/onnx's `exportOnnx` with `layout: 'nchw'` (no Transpose nodes),
 * sessions with `intraOpNumThreads` = `threads`, one inter-op thread, every
 * graph optimisation. The input is transposed to NCHW once, untimed.
 */
export async function onnxruntimeEngine(ort: Ort, data: BenchData, threads: number): Promise<Engine> {
  const cpu = createCpuBackend({ dtype: 'float32', threads: 1 });
  const model = async (weights: HostTensor, pad: number, inputSize: [number, number, number], transposed = false) => {
    const f = cpu.tensor(weights.values, weights.shape);
    const layer: SimpleNNSpec['layers'][number] = transposed ? { type: 'convt', name: 'convt', weights: [f, null], crop: pad } : { type: 'conv', name: 'conv', weights: [f, null], pad };
    const net: SimpleNNSpec = { layers: [layer] };
    const bytes = await exportOnnx(net, { inputSize, layout: 'nchw' });
    return ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  };
  const { h, w, c } = CONV;
  const sessions = {
    W1: { session: await model(data.f, CONV.pad, [h, w, c]), input: toNchw(data.x) },
    // dzdx of W1 = convt of dy by the same filters ([Hf, Wf, C, K] read as convt's [Hf, Wf, K_out, D_in]), cropped by the pad: one ConvTranspose node.
    'W2 dzdx': { session: await model(data.f, CONV.pad, [h, w, CONV.k], true), input: toNchw(data.dy) },
    W4: {
      session: await model({ values: data.gemmB.values, shape: [1, 1, GEMM_SIZE, GEMM_SIZE] }, 0, [1, 1, GEMM_SIZE]),
      input: { values: data.gemmA.values, dims: [GEMM_SIZE, GEMM_SIZE, 1, 1] },
    },
  };
  cpu.dispose();
  const feeds = Object.fromEntries(
    Object.entries(sessions).map(([row, s]) => [row, { [s.session.inputNames[0]!]: new ort.Tensor('float32', s.input.values, s.input.dims) }]),
  );
  type Row = keyof typeof sessions;
  const isRow = (row: string): row is Row => row in sessions;
  const infer = async (row: Row) => {
    const out = await sessions[row].session.run(feeds[row]!);
    return Object.values(out)[0]!;
  };
  const task = (row: Row): Task => ({
    run: async () => {
      const y = await infer(row);
      return () => y.dispose();
    },
  });
  return {
    name: 'onnxruntime',
    threads,
    threadNote: `${threads} (intraOpNumThreads; inference rows W1, W2 dzdx as ConvTranspose, W4 only)`,
    task: (row) => (isRow(row) ? { ...task(row), ...(row === 'W2 dzdx' ? { route: 'ONNX ConvTranspose (inference op)' } : {}) } : null),
    checksum: async (row) => {
      if (!isRow(row)) return null;
      const y = await infer(row);
      const s = sums(y.data as Float32Array);
      y.dispose();
      return s;
    },
    dispose: async () => {
      for (const s of Object.values(sessions)) await s.session.release();
    },
  };
}
