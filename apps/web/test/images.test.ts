/**
 * "Train on your images" end to end in headless Chromium, as a person
 * would: a generated class-per-folder tree of PNGs and JPEGs
 * (shapes-folder.ts: discs, squares, stripes; a text file, a corrupt PNG
 * and a text file named .jpg among them) is picked with the folder input
 * (`setInputFiles` of a directory: webkitdirectory, webkitRelativePath);
 *
 * 1. the page lists the three classes with their counts and training /
 *    held-out split, and names the text file as left out;
 * 2. training LeNet + batch norm at 32×32 for a few epochs on CPU threads
 *    names the two unreadable images (corrupt, unsupported) and leaves them
 *    out, and the objective and the training error fall; every report
 *    carries images/s and the time spent waiting for images;
 * 3. a dropped image is classified into the folder names;
 * 4. the .mat download carries meta.classes and meta.normalization, and in
 *    Node (loadModel → preprocess → predict, as `bash scripts/run.sh
 *    classify`) gives the page's probabilities for the same image;
 * 5. one epoch on WebGPU (SwiftShader) gives the CPU run's first epoch.
 *
 * Screenshots of the view at each step go to test-results/images-*.png.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { loadModel, predict, preprocess } from '@convnet-ts/predict';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImagesLog } from '../src/images-panel.js';
import { type BuiltPage, openBuiltPage, pauseAndResume } from './built-page.js';
import { SHAPE_CLASSES, type ShapeImage, writeShapesFolder } from './shapes-folder.js';

const PAGE_WAIT_MS = 240_000;
const PER_CLASS = 20;

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, '..', 'test-results');
const imagesSrc = join(here, '..', '..', '..', 'packages', 'images', 'src');

const imagesLog = (page: Page): Promise<ImagesLog> =>
  page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { convnetWeb: { images: ImagesLog } }).convnetWeb.images)) as ImagesLog);

describe('Train on your images, in headless Chromium', () => {
  let built: BuiltPage | undefined;
  let page: Page;
  let dir = '';
  let root = '';
  let pngs = new Map<string, ShapeImage>();
  let trainedLog: ImagesLog | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'convnet-ts-web-images-'));
    ({ root, pngs } = await writeShapesFolder(dir, imagesSrc, PER_CLASS, 3));
    await mkdir(shots, { recursive: true });
    built = await openBuiltPage();
    page = built.page;
  });

  afterAll(async () => {
    await built?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the classes, their counts and split, and names the file it leaves out', async () => {
    await page.setInputFiles('#images-input', root);
    await page.waitForFunction(() => (window as unknown as { convnetWeb: { images: ImagesLog } }).convnetWeb.images.state === 'ready');
    const log = await imagesLog(page);
    expect(log.found?.root).toBe('shapes');
    expect(log.found?.classes).toEqual([...SHAPE_CLASSES]);
    // broken.png and fake.jpg have image names: they are counted until the check decodes them
    expect(log.found?.counts).toEqual([PER_CLASS + 1, PER_CLASS + 1, PER_CLASS]);
    expect(log.found?.val).toEqual([4, 4, 4]);
    expect(log.found?.ignored).toEqual([{ path: 'shapes/notes.txt', reason: 'not a .png / .jpg / .jpeg file name' }]);
    expect(await page.textContent('#images-status')).toBe(`Found ${3 * PER_CLASS + 2} images in 3 classes in the folder “shapes”. Choose the network and press Train.`);
    expect(await page.textContent('#images-found tbody')).toContain('stripes');
    expect(await page.textContent('#images-ignored')).toContain('shapes/notes.txt');
    await page.locator('#images-view').screenshot({ path: join(shots, 'images-found.png') });
  });

  it('trains LeNet + batch norm at 32×32 on CPU threads (paused and resumed on the way): unreadable files named, objective and error fall', async () => {
    await page.selectOption('#images-form select[name=backend]', 'cpu');
    for (const [name, value] of Object.entries({ epochs: '4', batchSize: '16', decodeThreads: '2' })) await page.fill(`#images-form input[name=${name}]`, value);
    await page.click('#images-start');
    await pauseAndResume(page, 'images', 2, async () => (await imagesLog(page)).batches.length, PAGE_WAIT_MS);
    await page.waitForFunction(() => {
      const s = (window as unknown as { convnetWeb: { images: ImagesLog } }).convnetWeb.images.state;
      return s === 'done' || s === 'error';
    }, null, { timeout: PAGE_WAIT_MS });
    const log = await imagesLog(page);
    trainedLog = log;
    expect(log.error).toBeNull();
    expect(log.problems.map((p) => [p.path, p.reason])).toEqual([
      ['shapes/disc/broken.png', 'corrupt'],
      ['shapes/square/fake.jpg', 'unsupported'],
    ]);
    expect(log.problems[1]!.message).toContain('shapes/square/fake.jpg must be a PNG or JPEG image');
    expect(log.check!.trainImages + log.check!.valImages).toBe(3 * PER_CLASS);
    expect(log.check!.valImages).toBeGreaterThanOrEqual(10);
    expect(await page.textContent('#images-problems')).toContain('shapes/disc/broken.png');
    const train = log.batches.filter((b) => b.mode === 'train');
    expect(train.every((b) => b.imagesPerSecond > 0 && b.dataSeconds >= 0 && b.dataSeconds <= b.seconds)).toBe(true);
    const [first, last] = [log.epochs[0]!, log.epochs.at(-1)!];
    const err = (e: typeof first) => e.train.errors.top1err ?? 1;
    console.log(
      `web images: ${log.backend}; train objective ${log.epochs.map((e) => e.train.objective.toFixed(3)).join(' → ')}, error ${log.epochs.map((e) => err(e).toFixed(2)).join(' → ')}, held-out error ${(last.val?.errors.top1err ?? Number.NaN).toFixed(2)}; ${Math.round(train.at(-1)!.imagesPerSecond)} images/s, waited ${train.at(-1)!.dataSeconds.toFixed(2)} of ${train.at(-1)!.seconds.toFixed(2)} s for images in the last epoch`,
    );
    expect(log.epochs).toHaveLength(4);
    expect(last.train.objective).toBeLessThan(0.7 * first.train.objective);
    expect(err(last)).toBeLessThan(err(first));
    expect(log.models).toBe(4);
    expect(await page.isEnabled('#images-download-mat')).toBe(true);
    await page.locator('#images-view').screenshot({ path: join(shots, 'images-train.png') });
  }, PAGE_WAIT_MS + 60_000);

  it('classifies a dropped image into the folder names, and the .mat gives the same answer in Node (as classify does)', async () => {
    if (trainedLog?.state !== 'done') throw new Error('web images test: training did not finish');
    const [name, image] = [...pngs.entries()].find(([n]) => n.startsWith('disc/'))!;
    await page.setInputFiles('#images-classify-input', join(root, name));
    await page.waitForFunction(() => (window as unknown as { convnetWeb: { images: ImagesLog } }).convnetWeb.images.classification !== null);
    const { classification } = await imagesLog(page);
    expect(classification?.file).toBe(name.split('/')[1]);
    expect(classification?.probabilities).toHaveLength(3);
    expect(classification!.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(SHAPE_CLASSES).toContain(classification!.best);
    await page.locator('#images-view').screenshot({ path: join(shots, 'images-classify.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#images-download-mat')]);
    expect(download.suggestedFilename()).toBe('convnet-ts-images.mat');
    const path = join(dir, 'images.mat');
    await download.saveAs(path);
    const { readFile } = await import('node:fs/promises');
    const cpu = createCpuBackend({ threads: 1 });
    const { net } = loadModel(new Uint8Array(await readFile(path)), cpu);
    const meta = net.meta as { classes: { name: string[] }; normalization: { imageSize: number[]; averageImage: number[]; cropSize: number } };
    expect(meta.classes.name).toEqual([...SHAPE_CLASSES]);
    expect(meta.normalization.imageSize).toEqual([32, 32, 3]);
    expect(meta.normalization.cropSize).toBe(0.875);
    for (const [c, v] of meta.normalization.averageImage.entries()) expect(v).toBeCloseTo(trainedLog.check!.averageColour[c]!, 3);
    const x = preprocess({ width: image.width, height: image.height, channels: 3, data: image.rgb }, meta.normalization, cpu);
    const p = await predict(net, x, { topK: 1 });
    x.dispose();
    const inNode = Array.from(p.probabilities[0]!);
    console.log(`web images: ${name} → page ${classification!.best} [${classification!.probabilities.map((v) => v.toFixed(3)).join(' ')}], Node [${inNode.map((v) => v.toFixed(3)).join(' ')}]`);
    for (const [k, v] of inNode.entries()) expect(v).toBeCloseTo(classification!.probabilities[k]!, 5);
  });

  it('trains the same first epoch on WebGPU (SwiftShader) as on CPU threads', async () => {
    if (trainedLog?.state !== 'done') throw new Error('web images test: the CPU training did not finish');
    await page.selectOption('#images-form select[name=backend]', 'webgpu');
    await page.fill('#images-form input[name=epochs]', '1');
    await page.click('#images-start');
    await page.waitForFunction(() => {
      const s = (window as unknown as { convnetWeb: { images: ImagesLog } }).convnetWeb.images.state;
      return s === 'done' || s === 'error';
    }, null, { timeout: PAGE_WAIT_MS });
    const gpu = await imagesLog(page);
    expect(gpu.error).toBeNull();
    expect(gpu.backend).toMatch(/^WebGPU/);
    const [c, g] = [trainedLog.epochs[0]!, gpu.epochs[0]!];
    console.log(`web images: epoch 1 objective CPU ${c.train.objective.toFixed(5)} / ${gpu.backend} ${g.train.objective.toFixed(5)}; held-out ${c.val?.objective.toFixed(4)} / ${g.val?.objective.toFixed(4)}`);
    expect(Math.abs(g.train.objective - c.train.objective)).toBeLessThan(2e-3 * Math.max(1, c.train.objective));
    expect(Math.abs(g.val!.objective - c.val!.objective)).toBeLessThan(2e-3 * Math.max(1, c.val!.objective));
    expect(g.train.errors.top1err).toBeCloseTo(c.train.errors.top1err ?? Number.NaN, 6);
    expect(built?.consoleErrors).toEqual([]);
  }, PAGE_WAIT_MS + 60_000);

  it('keeps the last model in IndexedDB: after a reload it is the view\'s model again, ready to download and classify', async () => {
    await page.reload();
    await expect
      .poll(() => page.textContent('#images-model-status'), { timeout: 60_000 })
      .toMatch(/^LeNet on your images, 1 epoch \(WebGPU.*\) \(saved \d{4}-\d\d-\d\d \d\d:\d\d\)$/);
    expect(await page.isEnabled('#images-download-mat')).toBe(true);
    expect((await imagesLog(page)).models).toBe(0);
    expect(built?.consoleErrors).toEqual([]);
  });
});
