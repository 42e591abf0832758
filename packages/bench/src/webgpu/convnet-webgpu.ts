import { conv, convBackward, dropout, dropoutBackward, pool, poolBackward, relu, reluBackward, softmaxloss, softmaxlossBackward } from '@convnet-ts/blocks';
import type { WebGPUBackend } from '@convnet-ts/kernels-webgpu';
import { type Backend, Rng, scope, type Tensor } from '@convnet-ts/tensor';
import type { HostTensor } from '../workloads.js';
import type { WebgpuData } from './data.js';
import type { GpuEngine, GpuResult } from './gpu-engine.js';
import type { ChainData, ChainNet } from './nets.js';

/** The adapter of a Dawn device in words: `vendor architecture (device) description`, from `GPUAdapterInfo`. */
export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== undefined && s !== '');
  return parts.length > 0 ? parts.join(' / ') : 'unknown adapter';
}

/**
 * One SGD step of a chain network through the public blocks on `be`: forward, softmaxloss (summed over
 * the batch), backward through every block (no dz/dx for the first layer), then w ← w − rate·dz/dw with
 * Axpby. Returns the step (which replaces the parameters and returns the loss). Any backend.
 */
export function chainStep(be: Backend, net: ChainNet, data: ChainData): () => Tensor {
  const t = (h: HostTensor): Tensor => be.tensor(h.values, h.shape);
  const x = t(data.x);
  let params = data.params.map((p) => ({ f: t(p.f), b: t(p.b) }));
  const rng = new Rng(7);
  return () => {
    const { loss, next } = scope(() => {
      const inputs: Tensor[] = [];
      const masks: (Tensor | null)[] = [];
      let h = x;
      let c = 0;
      const convAt: number[] = [];
      for (const l of net.layers) {
        inputs.push(h);
        masks.push(null);
        if (l.kind === 'conv') {
          convAt.push(c);
          const p = params[c++]!;
          h = conv(h, p.f, p.b, { pad: l.pad ?? 0, stride: l.stride ?? 1 });
        } else {
          convAt.push(-1);
          if (l.kind === 'relu') h = relu(h);
          else if (l.kind === 'pool') h = pool(h, l.size, { method: 'max', stride: l.stride });
          else {
            const d = dropout(h, { rate: l.rate, rng });
            masks[masks.length - 1] = d.mask;
            h = d.y;
          }
        }
      }
      const loss = softmaxloss(h, data.labels);
      let d = softmaxlossBackward(h, data.labels, 1);
      const next = [...params];
      for (let i = net.layers.length - 1; i >= 0; i--) {
        const l = net.layers[i]!;
        const input = inputs[i]!;
        if (l.kind === 'relu') d = reluBackward(input, d);
        else if (l.kind === 'pool') d = poolBackward(input, l.size, d, { method: 'max', stride: l.stride });
        else if (l.kind === 'dropout') d = dropoutBackward(input, d, { mask: masks[i] ?? null });
        else {
          const j = convAt[i]!;
          const p = params[j]!;
          const g = convBackward(input, p.f, p.b, d, { pad: l.pad ?? 0, stride: l.stride ?? 1, noDerData: i === 0 });
          next[j] = {
            f: be.run('Axpby', { x: p.f, y: g.dzdf! }, { alpha: 1, beta: -net.rate }),
            b: be.run('Axpby', { x: p.b, y: g.dzdb! }, { alpha: 1, beta: -net.rate }),
          };
          if (g.dzdx) d = g.dzdx;
        }
      }
      return { loss, next };
    });
    for (const p of params) {
      p.f.dispose();
      p.b.dispose();
    }
    params = next;
    return loss;
  };
}

/**
 * convnet-ts on its WebGPU backend through the public blocks. W4 is a 1×1 convolution of an
 * M×1×1×K input with 1×1×K×N filters (the kernel contract has no matrix product of its own).
 * Counts are the backend's `stats()` (dispatches encoded, queue submissions).
 */
export function convnetWebgpuEngine(be: WebGPUBackend, data: WebgpuData): GpuEngine {
  const t = (h: HostTensor, shape = h.shape): Tensor => be.tensor(h.values, shape);
  const x = t(data.conv.x);
  const f = t(data.conv.f);
  const dy = t(data.conv.dy);
  const [m = 0, kk = 0] = data.gemm.a.shape;
  const n = data.gemm.b.shape[1] ?? 0;
  const ga = t(data.gemm.a, [m, 1, 1, kk]);
  const gb = t(data.gemm.b, [1, 1, kk, n]);
  const opts = { pad: data.conv.pad };
  const result = (y: Tensor): GpuResult => ({ read: () => y.data() as Promise<Float32Array>, release: () => y.dispose() });
  const steps: Record<string, () => Tensor> = {};
  const ops: Record<string, () => GpuResult> = {
    W1: () => result(conv(x, f, null, opts)),
    'W2 dzdx': () => result(convBackward(x, f, null, dy, { ...opts, noDerFilters: true }).dzdx!),
    'W2 dzdf': () => result(convBackward(x, f, null, dy, { ...opts, noDerData: true }).dzdf!),
    W4: () => result(conv(ga, gb, null)),
  };
  for (const [row, { net, data: d }] of Object.entries(data.nets)) {
    // Built on first use: AlexNet's parameters are 0.24 GB.
    ops[row] = () => {
      steps[row] ??= chainStep(be, net, d);
      return result(steps[row]());
    };
  }
  const info = (be.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return {
    name: 'convnet-ts',
    adapter: describeAdapter(info),
    op: (row) => ops[row] ?? null,
    settle: async () => {
      be.flush();
      await be.device.queue.onSubmittedWorkDone();
    },
    resetCounts: () => be.resetStats(),
    counts: () => {
      const { dispatches, submissions } = be.stats();
      return { dispatches, submissions };
    },
    countsSource: "convnet-ts's stats()",
    dispose: () => be.dispose(),
  };
}
