/**
 * The browser side of the WebGPU CSP test (bundled by esbuild; served with
 * the strict policy): checks that the policy refuses code from strings, then
 * runs the smoke chain on WebGPU and on the CPU backend in this page and
 * compares them. Leaves `{ ok, evalError, errors, adapter }` in `window.__result`.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createWebGPUBackend } from '@convnet-ts/kernels-webgpu';
import { compareValues, type FieldError } from '../compare-values.js';
import { chainCase, runChain } from '../smoke-chain.js';

export type WebGpuCspReport = { ok: true; evalError: string | null; adapter: string; errors: FieldError[] } | { ok: false; error: string };

const page = window as unknown as { __result?: WebGpuCspReport };
const message = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

async function report(): Promise<WebGpuCspReport> {
  let evalError: string | null = null;
  try {
    new Function('return 1')();
  } catch (err) {
    evalError = message(err);
  }
  if (!navigator.gpu) return { ok: false, error: 'webgpu csp page: navigator.gpu expected, got undefined' };
  const info = (await navigator.gpu.requestAdapter())?.info;
  const adapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') : 'none';
  const c = chainCase(23);
  const gpu = await createWebGPUBackend();
  const onGpu = await runChain(gpu, c);
  gpu.dispose();
  const onCpu = await runChain(createCpuBackend(), c);
  return { ok: true, evalError, adapter, errors: compareValues(onGpu, onCpu) };
}

report().then(
  (r) => {
    page.__result = r;
  },
  (err: unknown) => {
    page.__result = { ok: false, error: `webgpu csp page: ${message(err)}` };
  },
);
