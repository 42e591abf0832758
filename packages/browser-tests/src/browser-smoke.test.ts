import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { type Browser, launchChromium } from './chromium.js';
import { pageResult } from './page-result.js';
import { type PageServer, servePage } from './serve.js';
import type { SmokeReport } from './smoke-report.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('browser smoke test: conv → relu → pool → loss on WebGPU in headless Chromium', () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await servePage(await bundle(join(here, 'page', 'smoke-page.ts')), 'convnet-ts smoke test');
    // Fails (never skips) when Chromium is missing.
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('matches the CPU backend in the same page within 1e-4', async () => {
    if (!browser || !server) throw new Error('browser smoke test: set-up failed');
    const report = (await pageResult(browser.context, server.url, 45_000)) as SmokeReport;
    if (!report.ok) throw new Error(report.error);
    console.log(
      `browser smoke: ${report.userAgent}, adapter ${report.adapter}\n  loss WebGPU ${report.loss.webgpu}, CPU ${report.loss.cpu}; ` +
        `WebGPU ${report.ms.webgpu.toFixed(0)} ms, CPU ${report.ms.cpu.toFixed(0)} ms; errors ` +
        report.errors.map((e) => `${e.field}[${e.length}] ${e.error.toExponential(1)}`).join(', '),
    );
    expect(report.errors.map((e) => e.field)).toEqual(['y', 'loss', 'dzdx', 'dzdf', 'dzdb']);
    for (const e of report.errors) expect(e.error, e.field).toBeLessThanOrEqual(1e-4);
    expect(report.errors.find((e) => e.field === 'dzdx')?.length).toBe(2 * 8 * 8 * 3);
    expect(Number.isFinite(report.loss.cpu)).toBe(true);
  });

  it('reports a clear failure when the page has no navigator.gpu', async () => {
    if (!browser || !server) throw new Error('browser smoke test: set-up failed');
    const noGpu = "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });";
    const report = (await pageResult(browser.context, server.url, 20_000, noGpu)) as SmokeReport;
    expect(report).toEqual({
      ok: false,
      error: 'smoke page: navigator.gpu expected, got undefined (is Chromium started with --enable-unsafe-webgpu?)',
    });
  });

  it('reports a clear failure when WebGPU has no adapter', async () => {
    if (!browser || !server) throw new Error('browser smoke test: set-up failed');
    const noAdapter = 'GPU.prototype.requestAdapter = async () => null;';
    const report = (await pageResult(browser.context, server.url, 20_000, noAdapter)) as SmokeReport;
    expect(report).toEqual({
      ok: false,
      error: 'smoke page: DeviceError: createWebGPUBackend: adapter expected from navigator.gpu.requestAdapter(), got null',
    });
  });
});

describe('launchChromium', () => {
  it('fails with what to install when Chromium is missing', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      'launchChromium: an executable Chromium expected at /nonexistent/chromium, got none; install it with `apt-get install -y chromium`',
    );
  });
});
