import * as B from '@convnet-ts/blocks';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, isConvnetError, Rng, type Shape, sizeOf, type Tensor } from '@convnet-ts/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxRelDiff } from '../compare.js';
import { lazyBackend, type ReliabilityTarget } from '../reliability/target.js';
import { fuzzParameters } from './settings.js';

/**
 * Property-based tests of the blocks (issue 13, "a fuzz suite in CI"), run on
 * a backend under test against the float64 CPU backend:
 *
 * - random valid shapes and options give the same values (forward, and the
 *   derivatives for conv, convt and pool) within `tolerance` of the float64
 *   answer (`maxRelDiff`: |a − r| / (1 + |r|));
 * - random invalid inputs (one option or shape made wrong) throw a typed
 *   convnet-ts error and leave `memory()` unchanged.
 *
 * Values come from a seeded `Rng` drawn by fast-check, so a failure prints a
 * reproducible counterexample. Shapes stay tiny (WebGPU runs on SwiftShader).
 */
export interface FuzzTarget extends ReliabilityTarget {
  /** Largest `maxRelDiff` from float64 (1e-4 for float32 backends). */
  tolerance: number;
}

type Host = { shape: Shape; values: number[] };
/** A block call on host data: `run(be)` returns the tensors to compare. */
interface Case {
  label: string;
  inputs: Host[];
  run: (be: Backend, t: Tensor[]) => Tensor[];
}

const dims = (max: number) => fc.integer({ min: 1, max });

function host(rng: Rng, shape: Shape, scale = 1): Host {
  return { shape, values: Array.from(rng.randn(sizeOf(shape)), (v) => v * scale) };
}

/** Host values with distinct magnitudes (no ties for max pooling, away from ReLU's kink). */
function distinctHost(rng: Rng, shape: Shape): Host {
  const n = sizeOf(shape);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { shape, values: order.map((k) => (k - n / 2 + 0.5) / n) };
}

const convCase = fc
  .record({
    seed: fc.nat(),
    n: dims(2), h: dims(5), w: dims(5), groups: dims(2), depth: dims(2), perGroup: dims(2),
    hf: dims(3), wf: dims(3), pad: fc.array(fc.nat({ max: 2 }), { minLength: 4, maxLength: 4 }),
    stride: fc.tuple(dims(2), dims(2)), dilate: fc.tuple(dims(2), dims(1)), bias: fc.boolean(),
  })
  .filter((c) => c.h + c.pad[0]! + c.pad[1]! >= (c.hf - 1) * c.dilate[0] + 1 && c.w + c.pad[2]! + c.pad[3]! >= (c.wf - 1) * c.dilate[1] + 1)
  .map((c): Case => {
    const rng = new Rng(c.seed);
    const k = c.groups * c.perGroup;
    const opts = { pad: c.pad, stride: c.stride, dilate: c.dilate };
    const x = host(rng, [c.n, c.h, c.w, c.groups * c.depth]);
    const f = host(rng, [c.hf, c.wf, c.depth, k]);
    const b = host(rng, [k]);
    return {
      label: `conv ${JSON.stringify({ x: x.shape, f: f.shape, ...opts, bias: c.bias })}`,
      inputs: [x, f, b],
      run: (_be, [tx, tf, tb]) => {
        const y = B.conv(tx!, tf!, c.bias ? tb! : null, opts);
        const dy = B.relu(y);
        const d = B.convBackward(tx!, tf!, c.bias ? tb! : null, dy, opts);
        return [y, dy, d.dzdx!, d.dzdf!, ...(d.dzdb ? [d.dzdb] : [])];
      },
    };
  });

const convtCase = fc
  .record({ seed: fc.nat(), n: dims(2), h: dims(3), w: dims(3), groups: dims(2), d: dims(2), k: dims(2), hf: dims(3), wf: dims(3), up: fc.tuple(dims(2), dims(2)), crop: fc.array(fc.nat({ max: 1 }), { minLength: 4, maxLength: 4 }) })
  .filter((c) => c.up[0] * (c.h - 1) + c.hf - c.crop[0]! - c.crop[1]! >= 1 && c.up[1] * (c.w - 1) + c.wf - c.crop[2]! - c.crop[3]! >= 1)
  .map((c): Case => {
    const rng = new Rng(c.seed);
    const d = c.groups * c.d;
    const opts = { upsample: c.up, crop: c.crop, numGroups: c.groups };
    const x = host(rng, [c.n, c.h, c.w, d]);
    const f = host(rng, [c.hf, c.wf, c.k, d]);
    const b = host(rng, [c.k * c.groups]);
    return {
      label: `convt ${JSON.stringify({ x: x.shape, f: f.shape, ...opts })}`,
      inputs: [x, f, b],
      run: (_be, [tx, tf, tb]) => {
        const y = B.convt(tx!, tf!, tb!, opts);
        const d2 = B.convtBackward(tx!, tf!, tb!, y, opts);
        return [y, d2.dzdx!, d2.dzdf!, d2.dzdb!];
      },
    };
  });

const poolCase = fc
  .record({ seed: fc.nat(), n: dims(2), h: dims(5), w: dims(5), c: dims(3), ph: dims(3), pw: dims(3), stride: fc.tuple(dims(2), dims(2)), method: fc.constantFrom('max' as const, 'avg' as const), pad: fc.array(fc.nat({ max: 2 }), { minLength: 4, maxLength: 4 }) })
  .filter((c) => c.pad[0]! < c.ph && c.pad[1]! < c.ph && c.pad[2]! < c.pw && c.pad[3]! < c.pw && c.h + c.pad[0]! + c.pad[1]! >= c.ph && c.w + c.pad[2]! + c.pad[3]! >= c.pw)
  .map((c): Case => {
    const rng = new Rng(c.seed);
    const opts = { method: c.method, pad: c.pad, stride: c.stride };
    const x = distinctHost(rng, [c.n, c.h, c.w, c.c]);
    return {
      label: `pool ${JSON.stringify({ x: x.shape, size: [c.ph, c.pw], ...opts })}`,
      inputs: [x],
      run: (_be, [tx]) => {
        const y = B.pool(tx!, [c.ph, c.pw], opts);
        return [y, B.poolBackward(tx!, [c.ph, c.pw], y, opts)];
      },
    };
  });

const elementCase = fc
  .record({
    seed: fc.nat(), n: dims(2), h: dims(3), w: dims(3), c: dims(6),
    block: fc.constantFrom('relu', 'sigmoid', 'softmax', 'lrn', 'bnorm', 'normalizeLp', 'loss'),
    leak: fc.constantFrom(0, 0.1), lossType: fc.constantFrom(...B.LOSS_TYPES),
    lrnN: dims(5), beta: fc.constantFrom(0.5, 0.75),
  })
  .map((c): Case => {
    const rng = new Rng(c.seed);
    const x = distinctHost(rng, [c.n, c.h, c.w, c.c]);
    const g = host(rng, [c.c]);
    const bb = host(rng, [c.c]);
    const attribute = ['binaryerror', 'binarylog', 'logistic', 'hinge'].includes(c.lossType);
    const probability = c.lossType === 'log';
    const labels = attribute
      ? Array.from({ length: sizeOf(x.shape) }, () => (rng.int(2) === 0 ? -1 : 1))
      : Array.from({ length: c.n * c.h * c.w }, () => 1 + rng.int(c.c));
    const input: Host = probability || c.lossType === 'binarylog' ? { shape: x.shape, values: x.values.map((v) => 0.05 + 0.9 * (v + 0.5)) } : x;
    const what = c.block === 'loss' ? `loss ${c.lossType}` : c.block;
    return {
      label: `${what} ${JSON.stringify({ x: x.shape, leak: c.leak, lrn: [c.lrnN, 1, 0.5, c.beta] })}`,
      inputs: [input, g, bb],
      run: (_be, [tx, tg, tb]) => {
        switch (c.block) {
          case 'relu':
            return [B.relu(tx!, { leak: c.leak }), B.reluBackward(tx!, tx!, { leak: c.leak })];
          case 'sigmoid':
            return [B.sigmoid(tx!), B.sigmoidBackward(tx!, tx!)];
          case 'softmax':
            return [B.softmax(tx!), B.softmaxBackward(tx!, tx!)];
          case 'lrn':
            return [B.lrn(tx!, [c.lrnN, 1, 0.5, c.beta]), B.lrnBackward(tx!, [c.lrnN, 1, 0.5, c.beta], tx!)];
          case 'bnorm': {
            const r = B.bnorm(tx!, tg!, tb!);
            const d = B.bnormBackward(tx!, tg!, tb!, tx!);
            return [r.y, r.moments, d.dzdx!, d.dzdg!, d.dzdb!, d.moments];
          }
          case 'normalizeLp':
            return [B.normalizeLp(tx!), B.normalizeLpBackward(tx!, tx!)];
          default:
            return [B.loss(tx!, labels, { loss: c.lossType }), B.lossBackward(tx!, labels, 1, { loss: c.lossType })];
        }
      },
    };
  });

/** Runs `c` on `be` from host data; returns the outputs' values (all tensors disposed). */
async function evaluate(be: Backend, c: Case): Promise<number[][]> {
  const inputs = c.inputs.map((h) => be.tensor(h.values, h.shape));
  const outputs = c.run(be, inputs);
  try {
    return await Promise.all(outputs.map(async (t) => Array.from(await t.data())));
  } finally {
    for (const t of [...inputs, ...outputs]) t.dispose();
  }
}

/** Invalid calls: each makes one argument wrong; `call` must throw a typed error. */
const invalidCase = fc.record({
  seed: fc.nat(),
  which: fc.nat({ max: 9 }),
  bad: fc.constantFrom<unknown>(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', {}, [1, 2, 3], [-1, 1]),
});

function invalidCall(be: Backend, which: number, bad: unknown, made: Tensor[]): () => unknown {
  const t = (shape: Shape) => {
    const x = be.tensor(new Array<number>(sizeOf(shape)).fill(0.5), shape);
    made.push(x);
    return x;
  };
  const x = t([1, 3, 3, 2]);
  const f = t([2, 2, 2, 2]);
  const never = (v: unknown) => v as never;
  switch (which) {
    case 0: return () => B.conv(x, f, null, { stride: never(bad) });
    case 1: return () => B.conv(x, f, null, { pad: never(bad) });
    case 2: return () => B.conv(x, f, null, { dilate: never(bad) });
    case 3: return () => B.convt(x, f, null, { upsample: never(bad) });
    case 4: return () => B.convt(x, f, null, { numGroups: never(bad) });
    case 5: return () => B.pool(x, never(bad));
    case 6: return () => B.pool(x, 2, { stride: never(bad) });
    case 7: return () => B.crop(x, never(bad));
    case 8: return () => B.loss(x, never(typeof bad === 'number' ? [bad, 1, 1, 1, 1, 1, 1, 1, 1] : bad));
    default: return () => B.lrn(x, never([bad, 1, 0.5, 0.75]));
  }
}

export function describeBlocksFuzz(target: FuzzTarget): void {
  describe(`fuzz blocks: ${target.name} against cpu float64`, () => {
    const getBackend = lazyBackend(target);
    const reference = createCpuBackend({ dtype: 'float64', threads: 1 });

    for (const [name, arbitrary, runs] of [['conv', convCase, 30], ['convt', convtCase, 20], ['pool', poolCase, 30], ['element-wise, normalisation and loss blocks', elementCase, 60]] as const) {
      it(`${name}: random valid shapes and options give the float64 values`, async () => {
        const be = await getBackend();
        const before = be.memory();
        await fc.assert(
          fc.asyncProperty(arbitrary, async (c) => {
            const want = await evaluate(reference, c);
            const got = await evaluate(be, c);
            expect(got.length, c.label).toBe(want.length);
            for (const [i, g] of got.entries()) {
              expect(maxRelDiff(g, want[i]!), `${c.label} output ${i}`).toBeLessThanOrEqual(target.tolerance);
            }
          }),
          fuzzParameters(runs),
        );
        expect(be.memory()).toEqual(before);
      });
    }

    it('random invalid options and labels throw a typed error and leave memory() unchanged', async () => {
      const be = await getBackend();
      const before = be.memory();
      fc.assert(
        fc.property(invalidCase, ({ which, bad }) => {
          const made: Tensor[] = [];
          const call = invalidCall(be, which, bad, made);
          const held = be.memory();
          let error: unknown;
          try {
            call();
          } catch (e) {
            error = e;
          }
          expect(isConvnetError(error), `case ${which} with ${JSON.stringify(bad)}: ${String(error)}`).toBe(true);
          expect(be.memory()).toEqual(held);
          for (const m of made) m.dispose();
        }),
        fuzzParameters(100),
      );
      expect(be.memory()).toEqual(before);
    });
  });
}
