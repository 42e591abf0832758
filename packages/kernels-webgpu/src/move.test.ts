import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { DisposedError, moveTensor, Rng, randnTensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from './test-device.js';

describe('moveTensor between the CPU and WebGPU', () => {
  it('keeps shape and values on a CPU → WebGPU → CPU round trip', async () => {
    const gpu = await testBackend();
    const cpu = createCpuBackend();
    const x = randnTensor(cpu, [2, 3, 4, 5], new Rng(7));
    const onGpu = await moveTensor(x, gpu);
    expect(onGpu.backend).toBe(gpu);
    expect(onGpu.shape).toEqual([2, 3, 4, 5]);
    // Computing on the moved tensor proves it lives in a GPU buffer.
    const doubled = gpu.run('Unary', { x: onGpu }, { op: 'scale', alpha: 2 });
    const back = await moveTensor(onGpu, cpu);
    expect(back.backend).toBe(cpu);
    expect(back.shape).toEqual([2, 3, 4, 5]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
    const want = Array.from(x.dataSync(), (v) => 2 * v);
    expect(Array.from(await doubled.data())).toEqual(want);
    expect(x.isDisposed).toBe(false);
    expect(onGpu.isDisposed).toBe(false);
    onGpu.dispose();
    doubled.dispose();
  });

  it('rounds float64 values to float32 on the GPU', async () => {
    const gpu = await testBackend();
    const cpu64 = createCpuBackend({ dtype: 'float64' });
    const x = cpu64.tensor([0.1, 1 / 3, -2.5], [3]);
    const onGpu = await moveTensor(x, gpu);
    expect(onGpu.dtype).toBe('float32');
    expect(Array.from(await onGpu.data())).toEqual(Array.from(Float32Array.of(0.1, 1 / 3, -2.5)));
    onGpu.dispose();
  });

  it('copies within one backend, so either tensor can be disposed', async () => {
    const gpu = await testBackend();
    const a = gpu.tensor([1, 2, 3, 4], [2, 2]);
    const b = await moveTensor(a, gpu);
    expect(b).not.toBe(a);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1, 2, 3, 4]);
    b.dispose();
  });

  it('rejects a disposed tensor', async () => {
    const gpu = await testBackend();
    const cpu = createCpuBackend();
    const x = cpu.tensor([1, 2], [2]);
    x.dispose();
    await expect(moveTensor(x, gpu)).rejects.toThrow(DisposedError);
    await expect(moveTensor(x, gpu)).rejects.toThrow('moveTensor: t [2] was disposed');
  });
});
