import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { type Browser, launchChromium } from './chromium.js';
import { STRICT_CSP } from './csp-report.js';
import type { WebGpuCspReport } from './page/webgpu-csp-page.js';
import { pageResult } from './page-result.js';
import { type PageServer, servePage } from './serve.js';
import { SMOKE_TOLERANCE } from './smoke-report.js';

const here = dirname(fileURLToPath(import.meta.url));

describe(`WebGPU in headless Chromium under ${STRICT_CSP}`, () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const script = await bundle(join(here, 'page', 'webgpu-csp-page.ts'));
    server = await servePage(script, 'convnet-ts WebGPU CSP', { headers: { 'content-security-policy': STRICT_CSP } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("runs conv → relu → pool → loss forward and backward as the CPU backend does (within 1e-4), with eval refused", async () => {
    if (!browser || !server) throw new Error('WebGPU CSP test: set-up failed');
    const r = (await pageResult(browser.context, server.url, 60_000)) as WebGpuCspReport;
    if (!r.ok) throw new Error(r.error);
    console.log(`WebGPU under CSP: adapter ${r.adapter}; errors ${r.errors.map((e) => `${e.field} ${e.error.toExponential(1)}`).join(', ')}`);
    expect(r.evalError).toMatch(/^EvalError: .*(unsafe-eval|Content Security Policy)/);
    expect(r.errors.map((e) => e.field)).toEqual(['y', 'loss', 'dzdx', 'dzdf', 'dzdb']);
    for (const e of r.errors) expect(e.error, e.field).toBeLessThanOrEqual(SMOKE_TOLERANCE);
  });
});
