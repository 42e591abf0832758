/**
 * The browser side of the smoke test (bundled by esbuild, loaded by
 * headless Chromium): runs the chain on WebGPU (`navigator.gpu`) and on the
 * CPU backend in this page, compares them, and leaves a `SmokeReport` in
 * `window.__result`. Every failure — no `navigator.gpu`, no adapter, a
 * kernel error, a mismatch — becomes `{ ok: false, error }`, never a hang.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createWebGPUBackend } from '@convnet-ts/kernels-webgpu';
import { compareValues, describeFailures } from '../compare-values.js';
import { chainCase, runChain } from '../smoke-chain.js';
import { SMOKE_TOLERANCE, type SmokeReport } from '../smoke-report.js';

declare global {
  interface Window {
    __result?: SmokeReport;
  }
}

async function smoke(): Promise<SmokeReport> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { ok: false, error: 'smoke page: navigator.gpu expected, got undefined (is Chromium started with --enable-unsafe-webgpu?)' };
  }
  const info = (await navigator.gpu.requestAdapter())?.info;
  const adapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') : 'none';
  const c = chainCase(7);
  const t0 = performance.now();
  const gpu = await createWebGPUBackend();
  const onGpu = await runChain(gpu, c);
  const t1 = performance.now();
  const onCpu = await runChain(createCpuBackend(), c);
  const t2 = performance.now();
  gpu.dispose();
  const errors = compareValues(onGpu, onCpu);
  const failures = describeFailures(errors, SMOKE_TOLERANCE);
  if (failures) return { ok: false, error: `smoke page: WebGPU values expected within ${SMOKE_TOLERANCE} of the CPU's, got ${failures}` };
  return {
    ok: true,
    userAgent: navigator.userAgent,
    adapter,
    errors,
    tolerance: SMOKE_TOLERANCE,
    loss: { webgpu: onGpu.loss[0] ?? Number.NaN, cpu: onCpu.loss[0] ?? Number.NaN },
    ms: { webgpu: t1 - t0, cpu: t2 - t1 },
  };
}

smoke().then(
  (report) => {
    window.__result = report;
  },
  (err: unknown) => {
    window.__result = { ok: false, error: `smoke page: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
  },
);
