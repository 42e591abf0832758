import {
  conv,
  convBackward,
  pool,
  poolBackward,
  relu,
  reluBackward,
  softmaxloss,
  softmaxlossBackward,
} from '@convnet-ts/blocks';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { Tensor } from '@convnet-ts/tensor';
import { alexnetStep } from './convnet-alexnet.js';
import { type Engine, sums, type Task } from './engine.js';
import { type BenchData, CONV, GEMM_SIZE, LENET, LENET_RATE } from './workloads.js';

const POOL = { method: 'max', stride: 2 } as const;

/**
 * convnet-ts on its CPU backend (float32), through the public blocks. The
 * kernel contract has no matrix product of its own, so W4 is a 1×1
 * convolution of a 1024×1×1×1024 input with 1×1×1024×1024 filters, which the
 * CPU backend runs as exactly one 1024³ SGEMM. `threads` goes to
 * createCpuBackend's `threads` (the GEMM's worker threads). W5 is
 * `alexnetStep` (SimpleNN).
 */
export function convnetEngine(data: BenchData, threads = 1): Engine {
  const be = createCpuBackend({ dtype: 'float32', threads });
  const t = (h: { values: Float32Array; shape: number[] }): Tensor => be.tensor(h.values, h.shape);
  const x = t(data.x);
  const f = t(data.f);
  const dy = t(data.dy);
  const ga = be.tensor(data.gemmA.values, [GEMM_SIZE, 1, 1, GEMM_SIZE]);
  const gb = be.tensor(data.gemmB.values, [1, 1, GEMM_SIZE, GEMM_SIZE]);
  const lx = t(data.lenetX);
  let params = data.lenetParams.map((p) => ({ f: t(p.f), b: t(p.b) }));
  const opts = { pad: CONV.pad };
  const done = (...ts: (Tensor | null)[]) => () => {
    for (const v of ts) v?.dispose();
  };

  /**
   * One SGD step: forward, backward through every block, then w ← w − rate·dw
   * with Axpby. Every intermediate is disposed as soon as it is used (as
   * PyTorch's autograd frees its saved tensors), the old weights after the
   * update.
   */
  const sgdStep = async () => {
    const inputs: Tensor[] = [];
    const pre: Tensor[] = [];
    let h = lx;
    for (const [i, layer] of LENET.entries()) {
      inputs.push(h);
      const y = conv(h, params[i]!.f, params[i]!.b);
      pre.push(y);
      h = layer.after === 'pool' ? pool(y, 2, POOL) : layer.after === 'relu' ? relu(y) : y;
    }
    const loss = softmaxloss(h, data.lenetLabels);
    let d = softmaxlossBackward(h, data.lenetLabels, 1);
    if (h !== pre[pre.length - 1]) h.dispose();
    const next = [];
    for (let i = LENET.length - 1; i >= 0; i--) {
      const layer = LENET[i]!;
      const y = pre[i]!;
      if (layer.after !== null) {
        const dy = layer.after === 'pool' ? poolBackward(y, 2, d, POOL) : reluBackward(y, d);
        d.dispose();
        d = dy;
      }
      const g = convBackward(inputs[i]!, params[i]!.f, params[i]!.b, d, { noDerData: i === 0 });
      d.dispose();
      y.dispose();
      if (i > 0) inputs[i]!.dispose();
      const p = params[i]!;
      next[i] = {
        f: be.run('Axpby', { x: p.f, y: g.dzdf! }, { alpha: 1, beta: -LENET_RATE }),
        b: be.run('Axpby', { x: p.b, y: g.dzdb! }, { alpha: 1, beta: -LENET_RATE }),
      };
      g.dzdf?.dispose();
      g.dzdb?.dispose();
      p.f.dispose();
      p.b.dispose();
      if (g.dzdx) d = g.dzdx;
    }
    await loss.data();
    loss.dispose();
    params = next;
    return () => {};
  };

  const tasks: Record<string, Task> = {
    W1: { run: async () => done(conv(x, f, null, opts)) },
    'W2 dzdx': { run: async () => done(convBackward(x, f, null, dy, { ...opts, noDerFilters: true }).dzdx) },
    'W2 dzdf': { run: async () => done(convBackward(x, f, null, dy, { ...opts, noDerData: true }).dzdf) },
    W3: { run: sgdStep },
    W4: { run: async () => done(conv(ga, gb, null)) },
  };
  const alexnet = data.alexnet ? alexnetStep(be, data.alexnet) : null;
  if (alexnet) {
    tasks.W5 = {
      run: async () => {
        await alexnet.step();
        return () => {};
      },
    };
  }
  const outputs: Record<string, () => Tensor> = {
    W1: () => conv(x, f, null, opts),
    'W2 dzdx': () => convBackward(x, f, null, dy, { ...opts, noDerFilters: true }).dzdx!,
    'W2 dzdf': () => convBackward(x, f, null, dy, { ...opts, noDerData: true }).dzdf!,
    W4: () => conv(ga, gb, null),
  };
  return {
    name: 'convnet-ts',
    threads,
    threadNote: be.threads === 1 ? '1 (no workers)' : `${be.threads} (GEMM, convolutions, pooling, bias sums, batch norm and large element-wise maps on ${be.threads} threads; softmax, losses and LRN on the calling thread)`,
    task: (row) => tasks[row] ?? null,
    checksum: async (row) => {
      const make = outputs[row];
      if (!make) return null;
      const y = make();
      const s = sums(await y.data());
      y.dispose();
      return s;
    },
    dispose: () => {
      alexnet?.dispose();
      be.dispose();
    },
  };
}
