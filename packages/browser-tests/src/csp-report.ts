/** What the CSP page leaves in `window.__result` for the test to read. */
export type CspReport =
  | {
      ok: true;
      /** `self.crossOriginIsolated`. */
      isolated: boolean;
      /** What `new Function('return 1')` threw (the CSP refuses code from strings), or null when it ran. */
      evalError: string | null;
      /** What `cpu.ndarray(t)` threw (scijs ndarray compiles its classes), or null when it ran. */
      ndarrayError: string | null;
      /** `createCpuBackend().threads`. */
      defaultThreads: number;
      /** What `createCpuBackend({ threads: PAGE_THREADS })` threw, or null. */
      threadsError: string | null;
      /** With `PAGE_THREADS` threads (null when they could not be asked for): `ready()` and the chain against one thread. */
      threaded: null | {
        /** What `ready()` rejected with, or null when it resolved. */
        readyError: string | null;
        /** How long `ready()` took to settle. */
        readyMs: number;
        workerCalls: number;
        /** Fields whose values differ at all from the one-thread chain's (expected none). */
        differing: string[];
        /** Values compared. */
        values: number;
      };
      /** `console.warn` lines the page saw. */
      warnings: string[];
      /** `securitypolicyviolation` events the page saw: `directive blockedURI`. */
      violations: string[];
    }
  | { ok: false; error: string };

/** The policy of issue 15: no `'unsafe-eval'`, WebAssembly compiles, workers from the page and from `blob:` URLs. */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:";

/** The same with `blob:` workers refused: the GEMM workers cannot start. */
export const NO_BLOB_WORKERS_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
