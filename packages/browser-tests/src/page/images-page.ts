/**
 * The browser side of the images test: decodes a PNG from a URL, a JPEG
 * from a Blob and a PNG from a File in two Web Workers with
 * `@convnet-ts/images/browser` (the worker's bundle arrives as
 * `IMAGES_WORKER_SOURCE`, prepended by the test, and runs from a Blob URL),
 * with seeded crops, flips and jitter, and leaves the packed batch and a
 * missing-URL error in `window.__result`.
 */
import { createImageReader } from '@convnet-ts/images/browser';
import { IMAGES_OPTIONS, type ImagesReport } from '../images-report.js';

declare const IMAGES_WORKER_SOURCE: string;
const page = window as unknown as { __result?: ImagesReport };

async function report(): Promise<ImagesReport> {
  const workerUrl = URL.createObjectURL(new Blob([IMAGES_WORKER_SOURCE], { type: 'text/javascript' }));
  const reader = createImageReader({ numThreads: 2, workerUrl });
  try {
    const jpeg = await (await fetch('/b.jpg')).blob();
    const png = new File([await (await fetch('/a.png')).arrayBuffer()], 'dropped.png', { type: 'image/png' });
    const r = await reader.read(['/a.png', jpeg, png], IMAGES_OPTIONS);
    const missing = await reader.read(['/none.png'], { onError: 'skip' });
    return { ok: true, shape: r.shape, data: Array.from(r.data), skipped: missing.skipped.map((s) => `${s.reason}: ${s.message}`) };
  } finally {
    reader.close();
  }
}

report().then(
  (r) => {
    page.__result = r;
  },
  (e: unknown) => {
    page.__result = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  },
);
