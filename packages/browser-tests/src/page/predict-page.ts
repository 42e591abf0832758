/**
 * The browser side of the predict test (bundled by esbuild, loaded by
 * headless Chromium): fetches MatConvNet fixture models and a PNG, decodes the
 * PNG with the browser (createImageBitmap, and its ImageData from an
 * OffscreenCanvas), and runs loadModel → preprocess → predict on the CPU
 * backend and on WebGPU. Leaves a `PredictReport` in `window.__result`.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createWebGPUBackend } from '@convnet-ts/kernels-webgpu';
import { loadModel, predict, preprocess } from '@convnet-ts/predict';
import type { Backend } from '@convnet-ts/tensor';
import { PREDICT_IMAGE, PREDICT_MODELS, type PredictReport, type PredictRun } from '../predict-report.js';

const page = window as unknown as { __result?: PredictReport };

async function bytesOf(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`predict page: ${path} expected, got HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function runs(backend: Backend, bitmap: ImageBitmap, imageData: ImageData): Promise<PredictRun[]> {
  const out: PredictRun[] = [];
  for (const model of PREDICT_MODELS) {
    const { net } = loadModel(await bytesOf(`/${model}`), backend);
    for (const [source, image] of [['ImageBitmap', bitmap], ['ImageData', imageData]] as const) {
      const before = backend.memory().tensors;
      const x = preprocess(image, net.meta.normalization, backend);
      const r = await predict(net, x, { topK: 3 });
      x.dispose();
      out.push({ model, source, backend: backend.name, probabilities: Array.from(r.probabilities[0]!), top: r.top[0]!.map((t) => t.index), leaked: backend.memory().tensors - before });
    }
  }
  return out;
}

async function report(): Promise<PredictReport> {
  const bitmap = await createImageBitmap(new Blob([await bytesOf(`/${PREDICT_IMAGE}`)], { type: 'image/png' }));
  const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
  if (!ctx) return { ok: false, error: 'predict page: an OffscreenCanvas 2d context expected, got none' };
  ctx.drawImage(bitmap, 0, 0);
  const imageData = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const cpu = createCpuBackend();
  const onCpu = await runs(cpu, bitmap, imageData);
  cpu.dispose();
  if (!('gpu' in navigator) || !navigator.gpu) return { ok: false, error: 'predict page: navigator.gpu expected, got undefined (is Chromium started with --enable-unsafe-webgpu?)' };
  const gpu = await createWebGPUBackend();
  const onGpu = await runs(gpu, bitmap, imageData);
  gpu.dispose();
  return { ok: true, runs: [...onCpu, ...onGpu] };
}

report().then(
  (r) => {
    page.__result = r;
  },
  (err: unknown) => {
    page.__result = { ok: false, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) };
  },
);
