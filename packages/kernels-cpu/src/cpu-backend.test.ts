import { BackendError, keep, scope, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

describe('CpuBackend storage', () => {
  const cpu = createCpuBackend();

  it('makes tensors of the requested dtype and reads them back row-major', async () => {
    const t = cpu.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(createCpuBackend({ dtype: 'float64' }).zeros([2]).dataSync()).toBeInstanceOf(Float64Array);
  });

  it('copies the values it is given', () => {
    const values = new Float32Array([1, 2]);
    const t = cpu.tensor(values, [2]);
    values[0] = 9;
    expect(Array.from(t.dataSync())).toEqual([1, 2]);
  });

  it('rejects values that do not fill the shape and bad dtypes', () => {
    expect(() => cpu.tensor([1, 2, 3], [2, 2])).toThrow('tensor: expected 4 values for shape [2, 2], got 3');
    expect(() => cpu.zeros([2, -1])).toThrow('zeros: sizes must be non-negative integers, got [2, -1]');
    expect(() => createCpuBackend({ dtype: 'int8' as 'float32' })).toThrow("createCpuBackend: expected 'float32' or 'float64', got 'int8'");
  });

  it('fills, counts live tensors and forgets disposed ones', () => {
    const be = createCpuBackend();
    const a = be.fill([2, 2], 3);
    expect(Array.from(a.dataSync())).toEqual([3, 3, 3, 3]);
    expect(be.memory()).toEqual({ tensors: 1, bytes: 16 });
    a.dispose();
    a.dispose();
    expect(be.memory().tensors).toBe(0);
    expect(() => a.dataSync()).toThrow('Tensor.dataSync: tensor [2, 2] was disposed');
  });

  it('refuses work once disposed, as WebGPU does, and then reports no memory', async () => {
    const be = createCpuBackend({ threads: 1 });
    const a = be.fill([2], 1);
    be.dispose();
    expect(() => be.run('Relu', { x: a }, { leak: 0 })).toThrow('Relu: backend expected alive, got one that was disposed');
    expect(() => be.zeros([1])).toThrow('zeros: backend expected alive');
    expect(() => a.dataSync()).toThrow('read: backend expected alive');
    await expect(a.data()).rejects.toThrow('read: backend expected alive');
    expect(be.memory()).toEqual({ tensors: 0, bytes: 0 });
    a.dispose();
    expect(be.memory()).toEqual({ tensors: 0, bytes: 0 });
  });

  it('refuses tensors of another backend in a kernel', () => {
    const other = createCpuBackend();
    const a = cpu.zeros([2]);
    const b = other.zeros([2]);
    expect(() => cpu.run('Axpby', { x: a, y: b }, { alpha: 1, beta: 1 })).toThrow(
      'Axpby: y lives on another backend (cpu float32) than this one (cpu float32)',
    );
  });

  it('scope disposes temporaries and keeps results and kept tensors', () => {
    const be = createCpuBackend();
    let temp = be.zeros([1]);
    let kept = be.zeros([1]);
    const result = scope(() => {
      temp = be.zeros([3]);
      kept = keep(be.zeros([4]));
      return { out: be.fill([2], 1) };
    });
    expect(temp.isDisposed).toBe(true);
    expect(kept.isDisposed).toBe(false);
    expect(result.out.isDisposed).toBe(false);
    expect(() => scope(() => { be.zeros([1]); throw new Error('boom'); })).toThrow('boom');
  });

  it('refuses tensors beyond 2^31 − 1 elements before allocating, naming the block, the tensor and the bytes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const be = createCpuBackend({ dtype, threads: 1 });
      const bytes = dtype === 'float64' ? 8 : 4;
      expect(be.maxTensorBytes).toBe((2 ** 31 - 1) * bytes);
      expect(() => be.zeros([2 ** 31])).toThrow(BackendError);
      expect(() => be.zeros([2 ** 31])).toThrow(
        `zeros: tensor of shape [2147483648] of at most ${(2 ** 31 - 1) * bytes} bytes expected (the cpu ${dtype} backend's largest tensor, 2^31 − 1 elements), got ${2 ** 31 * bytes} bytes (2147483648 elements × ${bytes})`,
      );
      expect(() => be.fill([2 ** 20, 2 ** 12], 0)).toThrow(/^fill: tensor of shape \[1048576, 4096\] of at most/);
      expect(be.memory()).toEqual({ tensors: 0, bytes: 0 });
      be.dispose();
    }
  });
});

describe('CpuBackend threads', () => {
  it('each kernel call runs on its own backend\'s thread count, whichever backend was created last', () => {
    const two = createCpuBackend({ threads: 2 });
    const one = createCpuBackend({ threads: 1 });
    try {
      /** Worker calls of one 256³ GEMM (a 1×1 convolution) on `be`. */
      const workerCallsOf = (be: typeof one): number => {
        const x = be.zeros([256, 1, 1, 256]);
        const f = be.zeros([1, 1, 256, 256]);
        const before = be.workerCalls;
        be.run('Conv', { x, f, b: null }, { stride: [1, 1], pad: [0, 0, 0, 0], dilate: [1, 1], groups: 1 }).dispose();
        x.dispose();
        f.dispose();
        return be.workerCalls - before;
      };
      expect(workerCallsOf(one)).toBe(0);
      expect(workerCallsOf(two)).toBeGreaterThan(0);
      expect(workerCallsOf(one)).toBe(0);
    } finally {
      one.dispose();
      two.dispose();
    }
  });
});

describe('CpuBackend reuse of released arrays', () => {
  const size = 2 ** 14;
  const shape = [size];
  const dataOf = (cpu: ReturnType<typeof createCpuBackend>, t: Tensor) => cpu.view(t).data;

  it('reuses the array of a disposed tensor, zeroed, once its last view is disposed too', () => {
    const cpu = createCpuBackend({ threads: 1 });
    const a = cpu.fill(shape, 7);
    const view = cpu.run('Reshape', { x: a }, { shape: [2, size / 2] });
    const array = dataOf(cpu, a);
    expect(dataOf(cpu, view)).toBe(array);
    a.dispose();
    // The reshape still reads the array: not reused.
    const b = cpu.zeros(shape);
    expect(dataOf(cpu, b)).not.toBe(array);
    expect(view.dataSync()[3]).toBe(7);
    view.dispose();
    const c = cpu.zeros(shape);
    expect(dataOf(cpu, c)).toBe(array);
    expect(Array.from(c.dataSync().subarray(0, 4))).toEqual([0, 0, 0, 0]);
    // Another length is never given a kept array.
    c.dispose();
    expect(dataOf(cpu, cpu.zeros([size + 1]))).not.toBe(array);
    cpu.dispose();
  });

  it('never reuses arrays a caller holds (readSync, ndarray, wrap of its own), small ones, or beyond reuseMaxBytes', () => {
    const cpu = createCpuBackend({ threads: 1 });
    const read = cpu.fill(shape, 1).dataSync();
    cpu.wrap(read, shape).dispose();
    const own = new Float32Array(size).fill(2);
    cpu.wrap(own, shape).dispose();
    const exposed = cpu.fill(shape, 3);
    const nd = cpu.ndarray(exposed);
    exposed.dispose();
    const small = cpu.fill([size / 2], 4);
    const smallArray = dataOf(cpu, small);
    small.dispose();
    for (let i = 0; i < 4; i++) expect([read, own, nd.data]).not.toContain(dataOf(cpu, cpu.zeros(shape)));
    expect(dataOf(cpu, cpu.zeros([size / 2]))).not.toBe(smallArray);
    expect([read[0], own[0], nd.data[0]]).toEqual([1, 2, 3]);
    cpu.reuseMaxBytes = 4 * size - 1;
    const big = cpu.fill(shape, 5);
    const bigArray = dataOf(cpu, big);
    big.dispose();
    expect(dataOf(cpu, cpu.zeros(shape))).not.toBe(bigArray);
    cpu.dispose();
  });

  it('allocOverwritten leaves a reused array as it was; tensor, fill and readSync still give their values', () => {
    const cpu = createCpuBackend({ threads: 1 });
    const a = cpu.fill(shape, 6);
    const array = dataOf(cpu, a);
    a.dispose();
    const raw = cpu.allocOverwritten(size);
    expect(raw).toBe(array);
    expect(raw[5]).toBe(6);
    cpu.wrap(raw, shape).dispose();
    const values = Float32Array.from({ length: size }, (_, i) => i);
    const t = cpu.tensor(values, shape);
    expect(dataOf(cpu, t)).toBe(array);
    expect(t.dataSync()).toEqual(values);
    t.dispose();
    expect(Array.from(cpu.fill(shape, -1).dataSync().subarray(size - 2))).toEqual([-1, -1]);
    expect(cpu.allocOverwritten(size)).not.toBe(array);
    cpu.dispose();
  });

  it('keeps at most reuseMaxBytes, dropping the oldest, and nothing once disposed', () => {
    const cpu = createCpuBackend({ threads: 1 });
    cpu.reuseMaxBytes = 2 * 4 * size;
    const ts = [0, 1, 2].map((v) => cpu.fill(shape, v));
    const arrays = ts.map((t) => dataOf(cpu, t));
    for (const t of ts) t.dispose();
    // The first released array was dropped; the two others come back, most recent first.
    const again = [0, 1, 2].map(() => dataOf(cpu, cpu.zeros(shape)));
    expect(again[0]).toBe(arrays[2]);
    expect(again[1]).toBe(arrays[1]);
    expect(arrays).not.toContain(again[2]);
    expect(cpu.memory()).toEqual({ tensors: 3, bytes: 3 * 4 * size });
    cpu.dispose();
  });
});

