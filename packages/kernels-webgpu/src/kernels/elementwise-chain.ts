import { isTensor, type KernelName, type Tensor } from '@convnet-ts/tensor';
import type { Program } from '../program.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { BINARY, UNARY } from './elementwise-ops.js';
import { IEEE_DIV, IEEE_EXP, IEEE_LOG, IEEE_SIGN, IEEE_SQRT, IS_NAN, IS_POSITIVE, NAN_MAX_MIN, POW, SPECIAL_VALUES } from './wgsl.js';

/**
 * One element-wise op of a chain: `expr` is WGSL in its operands `$0`, `$1`
 * (values of element i) and its scalars `$p`, `$q`.
 */
export interface ChainStage {
  /** Names the op in the fused program's variant (the same `expr` for the same name). */
  name: string;
  expr: string;
  operands: readonly Tensor[];
  p: number;
  q: number;
  out: Tensor;
}

/** Ops a chain holds at most (a rule of sizes: the trainer's longest SGD chain has 4). */
const MAX_STAGES = 8;

/** Every helper an element-wise op may call, once. */
const CHAIN_HELPERS = SPECIAL_VALUES + IS_NAN + IS_POSITIVE + IEEE_SIGN + IEEE_EXP + IEEE_LOG + IEEE_SQRT + NAN_MAX_MIN + POW + IEEE_DIV;

/**
 * An element-wise op that a following element-wise op of the same size may
 * join, when it reads one of the chain's outputs or operands (Axpby, Unary,
 * same-shape Binary — the trainer's update: g = der/N + λw, v ← μv − g,
 * w ← w + ηv; Adam's m and g² of one g):
 *
 *     s_0 = op_0(in…),  s_1 = op_1(in… | s_0),  …   one thread per element, one dispatch
 *
 * Each stage's value stays in a register for the later ones, and is stored
 * unless its tensor was disposed before the dispatch was encoded (the
 * gradient g of the trainer's update, freed by its scope). Alone, the op
 * runs its own program (`unfused`), unchanged.
 */
export function deferElementwise(
  gpu: WebGPUBackend,
  kernel: KernelName,
  inputs: Readonly<Record<string, unknown>>,
  attrs: Readonly<Record<string, unknown>>,
  out: Tensor,
  unfused: Program,
): void {
  const first = stageOf(kernel, inputs, attrs);
  if (!first) {
    gpu.dispatch(unfused);
    return;
  }
  const stage: ChainStage = { ...first, out };
  const stages: ChainStage[] = [stage];
  const size = stage.out.size;
  gpu.defer({
    program: () => (stages.length === 1 ? unfused : chainProgram(gpu, stages)),
    fuse: (kernel, inputs, attrs) => {
      const next = stageOf(kernel, inputs, attrs);
      if (!next || stages.length >= MAX_STAGES || next.operands.some((t) => t.size !== size)) return undefined;
      const outputs = stages.map((s) => s.out);
      // It must read what the chain computes or reads (the momentum and the squares of one gradient).
      const read = [...outputs, ...stages.flatMap((s) => s.operands)];
      if (!next.operands.some((t) => read.some((o) => gpu.sameElements(t, o)))) return undefined;
      // A view of a chain output that is not that output (another offset or size) cannot be read in the same pass.
      if (next.operands.some((t) => gpu.sharesBuffer(t, outputs) && !outputs.some((o) => gpu.sameElements(t, o)))) return undefined;
      const externals = externalOperands(gpu, [...stages, { ...next, out: stage.out }]);
      if (externals.length + stages.length + 1 > gpu.device.limits.maxStorageBuffersPerShaderStage) return undefined;
      const out = gpu.empty(next.shape);
      // The new output must not share a buffer with anything bound (the backend holds released
      // buffers back while a dispatch is deferred, so this is a guard, not a rule in use).
      if (gpu.sharesBuffer(out, [...externals, ...outputs.filter((o) => gpu.isLive(o))])) {
        out.dispose();
        return undefined;
      }
      stages.push({ ...next, out });
      return out;
    },
  });
}

/** The op of a kernel call as a chain stage (without its output), or undefined when it cannot join a chain. */
function stageOf(
  kernel: KernelName,
  inputs: Readonly<Record<string, unknown>>,
  attrs: Readonly<Record<string, unknown>>,
): (Omit<ChainStage, 'out'> & { shape: readonly number[] }) | undefined {
  const { x, y, a, b } = inputs;
  if (kernel === 'Axpby' && isTensor(x) && isTensor(y) && typeof attrs.alpha === 'number' && typeof attrs.beta === 'number') {
    return { name: 'axpby', expr: AXPBY, operands: [x, y], p: attrs.alpha, q: attrs.beta, shape: x.shape };
  }
  if (kernel === 'Unary' && isTensor(x) && typeof attrs.op === 'string' && typeof attrs.alpha === 'number') {
    const expr = unaryExpr(attrs.op);
    return expr ? { name: attrs.op, expr, operands: [x], p: attrs.alpha, q: 0, shape: x.shape } : undefined;
  }
  if (kernel === 'Binary' && isTensor(a) && isTensor(b) && a.size === b.size && a.rank === b.rank && typeof attrs.op === 'string') {
    const expr = binaryExpr(attrs.op);
    // Same shape only (no broadcasting): the output has a's shape.
    return expr && a.shape.every((d, k) => d === b.shape[k]) ? { name: attrs.op, expr, operands: [a, b], p: 0, q: 0, shape: a.shape } : undefined;
  }
  return undefined;
}

const AXPBY = '$p * $0 + $q * $1';

/** A unary op's WGSL (`v`, scalar `u.alpha`) as a stage template. */
function unaryExpr(op: string): string | undefined {
  const e = (UNARY as Readonly<Record<string, string>>)[op];
  return e?.replace(/\bu\.alpha\b/g, '$p').replace(/\bv\b/g, '$0');
}

/** A binary op's WGSL (`p`, `q`) as a stage template. */
function binaryExpr(op: string): string | undefined {
  const e = (BINARY as Readonly<Record<string, string>>)[op];
  return e?.replace(/\bp\b/g, '$0').replace(/\bq\b/g, '$1');
}

/** Operands read from memory: those that are no stage's output, each once. */
function externalOperands(gpu: WebGPUBackend, stages: readonly ChainStage[]): Tensor[] {
  const externals: Tensor[] = [];
  stages.forEach((s, j) => {
    for (const t of s.operands) {
      const internal = stages.slice(0, j).some((e) => gpu.sameElements(t, e.out));
      if (!internal && !externals.some((e) => gpu.sameElements(t, e))) externals.push(t);
    }
  });
  return externals;
}

/** The fused program of `stages`; outputs disposed before now are not written. */
function chainProgram(gpu: WebGPUBackend, stages: readonly ChainStage[]): Program | undefined {
  const externals = externalOperands(gpu, stages);
  const inputs: Record<string, Tensor> = {};
  externals.forEach((t, e) => {
    inputs[`in${e}`] = t;
  });
  const outputs: Record<string, Tensor> = {};
  const f32: Record<string, number> = {};
  const lines: string[] = [];
  const signature: string[] = [];
  stages.forEach((s, j) => {
    const refs = s.operands.map((t) => {
      const k = stages.slice(0, j).findIndex((e) => gpu.sameElements(t, e.out));
      return k >= 0 ? `s${k}` : `in${externals.findIndex((e) => gpu.sameElements(t, e))}[i]`;
    });
    const expr = s.expr
      .replace(/\$p/g, `u.p${j}`)
      .replace(/\$q/g, `u.q${j}`)
      .replace(/\$(\d)/g, (_, d: string) => `(${refs[Number(d)]})`);
    f32[`p${j}`] = s.p;
    f32[`q${j}`] = s.q;
    lines.push(`  let s${j} = ${expr};`);
    const live = gpu.isLive(s.out);
    if (live) {
      outputs[`o${j}`] = s.out;
      lines.push(`  o${j}[i] = s${j};`);
    }
    signature.push(`${s.name}(${refs.map((r) => r.replace('[i]', '')).join(',')})${live ? '' : '-'}`);
  });
  if (Object.keys(outputs).length === 0) return undefined;
  return {
    kernel: 'ElementwiseChain',
    variant: signature.join('|'),
    inputs,
    outputs,
    f32,
    threads: stages[0]!.out.size,
    helpers: CHAIN_HELPERS,
    body: lines.join('\n'),
  };
}
