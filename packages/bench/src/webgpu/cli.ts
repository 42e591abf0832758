/**
 * The WebGPU bench on its own. The workspace has no tsx, so run it bundled (esbuild, as the device kit):
 *
 *   node tools/devkit/build.mjs --entry webgpu-bench --bundles-only
 *   node .devkit/webgpu-bench.mjs [--quick] [--only W1,W2,W3,W4,AlexNet] [--reps N] [--warmup N] [--alexnet-batch N] [--tiny]
 *
 * (`webgpu` must resolve from .devkit: see src/webgpu/README.md), with `node --import tsx
 * packages/bench/src/webgpu/cli.ts …` where tsx is installed, or from dist after the package builds:
 * `node packages/bench/dist/webgpu/cli.js …`.
 *
 * Without a GPU, set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader: its times
 * say nothing about GPU speed). Prints the adapter, the machine and the table.
 */
import { webgpuMain } from './main.js';

webgpuMain(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
