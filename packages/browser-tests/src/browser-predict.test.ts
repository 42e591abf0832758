import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { loadModel, predict, preprocess } from '@convnet-ts/predict';
import { decodeImage } from '@convnet-ts/predict/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { type Browser, launchChromium } from './chromium.js';
import { pageResult } from './page-result.js';
import { PREDICT_IMAGE, PREDICT_MODELS, type PredictReport } from './predict-report.js';
import { type PageServer, servePage } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const read = (path: string) => new Uint8Array(readFileSync(path));
const modelPath = (m: string) => join(repo, 'fixtures/matconvnet', m);
const imagePath = join(repo, 'apps/examples/fixtures/classify', PREDICT_IMAGE);

describe('@convnet-ts/predict in headless Chromium: a fetched .mat model classifies a browser-decoded image as in Node', () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const files: Record<string, Uint8Array> = { [`/${PREDICT_IMAGE}`]: read(imagePath) };
    for (const m of PREDICT_MODELS) files[`/${m}`] = read(modelPath(m));
    server = await servePage(await bundle(join(here, 'page', 'predict-page.ts')), 'convnet-ts predict', { files });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('gives Node’s probabilities (CPU: exactly, WebGPU: to 1e-4) and top classes, from an ImageBitmap and an ImageData, leaking nothing', async () => {
    if (!browser || !server) throw new Error('browser predict test: set-up failed');
    const report = (await pageResult(browser.context, server.url, 120_000)) as PredictReport;
    if (!report.ok) throw new Error(report.error);
    const cpu = createCpuBackend({ dtype: 'float32' });
    const image = decodeImage(read(imagePath));
    expect(report.runs).toHaveLength(PREDICT_MODELS.length * 2 * 2);
    for (const m of PREDICT_MODELS) {
      const { net } = loadModel(read(modelPath(m)), cpu);
      const x = preprocess(image, net.meta.normalization, cpu);
      const node = await predict(net, x, { topK: 3 });
      x.dispose();
      const want = Array.from(node.probabilities[0]!);
      for (const run of report.runs.filter((r) => r.model === m)) {
        const worst = Math.max(...want.map((p, k) => Math.abs(p - run.probabilities[k]!)));
        console.log(`browser predict: ${m} from an ${run.source} on ${run.backend}: top ${run.top.join(', ')}, largest probability difference to Node ${worst.toExponential(1)}`);
        expect(worst, `${m} ${run.source} on ${run.backend}`).toBeLessThanOrEqual(run.backend === 'cpu' ? 0 : 1e-4);
        expect(run.top).toEqual(node.top[0]!.map((t) => t.index));
        expect(run.leaked).toBe(0);
      }
    }
    expect(new Set(report.runs.map((r) => r.backend))).toEqual(new Set(['cpu', 'webgpu']));
  });
});
