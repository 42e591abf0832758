import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchChromium } from './chromium.js';
import { STRICT_CSP } from './csp-report.js';
import { pageResult } from './page-result.js';
import { type PageServer, servePage } from './serve.js';
import { type ChainValues, chainCase, runChain } from './smoke-chain.js';

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..');
/** The built files the page loads, as a registry or CDN would serve them: each package's dist/, kernels-cpu's standalone bundle. */
const DIRS = { '/tensor/': 'tensor', '/geometry/': 'geometry', '/blocks/': 'blocks', '/kernels-cpu/': 'kernels-cpu' } as const;
const IMPORT_MAP = JSON.stringify({
  imports: {
    '@convnet-ts/tensor': '/tensor/index.js',
    '@convnet-ts/geometry': '/geometry/index.js',
    '@convnet-ts/blocks': '/blocks/index.js',
    '@convnet-ts/kernels-cpu': '/kernels-cpu/standalone.js',
  },
});
/** An import map is an inline script: the strict policy lets this one in by its hash. */
const CSP = STRICT_CSP.replace("'wasm-unsafe-eval'", `'wasm-unsafe-eval' 'sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}'`);
const SEED = 17;
const THREADS = 2;

/** The page's module: plain JavaScript importing the packages by name; the chain is smoke-chain.ts with its types stripped. */
const PAGE = `
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { chainCase, runChain } from '/smoke-chain.js';
const cpu = createCpuBackend({ threads: ${THREADS} });
cpu.ready()
  .then(async () => {
    const values = await runChain(cpu, chainCase(${SEED}, 4, { size: 16, channels: 8, filters: 16 }));
    window.__result = { ok: true, threads: cpu.threads, workerCalls: cpu.workerCalls, values };
  })
  .catch((e) => { window.__result = { ok: false, error: 'import-map page: ' + e.name + ': ' + e.message }; });
`;

type ImportMapReport = { ok: true; threads: number; workerCalls: number; values: ChainValues } | { ok: false; error: string };

describe('the CPU path from an import map and a plain <script type="module">, no bundler, under the strict CSP', () => {
  let server: PageServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const missing = Object.values(DIRS)
      .map((dir) => join(packages, dir, 'dist', dir === 'kernels-cpu' ? 'standalone.js' : 'index.js'))
      .filter((file) => !existsSync(file));
    if (missing.length > 0) throw new Error(`import-map test: built packages expected, got no ${missing.join(', ')} (turbo run build)`);
    const chain = await transform(readFileSync(join(here, 'smoke-chain.ts'), 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' });
    const html =
      `<!doctype html><html><head><meta charset="utf-8"><title>convnet-ts import map</title>` +
      `<script type="importmap">${IMPORT_MAP}</script></head><body><script type="module" src="/page.js"></script></body></html>`;
    server = await servePage(PAGE, 'convnet-ts import map', {
      crossOriginIsolated: true,
      headers: { 'content-security-policy': CSP },
      html,
      files: { '/smoke-chain.js': new TextEncoder().encode(chain.code) },
      dirs: Object.fromEntries(Object.entries(DIRS).map(([prefix, dir]) => [prefix, join(packages, dir, 'dist')])),
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("runs conv → relu → pool → loss forward and backward with GEMM workers, as the packages' sources do in Node", async () => {
    if (!browser || !server) throw new Error('import-map test: set-up failed');
    const report = (await pageResult(browser.context, server.url, 60_000)) as ImportMapReport;
    if (!report.ok) throw new Error(report.error);
    expect(report.threads).toBe(THREADS);
    expect(report.workerCalls).toBeGreaterThan(0);
    const cpu = createCpuBackend({ threads: 1 });
    const expected = await runChain(cpu, chainCase(SEED, 4, { size: 16, channels: 8, filters: 16 }));
    cpu.dispose();
    expect(report.values).toEqual(expected);
  });
});
