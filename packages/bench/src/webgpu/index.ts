/**
 * The WebGPU rows of the benchmark: convnet-ts's WebGPU backend (`createNodeWebGPUBackend`) against
 * tfjs-backend-webgpu 4.22 in one Node process, each on its own device of the same Dawn adapter.
 * Dawn and TensorFlow.js are imported only when `runWebgpuBench` runs.
 */
import type { GpuEngine } from './gpu-engine.js';
import { type PlanOptions, selectRows, timeRows, type WebgpuCell } from './run-webgpu.js';

export { type NetRow, WEBGPU_ROWS, type WebgpuData, type WebgpuRow, webgpuData } from './data.js';
export type { GpuCounts, GpuEngine, GpuResult } from './gpu-engine.js';
export { alexnet, type ChainLayer, type ChainNet, stepFlops } from './nets.js';
export { knownPeak, type Peak } from './peaks.js';
export { selectRows, type Timing, type WebgpuCell } from './run-webgpu.js';
export { formatWebgpuTable } from './table.js';

export interface WebgpuBenchOptions {
  /** 3 timed repetitions after 1 warm-up (else 7 after 2). */
  quick: boolean;
  /** Workloads: W1, W2 (both derivatives), W3 (= LeNet), W4, AlexNet; all when absent. */
  only?: readonly string[];
  /** Timed repetitions (overrides quick's). */
  repetitions?: number;
  /** Untimed runs after the first, checked one (default: quick 0, else 1). */
  warmup?: number;
  /** Tiny sizes (unit tests on SwiftShader): see `DataOptions.tiny`. */
  tiny?: boolean;
  /** AlexNet's batch; default 128, or 2 on SwiftShader (a CPU Vulkan driver: 128 would take many minutes per step). */
  alexnetBatch?: number;
  /** Engines, in order (the first is the reference of the checks). Default both. */
  engines?: readonly ('convnet-ts' | 'tfjs-webgpu')[];
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Dawn's `GPU` object for tfjs-backend-webgpu (its `navigator.gpu`), made once and kept referenced for the
 * life of the process: Dawn aborts if the garbage collector takes an instance whose device is in use.
 */
let dawn: GPU | undefined;

async function dawnGpu(): Promise<GPU> {
  if (!dawn) {
    const { create, globals } = await import('webgpu');
    // GPUBufferUsage, GPUMapMode, … : tfjs-backend-webgpu uses the globals.
    Object.assign(globalThis, globals);
    dawn = create([]);
  }
  return dawn;
}

/**
 * Runs the WebGPU rows (see `timeRows` for the interleaving) and returns every cell. Each engine gets
 * its own device from Dawn (convnet-ts through `createNodeWebGPUBackend`, tfjs through the same
 * adapter request tfjs-backend-webgpu makes); both are destroyed before returning.
 */
export async function runWebgpuBench(options: WebgpuBenchOptions): Promise<WebgpuCell[]> {
  const log = options.log ?? (() => {});
  const rows = selectRows(options.only);
  const plan: PlanOptions = {
    reps: options.repetitions ?? (options.quick ? 3 : 7),
    warmup: options.warmup ?? (options.quick ? 0 : 1),
  };
  const want = options.engines ?? ['convnet-ts', 'tfjs-webgpu'];
  const gpu = await dawnGpu();
  const [{ createNodeWebGPUBackend }, { convnetWebgpuEngine, describeAdapter }, { webgpuData }] = await Promise.all([
    import('@convnet-ts/kernels-webgpu/node'),
    import('./convnet-webgpu.js'),
    import('./data.js'),
  ]);
  const be = await createNodeWebGPUBackend();
  const adapter = describeAdapter((be.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo);
  const swiftshader = /swiftshader/i.test(adapter);
  const alexnetBatch = options.alexnetBatch ?? (swiftshader ? 2 : 128);
  const data = webgpuData({
    tiny: options.tiny ?? false,
    alexnetBatch,
    ...(alexnetBatch !== 128 ? { alexnetNote: `reduced from 128${options.alexnetBatch === undefined && swiftshader ? ': SwiftShader (a CPU Vulkan driver) is far too slow for 128' : ''}` } : {}),
  });
  log(`adapter: ${adapter}; rows ${rows.join(', ')}; ${plan.warmup} warm-up + ${plan.reps} timed repetitions after a first, checked run`);
  const engines: GpuEngine[] = [];
  let releaseTfjs = (): void => {};
  try {
    for (const name of want) {
      if (name === 'convnet-ts') engines.push(convnetWebgpuEngine(be, data));
      else {
        const { tfjsOnWebgpu, tfjsWebgpuEngine } = await import('./tfjs-webgpu.js');
        const tfjs = await tfjsOnWebgpu(gpu);
        releaseTfjs = tfjs.release;
        engines.push(tfjsWebgpuEngine(tfjs.tf, data));
      }
    }
    return await timeRows(engines, data, rows, plan, log);
  } finally {
    for (const e of engines) e.dispose();
    releaseTfjs();
    be.dispose();
  }
}
