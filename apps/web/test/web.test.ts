/**
 * The page end to end in headless Chromium: `vite build` into a temporary
 * folder, served with the COOP/COEP headers, then — as a person would, through
 * the page's controls and synthetic pointer events —
 *
 * 1. the page loads with no console errors and is cross-origin isolated;
 * 2. a short training (a few hundred digits, one epoch) on CPU threads and
 *    then on WebGPU (SwiftShader) lowers the objective, and the two runs give
 *    the same per-batch objectives and epoch statistics within tolerance;
 * 3. a drawn "1" is classified as 1 by the trained model, with ten
 *    probabilities summing to 1;
 * 4. the receptive-field overlay of a conv3 unit and of a conv2 unit has the
 *    size and position @convnet-ts/geometry gives (computed here, in Node,
 *    from the same LeNet);
 * 5. the model downloads as a MatConvNet .mat and as ONNX, each loads back
 *    through the file input and classifies the drawing the same way;
 * 6. training pauses (no batch runs) and resumes; the model in use survives
 *    a reload (IndexedDB).
 *
 * A screenshot of each view goes to test-results/ (a CI artefact).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainGeometry, isReceptiveField } from '@convnet-ts/geometry';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { geometryOf, tidy } from '@convnet-ts/simplenn';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lenet } from '../src/lenet.js';
import type { BatchReport } from '../src/protocol.js';
import { type BuiltPage, openBuiltPage, pauseAndResume } from './built-page.js';

/** Training waits: ≈ 10–30 s alone, over a minute on a 2-core machine running the rest of the suite. */
const PAGE_WAIT_MS = 240_000;

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, '..', 'test-results');

interface Training {
  state: string;
  backend: string | null;
  startup: { digitsMs: number; backendMs: number } | null;
  batches: BatchReport[];
  epochs: { epoch: number; train: { objective: number; errors: Record<string, number> }; val: { objective: number; errors: Record<string, number> } | null }[];
  error: string | null;
}

/** The short run done on both backends (SwiftShader is slow: few digits). */
const RUN = { variant: 'lenet-bnorm', trainImages: '120', valImages: '40', epochs: '1', batchSize: '20', learningRate: '0.05', weightDecay: '0.0005', seed: '0' };
/** The CPU run whose network classifies the drawing: enough batches for batch norm's moments to settle. */
const DRAW_RUN = { ...RUN, trainImages: '2000', valImages: '200', batchSize: '25' };

const training = (page: Page): Promise<Training> =>
  page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { convnetWeb: { training: Training } }).convnetWeb.training)) as Training);

async function trainOn(page: Page, backend: 'cpu' | 'webgpu', run = RUN, pauseAfter?: number): Promise<Training> {
  await page.selectOption('select[name=variant]', run.variant);
  await page.selectOption('select[name=backend]', backend);
  for (const [name, value] of Object.entries(run)) if (name !== 'variant') await page.fill(`input[name=${name}]`, value);
  await page.click('#train-start');
  if (pauseAfter !== undefined) await pauseAndResume(page, 'train', pauseAfter, async () => (await training(page)).batches.length, PAGE_WAIT_MS);
  await page.waitForFunction(() => {
    const s = (window as unknown as { convnetWeb: { training: Training } }).convnetWeb.training.state;
    return s === 'done' || s === 'error';
  }, null, { timeout: PAGE_WAIT_MS });
  return training(page);
}

const pageState = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { convnetWeb: { state: { probabilities: number[] | null; best: string | null; classifications: number; errors: string[] } } }).convnetWeb.state;
    return { probabilities: s.probabilities, best: s.best, classifications: s.classifications, errors: [...s.errors] };
  });

describe('apps/web in headless Chromium', () => {
  let built: BuiltPage | undefined;
  let outDir = '';
  let page: Page;
  let consoleErrors: string[] = [];
  const trained: Partial<Record<'cpu' | 'webgpu', Training>> = {};

  beforeAll(async () => {
    built = await openBuiltPage();
    ({ page, outDir, consoleErrors } = built);
    await mkdir(shots, { recursive: true });
  });

  afterAll(async () => {
    await built?.close();
  });

  it('loads cross-origin isolated, with a WebGPU adapter and no console errors', async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    const env = await page.textContent('#environment');
    expect(env).toMatch(/WebGPU adapter/);
    expect(env).toMatch(/cross-origin isolated: CPU training on \d+ threads/);
    expect(consoleErrors).toEqual([]);
  });

  it('trains on CPU threads and on WebGPU: the objective falls, and both give the same numbers', async () => {
    const cpu = await trainOn(page, 'cpu');
    trained.cpu = cpu;
    const gpu = await trainOn(page, 'webgpu');
    trained.webgpu = gpu;
    await page.locator('#train-view').screenshot({ path: join(shots, 'train.png') });
    for (const t of [cpu, gpu]) {
      expect(t.error).toBeNull();
      expect(t.state).toBe('done');
    }
    expect(cpu.backend).toMatch(/^CPU, \d+ threads? \(cross-origin isolated\)$/);
    // The GEMM workers, nested in the training worker, start once it returns to its event loop (a blocking
    // wait for them in the backend's constructor used to sit out its whole 10 s timeout).
    expect(cpu.startup?.backendMs).toBeLessThan(8000);
    expect(gpu.backend).toMatch(/^WebGPU/);
    const objectives = (t: Training): number[] => t.batches.filter((b) => b.mode === 'train').map((b) => b.batchObjective);
    const c = objectives(cpu);
    const g = objectives(gpu);
    console.log(`web: CPU ${cpu.backend}, ${Math.round(cpu.batches.at(-1)?.imagesPerSecond ?? 0)} images/s; ${gpu.backend} ${Math.round(gpu.batches.at(-1)?.imagesPerSecond ?? 0)} images/s`);
    console.log(`web: batch objectives CPU    ${c.map((v) => v.toFixed(4)).join(' ')}`);
    console.log(`web: batch objectives WebGPU ${g.map((v) => v.toFixed(4)).join(' ')}`);
    expect(c).toHaveLength(Number(RUN.trainImages) / Number(RUN.batchSize));
    expect(g).toHaveLength(c.length);
    const head = (v: number[]): number => (v[0]! + v[1]!) / 2;
    const tail = (v: number[]): number => (v.at(-1)! + v.at(-2)!) / 2;
    expect(tail(c)).toBeLessThan(0.9 * head(c));
    expect(tail(g)).toBeLessThan(0.9 * head(g));
    for (const [i, v] of c.entries()) expect(Math.abs(v - g[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(v)));
    const [ce] = cpu.epochs;
    const [ge] = gpu.epochs;
    expect(ce && ge && ce.val && ge.val).toBeTruthy();
    expect(Math.abs(ce!.train.objective - ge!.train.objective)).toBeLessThan(2e-3);
    expect(Math.abs(ce!.val!.objective - ge!.val!.objective)).toBeLessThan(2e-3);
    expect(Math.abs((ce!.val!.errors.top1err ?? 1) - (ge!.val!.errors.top1err ?? 0))).toBeLessThanOrEqual(2 / Number(RUN.valImages));
  }, 2 * PAGE_WAIT_MS + 60_000);

  it('classifies a drawn "1" as 1 with a network trained on 2,000 digits (paused and resumed on the way)', async () => {
    const modelsBefore = await page.evaluate(() => (window as unknown as { convnetWeb: { state: { modelsLoaded: number } } }).convnetWeb.state.modelsLoaded);
    const run = await trainOn(page, 'cpu', DRAW_RUN, 3);
    expect(run.batches.filter((b) => b.mode === 'train')).toHaveLength(Number(DRAW_RUN.trainImages) / Number(DRAW_RUN.batchSize));
    expect(run.error).toBeNull();
    const val = run.epochs[0]?.val?.errors.top1err ?? 1;
    console.log(`web: ${DRAW_RUN.trainImages} digits on ${run.backend}: held-out error ${(100 * val).toFixed(1)} %, ${Math.round(run.batches.at(-1)?.imagesPerSecond ?? 0)} images/s`);
    expect(val).toBeLessThan(0.3);
    await page.waitForFunction((n) => (window as unknown as { convnetWeb: { state: { modelsLoaded: number } } }).convnetWeb.state.modelsLoaded > n, modelsBefore);
    const before = (await pageState(page)).classifications;
    const box = await page.locator('#draw-pad').boundingBox();
    if (!box) throw new Error('web test: the draw pad has no bounding box');
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let k = 1; k <= 12; k++) await page.mouse.move(box.x + box.width * (0.52 - 0.02 * (k / 12)), box.y + box.height * (0.15 + (0.7 * k) / 12));
    await page.mouse.up();
    await page.waitForFunction((n) => (window as unknown as { convnetWeb: { state: { classifications: number } } }).convnetWeb.state.classifications > n, before);
    await page.waitForTimeout(300);
    const s = await pageState(page);
    console.log(`web: drawn 1 → ${s.best}, probabilities ${s.probabilities?.map((p) => p.toFixed(3)).join(' ')}`);
    expect(s.errors).toEqual([]);
    expect(s.probabilities).toHaveLength(10);
    expect(s.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(s.best).toBe('1');
    expect(await page.getAttribute('#bars', 'data-best')).toBe('1');
    await page.locator('#draw-view').screenshot({ path: join(shots, 'draw.png') });
  });

  it("draws a conv3 and a conv2 unit's receptive field where geometry puts it", async () => {
    const cpu = createCpuBackend({ threads: 1 });
    const net = tidy(lenet(cpu, DRAW_RUN.variant as 'lenet-bnorm', 0, undefined));
    const vars = chainGeometry(net.layers.map(geometryOf), { size: [28, 28], channels: 1 });
    const expectWindow = async (name: string, row: number, col: number): Promise<void> => {
      const l = net.layers.findIndex((layer) => layer.name === name);
      const field = vars[l + 1]!.field;
      if (!isReceptiveField(field)) throw new Error(`web test: ${name} has no receptive field`);
      await page.selectOption('#layer-select', String(l));
      await page.fill('#unit-row', String(row));
      await page.fill('#unit-col', String(col));
      const top = field.stride[0] * (row - 1) + field.offset[0] - (field.size[0] - 1) / 2;
      const left = field.stride[1] * (col - 1) + field.offset[1] - (field.size[1] - 1) / 2;
      const o = page.locator('#rf-overlay');
      await expect.poll(() => o.getAttribute('data-rf-top')).toBe(String(top));
      expect(await o.getAttribute('data-rf-left')).toBe(String(left));
      expect(await o.getAttribute('data-rf-height')).toBe(String(field.size[0]));
      expect(await o.getAttribute('data-rf-width')).toBe(String(field.size[1]));
      const input = await page.locator('#input-view').boundingBox();
      const drawn = await o.boundingBox();
      if (!input || !drawn) throw new Error('web test: the input view or the overlay has no bounding box');
      const px = input.width / 28;
      const clip = (a: number, size: number): [number, number] => [Math.max(0, a - 1), Math.min(28, a - 1 + size)];
      const [y0, y1] = clip(top, field.size[0]);
      const [x0, x1] = clip(left, field.size[1]);
      expect(drawn.y - input.y).toBeCloseTo(y0 * px, 0);
      expect(drawn.x - input.x).toBeCloseTo(x0 * px, 0);
      expect(drawn.height).toBeCloseTo((y1 - y0) * px, 0);
      expect(drawn.width).toBeCloseTo((x1 - x0) * px, 0);
    };
    await expectWindow('conv3', 1, 1);
    await expectWindow('conv2', 3, 5);
    await page.locator('#inside-view').screenshot({ path: join(shots, 'inside.png') });
    await page.screenshot({ path: join(shots, 'page.png'), fullPage: true });
  });

  it('downloads the model as a MatConvNet .mat, loads it back and classifies the drawing the same way', async () => {
    const before = await pageState(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-mat')]);
    const path = join(outDir, 'lenet.mat');
    await download.saveAs(path);
    await page.setInputFiles('#model-file', path);
    await expect.poll(() => page.textContent('#load-status'), { timeout: 60_000 }).toMatch(/^Loaded lenet\.mat \(matconvnet, SimpleNN\)/);
    await expect.poll(async () => (await pageState(page)).classifications).toBeGreaterThan(before.classifications);
    const after = await pageState(page);
    expect(after.best).toBe('1');
    for (const [i, p] of after.probabilities!.entries()) expect(p).toBeCloseTo(before.probabilities![i]!, 4);
    await page.locator('#load-view').screenshot({ path: join(shots, 'load.png') });
  });

  it('exports ONNX, loads it back as a DagNN and classifies the drawing the same way', async () => {
    const before = await pageState(page);
    const modelsBefore = await page.evaluate(() => (window as unknown as { convnetWeb: { state: { modelsLoaded: number } } }).convnetWeb.state.modelsLoaded);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-onnx')]);
    const path = join(outDir, 'lenet.onnx');
    await download.saveAs(path);
    await page.setInputFiles('#model-file', path);
    await expect.poll(() => page.textContent('#load-status'), { timeout: 60_000 }).toMatch(/^Loaded lenet\.onnx \(onnx, DagNN\)/);
    // the reload test needs this model stored in IndexedDB (modelsLoaded alone may count the .mat's load finishing late)
    await page.waitForFunction((n) => (window as unknown as { convnetWeb: { state: { modelsLoaded: number } } }).convnetWeb.state.modelsLoaded > n, modelsBefore, { timeout: PAGE_WAIT_MS });
    await page.waitForFunction(() => (window as unknown as { convnetWeb: { state: { stored: string | null } } }).convnetWeb.state.stored === 'lenet.onnx', null, { timeout: PAGE_WAIT_MS });
    await expect.poll(async () => (await pageState(page)).classifications).toBeGreaterThan(before.classifications);
    const after = await pageState(page);
    expect(after.errors).toEqual([]);
    expect(after.best).toBe('1');
    for (const [i, p] of after.probabilities!.entries()) expect(p).toBeCloseTo(before.probabilities![i]!, 4);
  });

  it('keeps the model in IndexedDB across a reload, with no console errors all along', async () => {
    await page.reload();
    await expect.poll(() => page.textContent('#model-status'), { timeout: 60_000 }).toMatch(/^lenet\.onnx \(saved .*\) \(onnx\)/);
    expect(consoleErrors).toEqual([]);
  });
});
