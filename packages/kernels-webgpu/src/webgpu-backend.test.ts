import { BackendError, DeviceError, Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createWebGPUBackend } from './create-webgpu-backend.js';
import { createNodeWebGPUBackend } from './node.js';
import { storageOf } from './storage.js';
import { testBackend } from './test-device.js';
import { WebGPUBackend } from './webgpu-backend.js';

describe('WebGPUBackend storage', () => {
  it('uploads, fills and reads back', async () => {
    const gpu = await testBackend();
    const t = gpu.tensor([1.5, -2, 3, 4.25, 5, 6], [2, 3]);
    expect(Array.from(await t.data())).toEqual([1.5, -2, 3, 4.25, 5, 6]);
    expect(Array.from(await gpu.zeros([3]).data())).toEqual([0, 0, 0]);
    expect(Array.from(await gpu.fill([2, 2], -0.5).data())).toEqual([-0.5, -0.5, -0.5, -0.5]);
    expect(t.dtype).toBe('float32');
  });

  it('rejects values that do not fit the shape', async () => {
    const gpu = await testBackend();
    expect(() => gpu.tensor([1, 2, 3], [2, 2])).toThrow('tensor: expected 4 values for shape [2, 2], got 3');
  });

  it('keeps a view alive after its parent is disposed, and frees the buffer with the last user', async () => {
    const gpu = await testBackend();
    const before = gpu.memory();
    const x = gpu.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4]);
    const r = x.reshape([2, 6]);
    const s = gpu.run('Slice', { x }, { begin: [1, 0], size: [2, 4] });
    expect(storageOf(r).shared).toBe(storageOf(x).shared);
    expect(storageOf(s).shared).toBe(storageOf(x).shared);
    expect(storageOf(s).offset).toBe(4);
    expect(gpu.memory()).toEqual({ tensors: before.tensors + 3, bytes: before.bytes + 48 });
    x.dispose();
    r.dispose();
    expect(gpu.memory()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes + 48 });
    // An unaligned view (offset 16 bytes) is bound through a copy.
    const y = gpu.run('Unary', { x: s }, { op: 'scale', alpha: 2 });
    expect(Array.from(await y.data())).toEqual([8, 10, 12, 14, 16, 18, 20, 22]);
    s.dispose();
    y.dispose();
    expect(gpu.memory()).toEqual(before);
  });

  it('recycles released buffers by size bucket', async () => {
    const gpu = await testBackend();
    gpu.tensor(new Float32Array(100), [100]).dispose();
    const allocated = gpu.stats().allocatedBytes;
    const t = gpu.tensor(new Float32Array(90), [90]);
    expect(gpu.stats().allocatedBytes).toBe(allocated);
    t.dispose();
  });

  it('copies a slice that is not contiguous', async () => {
    const gpu = await testBackend();
    const x = gpu.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4]);
    const s = gpu.run('Slice', { x }, { begin: [1, 1], size: [2, 2] });
    expect(storageOf(s).shared).not.toBe(storageOf(x).shared);
    expect(Array.from(await s.data())).toEqual([5, 6, 9, 10]);
  });
});

describe('WebGPUBackend programs', () => {
  it('compiles one pipeline per kernel variant whatever the sizes', async () => {
    const gpu = await testBackend();
    const a = gpu.run('Unary', { x: gpu.fill([3], 2) }, { op: 'square', alpha: 0 });
    const count = gpu.stats().pipelines;
    const b = gpu.run('Unary', { x: gpu.fill([7, 5], 3) }, { op: 'square', alpha: 0 });
    expect(gpu.stats().pipelines).toBe(count);
    expect(Array.from(await a.data())).toEqual([4, 4, 4]);
    expect((await b.data())[34]).toBe(9);
  });

  it('submits many dispatches as one batch before a read', async () => {
    const gpu = await testBackend();
    let t = gpu.fill([4], 1);
    const before = gpu.stats().submissions;
    for (let k = 0; k < 10; k++) t = gpu.run('Unary', { x: t }, { op: 'addScalar', alpha: 1 });
    expect(gpu.stats().submissions).toBe(before);
    expect(Array.from(await t.data())).toEqual([11, 11, 11, 11]);
    expect(gpu.stats().submissions).toBe(before + 1);
  });

  it('counts dispatches and submissions since resetStats()', async () => {
    const gpu = await testBackend();
    await gpu.fill([1], 0.5).data();
    gpu.resetStats();
    expect(gpu.stats()).toMatchObject({ dispatches: 0, submissions: 0 });
    // fill (1 dispatch), then 3 × Unary and 1 Binary fused into one element-wise chain; zeros is a buffer clear, not a dispatch.
    const a = gpu.fill([6], 2);
    let t = gpu.zeros([6]);
    for (let k = 0; k < 3; k++) t = gpu.run('Unary', { x: t }, { op: 'addScalar', alpha: 1 });
    const y = gpu.run('Binary', { a, b: t }, { op: 'mul' });
    expect(gpu.stats()).toMatchObject({ dispatches: 2, submissions: 0 });
    expect(Array.from(await y.data())).toEqual([6, 6, 6, 6, 6, 6]);
    expect(gpu.stats()).toMatchObject({ dispatches: 2, submissions: 1 });
    gpu.resetStats();
    expect(gpu.stats()).toMatchObject({ dispatches: 0, submissions: 0 });
  });

  it('names the kernel whose WGSL fails to compile', async () => {
    const gpu = await testBackend();
    const y = gpu.empty([4]);
    gpu.dispatch({ kernel: 'Broken', variant: 'test', inputs: {}, outputs: { y }, threads: 4, body: '  y[i] = undefined_name;' });
    await expect(y.data()).rejects.toThrow(/^Broken: WGSL program 'Broken:test' failed to compile/);
  });

  it('rejects two WGSL sources under one variant (sizes must be uniforms)', async () => {
    const gpu = await testBackend();
    const y = gpu.empty([4]);
    gpu.dispatch({ kernel: 'Sized', variant: 'v', inputs: {}, outputs: { y }, threads: 4, body: '  y[i] = 4.0;' });
    expect(() => gpu.dispatch({ kernel: 'Sized', variant: 'v', inputs: {}, outputs: { y }, threads: 4, body: '  y[i] = 5.0;' })).toThrow(
      "Sized: variant 'v' must name one WGSL program (sizes belong in uniforms), got two different sources",
    );
  });

  it('throws a BackendError for unknown kernels and for foreign tensors', async () => {
    const gpu = await testBackend();
    const x = gpu.fill([1, 2, 2, 3], 1);
    expect(() => gpu.run('Nope' as 'Relu', { x }, { leak: 0 })).toThrow(new BackendError('Nope', undefined, "unknown kernel 'Nope'"));
    const other = new WebGPUBackend(gpu.device, false).fill([1, 2], 1);
    expect(() => gpu.run('Relu', { x: other }, { leak: 0 })).toThrow('Relu: x lives on another backend (webgpu float32) than this one (webgpu float32)');
  });

  it('refuses a tensor larger than the device can bind', async () => {
    const gpu = await testBackend();
    const limit = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    const elements = Math.floor(limit / 4) + 1;
    expect(() => gpu.zeros([elements])).toThrow(DeviceError);
    expect(() => gpu.zeros([elements])).toThrow(`webgpu: tensor of at most ${limit} bytes expected (maxStorageBufferBindingSize), got ${elements * 4} bytes`);
  });
});

describe('WebGPUBackend device loss and disposal', () => {
  it('reports a lost device on the next call instead of hanging', async () => {
    const gpu = await createNodeWebGPUBackend();
    const x = gpu.fill([4], 1);
    gpu.device.destroy();
    await gpu.device.lost;
    expect(() => gpu.run('Relu', { x }, { leak: 0 })).toThrow(/^webgpu: device lost \(destroyed\)/);
    await expect(gpu.read(x)).rejects.toThrow(/device lost/);
  });

  it('throws a DeviceError for work issued after device.destroy() in the same tick', async () => {
    const gpu = await createNodeWebGPUBackend();
    const x = gpu.fill([4], 1);
    gpu.device.destroy();
    expect(() => gpu.run('Relu', { x }, { leak: 0 })).toThrow(DeviceError);
    expect(() => gpu.run('Relu', { x }, { leak: 0 })).toThrow(/^webgpu: device lost \(destroyed\)/);
    expect(() => gpu.zeros([2])).toThrow(DeviceError);
    expect(() => gpu.tensor([1, 2], [2])).toThrow(DeviceError);
    await expect(gpu.read(x)).rejects.toThrow(DeviceError);
  });

  it('reports no memory after dispose(), even when tensors are disposed afterwards', async () => {
    const gpu = await createNodeWebGPUBackend();
    const x = gpu.fill([4], 1);
    const r = x.reshape([2, 2]);
    gpu.dispose();
    expect(gpu.memory()).toEqual({ tensors: 0, bytes: 0 });
    x.dispose();
    r.dispose();
    expect(gpu.memory()).toEqual({ tensors: 0, bytes: 0 });
  });

  it('refuses work after dispose()', async () => {
    const gpu = await createNodeWebGPUBackend();
    const x = gpu.fill([2], 1);
    gpu.dispose();
    expect(x).toBeInstanceOf(Tensor);
    expect(() => gpu.fill([2], 1)).toThrow('fill: backend expected alive, got one that was disposed');
  });

  it('leaves a device it was given alive after dispose()', async () => {
    const gpu = await testBackend();
    const other = await createWebGPUBackend({ device: gpu.device });
    other.dispose();
    expect(Array.from(await gpu.fill([2], 3).data())).toEqual([3, 3]);
  });

  it('asks for a device outside a browser', async () => {
    await expect(createWebGPUBackend()).rejects.toThrow(
      'createWebGPUBackend: device expected (or navigator.gpu in a browser), got neither; in Node pass one from @convnet-ts/kernels-webgpu/node',
    );
  });
});
