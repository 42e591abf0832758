/** What the smoke page leaves in `window.__result` for the test to read. */
import type { FieldError } from './compare-values.js';

export type SmokeReport =
  | {
      ok: true;
      /** `navigator.userAgent` of the page. */
      userAgent: string;
      /** The WebGPU adapter's vendor / architecture / description (`GPUAdapter.info`). */
      adapter: string;
      /** Each field's WebGPU-vs-CPU error (see compare-values.ts). */
      errors: FieldError[];
      /** The tolerance the page checked. */
      tolerance: number;
      /** The loss on WebGPU and on the CPU. */
      loss: { webgpu: number; cpu: number };
      /** Milliseconds for the chain on each backend (WebGPU includes pipeline compilation). */
      ms: { webgpu: number; cpu: number };
    }
  | { ok: false; error: string };

export const SMOKE_TOLERANCE = 1e-4;
