import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { type Browser, launchChromium } from './chromium.js';
import { pageResult } from './page-result.js';
import { type PageServer, servePage } from './serve.js';
import { PAGE_THREADS, type ThreadsReport } from './threads-report.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('CPU backend GEMM threads as Web Workers in headless Chromium', () => {
  let isolated: PageServer | undefined;
  let plain: PageServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const script = await bundle(join(here, 'page', 'threads-page.ts'));
    isolated = await servePage(script, 'convnet-ts threads (isolated)', { crossOriginIsolated: true });
    plain = await servePage(script, 'convnet-ts threads (not isolated)');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
  });

  it('on a cross-origin isolated page: defaults to the cores, and the workers give the one-thread values exactly', async () => {
    if (!browser || !isolated) throw new Error('browser threads test: set-up failed');
    const report = (await pageResult(browser.context, isolated.url, 60_000)) as ThreadsReport;
    if (!report.ok) throw new Error(report.error);
    const t = report.threaded;
    if (t === null) throw new Error('browser threads test: a threaded run expected on the isolated page, got none');
    console.log(
      `browser threads: ${report.cores} cores, default ${report.defaultThreads} threads; chain on 1 thread ${t.ms.one.toFixed(0)} ms, ` +
        `on ${t.threads} ${t.ms.threaded.toFixed(0)} ms; workers ran ${t.workerCalls} calls`,
    );
    expect(report.isolated).toBe(true);
    expect(report.threadsError).toBeNull();
    expect(report.defaultThreads).toBe(report.cores);
    expect(t.threads).toBe(PAGE_THREADS);
    // Four images over three threads: the five image kernels (conv forward, data derivative and φ of the filter
    // derivative, pool forward and backward) each give both workers a share; the filter products are split too.
    expect(t.workerCalls).toBeGreaterThanOrEqual(2 * 5);
    expect(t.values).toBe(4 * 16 * 16 * 32 + 1 + 4 * 32 * 32 * 16 + 3 * 3 * 16 * 32 + 32);
    expect(t.differing).toEqual([]);
  });

  it('on a page that is not isolated: one thread by default, and asking for more fails clearly', async () => {
    if (!browser || !plain) throw new Error('browser threads test: set-up failed');
    const report = (await pageResult(browser.context, plain.url, 30_000)) as ThreadsReport;
    if (!report.ok) throw new Error(report.error);
    expect(report.isolated).toBe(false);
    expect(report.defaultThreads).toBe(1);
    expect(report.threaded).toBeNull();
    expect(report.threadsError).toBe(
      `createCpuBackend: threads ${PAGE_THREADS} needs a cross-origin isolated page (SharedArrayBuffer between workers): serve the page and its scripts ` +
        'with the headers `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`, got crossOriginIsolated false; ' +
        'leave threads unset (or 1) for one thread',
    );
  });
});
