/**
 * The browser side of the CSP test (bundled by esbuild; served with a
 * Content-Security-Policy header): checks that the policy refuses code from
 * strings, then runs the smoke chain (conv → relu → pool → loss, forward and
 * backward) on the CPU backend with one thread and, where the page lets it
 * ask, with `PAGE_THREADS` (GEMM Web Workers from a `blob:` URL), timing
 * `ready()` and comparing every value exactly. Leaves a `CspReport` in
 * `window.__result`.
 */
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { CspReport } from '../csp-report.js';
import { type ChainValues, chainCase, runChain } from '../smoke-chain.js';
import { PAGE_THREADS } from '../threads-report.js';

const page = window as unknown as { __result?: CspReport };
const warnings: string[] = [];
const violations: string[] = [];
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  warnings.push(args.map(String).join(' '));
  warn(...args);
};
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));

/** Large enough that each GEMM of the chain is split over the threads. */
const CASE = chainCase(13, 4, { size: 32, channels: 16, filters: 32 });

const message = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

function thrown(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    return message(err);
  }
}

async function cspReport(): Promise<CspReport> {
  const evalError = thrown(() => new Function('return 1')());
  const one = createCpuBackend({ threads: 1 });
  const ndarrayError = thrown(() => one.ndarray(one.zeros([2, 3])));
  const single = await runChain(one, CASE);
  one.dispose();
  const plain = createCpuBackend();
  const defaultThreads = plain.threads;
  plain.dispose();
  let many: ReturnType<typeof createCpuBackend>;
  try {
    many = createCpuBackend({ threads: PAGE_THREADS });
  } catch (err) {
    return { ok: true, isolated: self.crossOriginIsolated, evalError, ndarrayError, defaultThreads, threadsError: message(err), threaded: null, warnings, violations };
  }
  const t0 = performance.now();
  let readyError: string | null = null;
  try {
    await many.ready();
  } catch (err) {
    readyError = message(err);
  }
  const readyMs = performance.now() - t0;
  const before = many.workerCalls;
  const threaded = await runChain(many, CASE);
  const workerCalls = many.workerCalls - before;
  many.dispose();
  const fields = Object.keys(single) as (keyof ChainValues)[];
  const differing = fields.filter((k) => single[k].length !== threaded[k].length || single[k].some((v, i) => !Object.is(v, threaded[k][i])));
  const values = fields.reduce((n, k) => n + single[k].length, 0);
  return {
    ok: true,
    isolated: self.crossOriginIsolated,
    evalError,
    ndarrayError,
    defaultThreads,
    threadsError: null,
    threaded: { readyError, readyMs, workerCalls, differing, values },
    warnings,
    violations,
  };
}

cspReport().then(
  (report) => {
    page.__result = report;
  },
  (err: unknown) => {
    page.__result = { ok: false, error: `csp page: ${message(err)}` };
  },
);
