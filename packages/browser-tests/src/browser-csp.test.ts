import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './bundle.js';
import { type Browser, launchChromium } from './chromium.js';
import { type CspReport, NO_BLOB_WORKERS_CSP, STRICT_CSP } from './csp-report.js';
import { pageResult } from './page-result.js';
import { type PageServer, servePage } from './serve.js';
import { PAGE_THREADS } from './threads-report.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Values of the chain: y, loss, dz/dx, dz/df, dz/db of 4 images of 32×32×16 and 32 filters. */
const VALUES = 4 * 16 * 16 * 32 + 1 + 4 * 32 * 32 * 16 + 3 * 3 * 16 * 32 + 32;
const EVAL_REFUSED = /^EvalError: .*(unsafe-eval|Content Security Policy)/;

async function report(browser: Browser | undefined, server: PageServer | undefined): Promise<Extract<CspReport, { ok: true }>> {
  if (!browser || !server) throw new Error('browser CSP test: set-up failed');
  const r = (await pageResult(browser.context, server.url, 60_000)) as CspReport;
  if (!r.ok) throw new Error(r.error);
  return r;
}

describe(`the CPU backend in headless Chromium under ${STRICT_CSP}`, () => {
  let strict: PageServer | undefined;
  let strictPlain: PageServer | undefined;
  let noBlob: PageServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const script = await bundle(join(here, 'page', 'csp-page.ts'));
    strict = await servePage(script, 'convnet-ts CSP (isolated)', { crossOriginIsolated: true, headers: { 'content-security-policy': STRICT_CSP } });
    strictPlain = await servePage(script, 'convnet-ts CSP (not isolated)', { headers: { 'content-security-policy': STRICT_CSP } });
    noBlob = await servePage(script, 'convnet-ts CSP without blob: workers', { crossOriginIsolated: true, headers: { 'content-security-policy': NO_BLOB_WORKERS_CSP } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const s of [strict, strictPlain, noBlob]) await s?.close();
  });

  it('cross-origin isolated: runs with GEMM worker threads, the values of one thread exactly, with no eval (only cpu.ndarray(t) needs it)', async () => {
    const r = await report(browser, strict);
    console.log(`CSP isolated: ready() in ${r.threaded?.readyMs.toFixed(0)} ms, workers ran ${r.threaded?.workerCalls} calls`);
    expect(r.isolated).toBe(true);
    expect(r.evalError).toMatch(EVAL_REFUSED);
    expect(r.ndarrayError).toMatch(EVAL_REFUSED);
    expect(r.threadsError).toBeNull();
    expect(r.threaded).toMatchObject({ readyError: null, differing: [], values: VALUES });
    expect(r.threaded!.workerCalls).toBeGreaterThanOrEqual(2 * 5);
    expect(r.warnings).toEqual([]);
    // The only refusals are the page's own probes of eval (script-src), none of a worker.
    expect(r.violations.filter((v) => !v.startsWith('script-src'))).toEqual([]);
  });

  it('not isolated: one thread by default, and asking for more names both headers', async () => {
    const r = await report(browser, strictPlain);
    expect(r.isolated).toBe(false);
    expect(r.evalError).toMatch(EVAL_REFUSED);
    expect(r.defaultThreads).toBe(1);
    expect(r.threaded).toBeNull();
    expect(r.threadsError).toBe(
      `BackendError: createCpuBackend: threads ${PAGE_THREADS} needs a cross-origin isolated page (SharedArrayBuffer between workers): serve the page and its scripts ` +
        'with the headers `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`, got crossOriginIsolated false; ' +
        'leave threads unset (or 1) for one thread',
    );
  });

  it('blob: workers refused: ready() rejects at once with the cause and the fix, a warning says so, and the chain still gives the one-thread values', async () => {
    const r = await report(browser, noBlob);
    expect(r.isolated).toBe(true);
    expect(r.violations).toContainEqual(expect.stringMatching(/^worker-src blob/));
    const t = r.threaded!;
    console.log(`CSP without blob: workers: ready() rejected in ${t.readyMs.toFixed(0)} ms: ${t.readyError}`);
    // The 10 s timeout of a slow start is not waited out.
    expect(t.readyMs).toBeLessThan(2000);
    expect(t.readyError).toMatch(/^BackendError: cpu: 2 GEMM workers running expected, got GEMM worker 1 did not start: .+; the page's Content-Security-Policy refused it \(its worker-src directive refused blob\b.*\)\. Fix: allow blob: workers in the page's Content-Security-Policy: worker-src 'self' blob:/);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("Fix: allow blob: workers in the page's Content-Security-Policy: worker-src 'self' blob:");
    expect(r.warnings[0]).toContain('runs on the calling thread (the same results, slower)');
    expect(t.workerCalls).toBe(0);
    expect(t.differing).toEqual([]);
    expect(t.values).toBe(VALUES);
  });
});
