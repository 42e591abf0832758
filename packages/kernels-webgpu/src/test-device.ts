import { afterAll } from 'vitest';
import { createNodeWebGPUBackend } from './node.js';
import type { WebGPUBackend } from './webgpu-backend.js';

let shared: Promise<WebGPUBackend> | undefined;

/**
 * One Dawn backend per test file, disposed (device destroyed) after the file
 * so the worker exits cleanly. Fails, never skips, when no adapter is found.
 */
export function testBackend(): Promise<WebGPUBackend> {
  if (!shared) {
    const created = createNodeWebGPUBackend();
    shared = created;
    afterAll(async () => (await created).dispose());
  }
  return shared;
}
