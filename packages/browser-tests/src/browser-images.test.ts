import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createImageReader, setDefaultWorkerUrl } from '@convnet-ts/images/node';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { type Browser, launchChromium } from './chromium.js';
import { IMAGES_OPTIONS, type ImagesReport } from './images-report.js';
import { pageResult } from './page-result.js';
import { type PageServer, servePage } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const imagesSrc = join(here, '..', '..', 'images', 'src');

/** A 16×12 RGB pattern as PNG and JPEG, made with the images package's test helpers. */
async function images(): Promise<{ png: Uint8Array; jpg: Uint8Array }> {
  type Make = {
    pattern(w: number, h: number, c: number): Uint8Array;
    pngBytes(w: number, h: number, c: 3, v: Uint8Array): Uint8Array;
    jpegBytes(w: number, h: number, v: Uint8Array): Uint8Array;
  };
  const { jpegBytes, pattern, pngBytes } = (await import(join(imagesSrc, 'test-images.ts'))) as Make;
  return { png: pngBytes(16, 12, 3, pattern(16, 12, 3)), jpg: jpegBytes(16, 12, pattern(16, 12, 3)) };
}

describe('@convnet-ts/images in headless Chromium (Web Workers, createImageBitmap)', () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;
  let files: { png: Uint8Array; jpg: Uint8Array };

  beforeAll(async () => {
    files = await images();
    const worker = await bundle(join(imagesSrc, 'browser-worker.ts'));
    const script = `const IMAGES_WORKER_SOURCE = ${JSON.stringify(worker)};\n${await bundle(join(here, 'page', 'images-page.ts'))}`;
    server = await servePage(script, 'convnet-ts images', { files: { '/a.png': files.png, '/b.jpg': files.jpg } });
    browser = await launchChromium();
    const nodeWorker = join(here, '..', 'node_modules', '.cache', 'images-node-worker.mjs');
    await build({ entryPoints: [join(imagesSrc, 'node-worker.ts')], outfile: nodeWorker, bundle: true, format: 'esm', platform: 'node', logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    setDefaultWorkerUrl(nodeWorker);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('URL, Blob and File decode in workers to the same tensors as Node (PNG to 1e-3, JPEG within 3 grey levels on average)', async () => {
    if (!browser || !server) throw new Error('images browser test: set-up failed');
    const report = (await pageResult(browser.context, server.url, 60_000)) as ImagesReport;
    if (!report.ok) throw new Error(report.error);
    expect(report.shape).toEqual([3, 6, 8, 3]);
    const reader = await createImageReader({ decoder: 'js' });
    try {
      const node = await reader.read([files.png, files.jpg, files.png], IMAGES_OPTIONS);
      const n = 6 * 8 * 3;
      for (const k of [0, 2]) {
        const worst = Math.max(...report.data.slice(k * n, (k + 1) * n).map((v, i) => Math.abs(v - node.data[k * n + i]!)));
        expect(worst).toBeLessThan(1e-3);
      }
      const jpegDiff = report.data.slice(n, 2 * n).reduce((a, v, i) => a + Math.abs(v - node.data[n + i]!), 0) / n;
      expect(jpegDiff).toBeLessThan(3);
    } finally {
      reader.close();
    }
    expect(report.skipped).toEqual(['missing: readImages: /none.png must be a reachable image URL, got HTTP 404']);
  });
});
