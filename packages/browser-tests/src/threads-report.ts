/** What the CPU-threads page leaves in `window.__result` for the test to read. */
export type ThreadsReport =
  | {
      ok: true;
      /** `self.crossOriginIsolated` of the page. */
      isolated: boolean;
      /** `navigator.hardwareConcurrency`. */
      cores: number;
      /** `createCpuBackend().threads`: the default thread count. */
      defaultThreads: number;
      /** What `createCpuBackend({ threads })` threw for `threads` > 1, or null when it did not throw. */
      threadsError: string | null;
      /** Only on an isolated page: the chain on `threads` threads against one thread. */
      threaded: null | {
        threads: number;
        /** Calls the workers ran during the threaded chain (GEMM parts and image tasks). */
        workerCalls: number;
        /** Fields whose values differ at all from the one-thread run (expected none: the split keeps every sum's order). */
        differing: string[];
        /** Values compared. */
        values: number;
        ms: { one: number; threaded: number };
      };
    }
  | { ok: false; error: string };

/** The thread count the page asks for: more than 2 so that more than one worker runs even on a 2-core machine. */
export const PAGE_THREADS = 3;
