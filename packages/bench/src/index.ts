export { type BenchArgs, defaultThreads, ENGINE_NAMES, type EngineName, parseArgs, WORKLOADS, type Workload } from './args.js';
export type { Engine, Run, Task } from './engine.js';
export { type Contender, type MeasureOptions, type Measurement, measure, measureInterleaved, median, type Outcome } from './measure.js';
export { measurePeaks, type Peak, wasmSimdPeak } from './peak.js';
export { type BenchReport, machine, runBench } from './run.js';
export { type Cell, formatTable } from './table.js';
export { installWasmBestRoute } from './tfjs-wasm-best-route.js';
export { type BenchData, CONV_FLOPS, FLOPS, makeData } from './workloads.js';
