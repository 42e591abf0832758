/**
 * The page's dev server and static build. Every response carries
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`: they make the page
 * cross-origin isolated, which gives it SharedArrayBuffer and so the CPU
 * backend's threads (Web Workers sharing the GEMM's memory). A static host
 * must send the same two headers (README.md).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { mnistAsset } from './build/mnist-asset.js';
import { workspaceAliases } from './build/workspace-aliases.js';

const here = dirname(fileURLToPath(import.meta.url));

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  resolve: { alias: workspaceAliases(join(here, '..', '..', 'packages')) },
  plugins: [mnistAsset()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2048 },
});
