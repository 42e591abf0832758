/**
 * The backend conformance suite (packages/testing/src/conformance.ts) without
 * vitest: conformance.ts imports vitest (describe/it/expect), so its loop is
 * replicated here — the same cases (kernel-cases.ts, fixture-cases.ts with
 * fixtures/blocks.json), the same compare helpers (compare.ts, reused as is),
 * the same tolerances:
 *   kernel cases     maxRelDiff vs the float64 CPU reference ≤ 1e-4 (float32) / 1e-10 (float64)
 *   derivative cases central differences (delta 1e-2 / 1e-6) ≤ 3e-2 / 1e-5 relative to the max magnitude
 *   fixture cases    maxRelDiff vs the stored vectors ≤ 1e-4 / 1e-9
 *   coverage         every kernel of KERNEL_NAMES ran in some case
 *
 *   node gpu-conformance.mjs [--targets webgpu,cpu32,cpu64] [--verbose]
 *
 * Prints the adapter, one line per failing case (with its max error), a summary
 * per target and `N cases, P passed, F failed` over all; exit code 1 if any failed.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createNodeWebGPUBackend } from '@convnet-ts/kernels-webgpu/node';
import { type Backend, KERNEL_NAMES, type KernelName, sizeOf } from '@convnet-ts/tensor';
import { type HostInputs, type HostTensor, hostRandn, maxRelDiff, runOnHost } from '@convnet-ts/testing/compare';
import { fixtureCases, runFixture } from '@convnet-ts/testing/fixture-cases';
import { derivativeCases, kernelCases } from '@convnet-ts/testing/kernel-cases';

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const ti = argv.indexOf('--targets');
const targets = (ti >= 0 ? argv[ti + 1]! : 'webgpu,cpu32,cpu64').split(',');

const reference = createCpuBackend({ dtype: 'float64' });

/** Outcome of one case: ok, and the worst error seen with its limit (or a message). */
interface Outcome {
  ok: boolean;
  detail: string;
}

async function kernelCase(be: Backend, c: (typeof kernelCases)[number], covered: Set<KernelName>): Promise<Outcome> {
  const tol = be.dtype === 'float64' ? 1e-10 : 1e-4;
  const expected = await runOnHost(reference, c.kernel, c.inputs, c.attrs);
  const actual = await runOnHost(be, c.kernel, c.inputs, c.attrs);
  covered.add(c.kernel);
  const ek = Object.keys(expected).sort().join(',');
  const ak = Object.keys(actual).sort().join(',');
  if (ek !== ak) return { ok: false, detail: `outputs {${ak}} expected {${ek}}` };
  let worst = 0;
  const bad: string[] = [];
  for (const [key, e] of Object.entries(expected)) {
    const a = actual[key];
    if (e === null) {
      if (a !== null) bad.push(`${key}: expected null`);
      continue;
    }
    if (!a) {
      bad.push(`${key}: null, expected a tensor`);
      continue;
    }
    if (a.shape.join('x') !== e.shape.join('x')) {
      bad.push(`${key}: shape ${a.shape.join('x')} expected ${e.shape.join('x')}`);
      continue;
    }
    const d = maxRelDiff(a.values, e.values);
    worst = Math.max(worst, d);
    if (!(d <= tol)) bad.push(`${key}: max rel err ${d.toExponential(3)} > ${tol}`);
  }
  return { ok: bad.length === 0, detail: bad.length ? bad.join('; ') : `max rel err ${worst.toExponential(3)} (tol ${tol})` };
}

async function derivativeCase(be: Backend, c: (typeof derivativeCases)[number], covered: Set<KernelName>): Promise<Outcome> {
  const is64 = be.dtype === 'float64';
  const delta = is64 ? 1e-6 : 1e-2;
  const tol = is64 ? 1e-5 : 3e-2;
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
  if (numerical.length !== analytic.length) worst = Number.POSITIVE_INFINITY;
  return { ok: worst <= tol, detail: `rel err of the derivative ${worst.toExponential(3)} (tol ${tol})` };
}

async function fixtureCase(be: Backend, c: (typeof fixtureCases)[number]): Promise<Outcome> {
  const tol = be.dtype === 'float64' ? 1e-9 : 1e-4;
  let worst = 0;
  const bad: string[] = [];
  for (const [key, { expected, actual }] of Object.entries(runFixture(be, c))) {
    if (actual === null) {
      bad.push(`${key} was not returned`);
      continue;
    }
    const values = typeof actual === 'number' ? [actual] : Array.from(await actual.data());
    const d = maxRelDiff(values, expected);
    worst = Math.max(worst, d);
    if (!(d <= tol)) bad.push(`${key}: max rel err ${d.toExponential(3)} > ${tol}`);
  }
  return { ok: bad.length === 0, detail: bad.length ? bad.join('; ') : `max rel err ${worst.toExponential(3)} (tol ${tol})` };
}

async function runTarget(name: string, create: () => Promise<Backend>): Promise<{ n: number; passed: number }> {
  const t0 = performance.now();
  let be: Backend | undefined;
  let createError: unknown;
  try {
    be = await create();
  } catch (e) {
    createError = e;
    console.log(`FAIL [${name}] backend not created, every case fails: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const covered = new Set<KernelName>();
  let n = 0;
  let passed = 0;
  const one = async (label: string, f: (b: Backend) => Promise<Outcome>): Promise<void> => {
    n++;
    const s = performance.now();
    let out: Outcome;
    try {
      if (!be) throw createError;
      out = await f(be);
    } catch (e) {
      out = { ok: false, detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
    }
    const ms = (performance.now() - s).toFixed(0);
    if (out.ok) passed++;
    if (!out.ok && be) console.log(`FAIL [${name}] ${label}: ${out.detail} (${ms} ms)`);
    else if (verbose) console.log(`ok   [${name}] ${label}: ${out.detail} (${ms} ms)`);
  };
  for (const c of kernelCases) await one(`${c.name} matches the float64 reference`, (b) => kernelCase(b, c, covered));
  for (const c of derivativeCases) await one(`${c.name}: backward matches numerical derivatives`, (b) => derivativeCase(b, c, covered));
  for (const [i, c] of fixtureCases.entries()) {
    await one(`fixture ${i + 1}: ${c.block} ${JSON.stringify(c.opts ?? c.param ?? c.size ?? '')}`, (b) => fixtureCase(b, c));
  }
  await one('covers every kernel of the contract', async () => {
    const missing = KERNEL_NAMES.filter((k) => !covered.has(k));
    return { ok: missing.length === 0, detail: missing.length ? `kernels no case ran: ${missing.join(', ')}` : 'all covered' };
  });
  be?.dispose();
  console.log(`[${name}] ${n} cases, ${passed} passed, ${n - passed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { n, passed };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'}; VK_DRIVER_FILES=${process.env.VK_DRIVER_FILES ?? 'unset'}`);
  let total = 0;
  let passed = 0;
  for (const target of targets) {
    let r: { n: number; passed: number };
    if (target === 'webgpu') {
      r = await runTarget('webgpu', async () => {
        const be = await createNodeWebGPUBackend();
        const device = be.device;
        const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
        console.log(
          `adapter: vendor=${info?.vendor || '?'} architecture=${info?.architecture || '?'} device=${info?.device || '?'} description=${info?.description || '?'}`,
        );
        console.log(
          `limits: maxStorageBufferBindingSize=${device.limits.maxStorageBufferBindingSize} maxBufferSize=${device.limits.maxBufferSize} maxComputeInvocationsPerWorkgroup=${device.limits.maxComputeInvocationsPerWorkgroup}`,
        );
        return be;
      });
    } else if (target === 'cpu32') r = await runTarget('cpu float32', async () => createCpuBackend({ dtype: 'float32' }));
    else if (target === 'cpu64') r = await runTarget('cpu float64', async () => createCpuBackend({ dtype: 'float64' }));
    else throw new Error(`unknown target ${target} (webgpu, cpu32, cpu64)`);
    total += r.n;
    passed += r.passed;
  }
  console.log(`${total} cases, ${passed} passed, ${total - passed} failed`);
  process.exitCode = passed === total ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
