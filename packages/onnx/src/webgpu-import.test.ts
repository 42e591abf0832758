/**
 * An imported ONNX model on the WebGPU backend (Dawn; without a GPU, over
 * SwiftShader: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json,
 * which scripts/run.sh sets for the tests): the PyTorch `ops` fixture
 * (conv with pads, dilated conv, LRN, LeakyReLU, MaxPool ceil_mode, grouped
 * ConvTranspose, Sigmoid, Mul, Pad, AvgPool, Softmax; 3×16×16, batch 2)
 * computes what the CPU computes, to 1e-5 relative, and leaves no tensor
 * behind.
 */
import type { DagNN } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { createNodeWebGPUBackend } from '@convnet-ts/kernels-webgpu/node';
import { afterAll, describe, expect, it } from 'vitest';
import { importOnnx } from './import.js';
import { fixture, relativeError, runOnnxLayout } from './test-pytorch-fixtures.js';

const gpu = await createNodeWebGPUBackend();
afterAll(() => gpu.dispose());

/** Frees what the network holds: its variables' values and derivatives, and its parameters. */
function release(net: DagNN): void {
  net.reset();
  for (const p of net.params.values()) p.value?.dispose();
}

describe('importOnnx onto the WebGPU backend', () => {
  it('the PyTorch ops fixture: the outputs of the CPU to 1e-5 relative (and PyTorch’s to 1e-4); every tensor disposed', async () => {
    const { bytes, ref } = fixture('ops');
    const before = gpu.memory();
    const onGpu = importOnnx(bytes, gpu);
    expect([...onGpu.params.values()].every((p) => p.value?.backend === gpu)).toBe(true);
    expect(gpu.memory().tensors - before.tensors).toBe(onGpu.params.size);
    const onCpu = importOnnx(bytes, createCpuBackend());
    const n = ref.input.shape[0]!;
    const [byGpu, byCpu] = [await runOnnxLayout(onGpu, ref.input.data, n), await runOnnxLayout(onCpu, ref.input.data, n)];
    expect(byGpu.length).toBe(ref.output.data.length);
    const rel = relativeError(byGpu, byCpu);
    console.log(`ops on WebGPU vs CPU: rel ${rel}`);
    expect(rel).toBeLessThan(1e-5);
    expect(relativeError(byGpu, ref.output.data)).toBeLessThan(1e-4);
    release(onGpu);
    release(onCpu);
    expect(gpu.memory()).toEqual(before);
  });
});
