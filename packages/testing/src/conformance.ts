import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, KERNEL_NAMES, type KernelName, sizeOf } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { type HostInputs, type HostTensor, hostRandn, maxRelDiff, runOnHost } from './compare.js';
import { fixtureCases, runFixture } from './fixture-cases.js';
import { derivativeCases, kernelCases } from './kernel-cases.js';
import { maxSpecialDiff, specialValueCases } from './special-cases.js';

export interface ConformanceTarget {
  /** Shown in test names: `cpu float32`, `webgpu (swiftshader)`, … */
  name: string;
  /** Makes (or returns) the backend under test. */
  create: () => Backend | Promise<Backend>;
  /**
   * Largest accepted |a − b| / (1 + |b|) against the float64 CPU reference.
   * float32 backends: 1e-4 (the default); float64: 1e-10.
   */
  tolerance?: number;
  /** Relative tolerance of the numerical derivative checks (default 1e-5 for float64, 3e-2 for float32). */
  derivativeTolerance?: number;
}

/** The reference every backend is compared with: the CPU backend in float64. */
const reference = createCpuBackend({ dtype: 'float64' });

/**
 * The backend conformance suite, written once and run on every backend:
 * every kernel of the contract on several configurations against the float64
 * CPU reference, and every backward kernel against central differences of its
 * forward kernel computed on the backend itself. A kernel that no case covers
 * fails the suite.
 */
export function describeConformance(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    let backend: Backend;
    const covered = new Set<KernelName>();
    const getBackend = async (): Promise<Backend> => {
      backend ??= await target.create();
      return backend;
    };

    for (const c of kernelCases) {
      it(`${c.name} matches the float64 reference`, async () => {
        const be = await getBackend();
        const tol = target.tolerance ?? (be.dtype === 'float64' ? 1e-10 : 1e-4);
        const expected = await runOnHost(reference, c.kernel, c.inputs, c.attrs);
        const actual = await runOnHost(be, c.kernel, c.inputs, c.attrs);
        covered.add(c.kernel);
        expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
        for (const [key, e] of Object.entries(expected)) {
          const a = actual[key];
          if (e === null) {
            expect(a, `${c.name}: output ${key}`).toBeNull();
            continue;
          }
          expect(a, `${c.name}: output ${key}`).not.toBeNull();
          expect(a!.shape, `${c.name}: shape of ${key}`).toEqual(e.shape);
          const d = maxRelDiff(a!.values, e.values);
          expect(d, `${c.name}: output ${key} differs from the reference by ${d}`).toBeLessThanOrEqual(tol);
        }
      });
    }

    for (const c of specialValueCases) {
      it(`${c.name} matches the float64 reference (NaN for NaN, the same infinities)`, async () => {
        const be = await getBackend();
        const tol = target.tolerance ?? (be.dtype === 'float64' ? 1e-10 : 1e-4);
        const expected = await runOnHost(reference, c.kernel, c.inputs, c.attrs);
        const actual = await runOnHost(be, c.kernel, c.inputs, c.attrs);
        covered.add(c.kernel);
        for (const [key, e] of Object.entries(expected)) {
          const a = actual[key];
          if (e === null) {
            expect(a, `${c.name}: output ${key}`).toBeNull();
            continue;
          }
          // A float32 backend is held to the float64 answer as float32 stores it (1e60 is ∞, 1e-80 is 0).
          const ref = be.dtype === 'float32' ? Array.from(e.values, Math.fround) : Array.from(e.values);
          const d = maxSpecialDiff(a!.values, ref);
          expect(d, `${c.name}: output ${key} is [${Array.from(a!.values)}], the reference [${ref}]`).toBeLessThanOrEqual(tol);
        }
      });
    }

    for (const c of derivativeCases) {
      it(`${c.name}: backward matches numerical derivatives`, async () => {
        const be = await getBackend();
        const is64 = be.dtype === 'float64';
        const delta = is64 ? 1e-6 : 1e-2;
        const tol = target.derivativeTolerance ?? (is64 ? 1e-5 : 3e-2);
        const dy = hostRandn(c.yShape, 77);
        const back = await runOnHost(be, c.backward.kernel, c.backward.inputs(dy), c.backward.attrs as never);
        const analytic = back[c.backward.output ?? 'out']!.values;
        const wrt = c.forward.inputs[c.wrt] as HostTensor;
        const numerical = new Float64Array(sizeOf(wrt.shape));
        const probe = Float64Array.from(wrt.values);
        const evaluate = async (): Promise<number> => {
          const inputs: HostInputs = { ...c.forward.inputs, [c.wrt]: { shape: wrt.shape, values: probe } };
          const out = await runOnHost(be, c.forward.kernel, inputs, c.forward.attrs as never);
          const y = out[c.forward.output ?? 'out']!.values;
          let s = 0;
          for (let j = 0; j < y.length; j++) s += y[j]! * dy.values[j]!;
          return s;
        };
        for (let i = 0; i < probe.length; i++) {
          const v = wrt.values[i]!;
          probe[i] = v + delta;
          const plus = await evaluate();
          probe[i] = v - delta;
          const minus = await evaluate();
          probe[i] = v;
          numerical[i] = (plus - minus) / (2 * delta);
        }
        covered.add(c.backward.kernel);
        let scale = 1e-12;
        for (let i = 0; i < numerical.length; i++) scale = Math.max(scale, Math.abs(numerical[i]!), Math.abs(analytic[i]!));
        let worst = 0;
        for (let i = 0; i < numerical.length; i++) worst = Math.max(worst, Math.abs(numerical[i]! - analytic[i]!) / scale);
        expect(worst, `${c.name}: relative error of the derivative`).toBeLessThanOrEqual(tol);
      });
    }

    fixtureCases.forEach((c, i) => {
      it(`fixture ${i + 1}: ${c.block} ${JSON.stringify(c.opts ?? c.param ?? c.size ?? '')} matches the independent reference`, async () => {
        const be = await getBackend();
        const tol = target.tolerance ?? (be.dtype === 'float64' ? 1e-9 : 1e-4);
        for (const [key, { expected, actual }] of Object.entries(runFixture(be, c))) {
          expect(actual, `${key} was not returned`).not.toBeNull();
          const values = typeof actual === 'number' ? [actual] : Array.from(await actual!.data());
          const d = maxRelDiff(values, expected);
          expect(d, `${c.block} ${key}: differs from the fixture by ${d}`).toBeLessThanOrEqual(tol);
        }
      });
    });

    it('covers every kernel of the contract', () => {
      const missing = KERNEL_NAMES.filter((k) => !covered.has(k));
      expect(missing, 'kernels no conformance case ran').toEqual([]);
    });
  });
}
