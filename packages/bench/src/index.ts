export { type BenchArgs, parseArgs, WORKLOADS, type Workload } from './args.js';
export type { Engine, Run, Task } from './engine.js';
export { type Contender, type MeasureOptions, type Measurement, measure, measureInterleaved, median, type Outcome } from './measure.js';
export { ENGINES, type EngineName, machine, runBench } from './run.js';
export { type Cell, formatTable } from './table.js';
export { type BenchData, CONV_FLOPS, FLOPS, makeData } from './workloads.js';
