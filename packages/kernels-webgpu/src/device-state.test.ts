import { DeviceError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DeviceState } from './device-state.js';

/** Just enough of a GPUDevice whose error scopes report `error` (out-of-memory cannot be provoked safely on a real one). */
function fakeDevice(error: { message: string } | null): GPUDevice {
  return {
    lost: new Promise<GPUDeviceLostInfo>(() => {}),
    limits: { maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 30 },
    pushErrorScope: () => {},
    popErrorScope: () => Promise.resolve(error),
  } as unknown as GPUDevice;
}

describe('DeviceState', () => {
  it('reports out-of-memory on the next call with the bytes in use', async () => {
    const state = new DeviceState(fakeDevice({ message: 'Out of memory' }), () => 4096);
    state.allocate(1024, () => ({}) as GPUBuffer, 8192);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const expected = 'webgpu: out of memory allocating 1024 bytes, with 4096 bytes in use by live tensors (8192 bytes allocated in all); dispose tensors you no longer need';
    expect(() => state.check('Conv')).toThrow(DeviceError);
    state.allocate(1024, () => ({}) as GPUBuffer, 8192);
    await expect(state.settle('read', Promise.resolve(1))).rejects.toThrow(expected);
    expect(() => state.check('Conv')).not.toThrow();
  });

  it('stays quiet when the error scope is clean', async () => {
    const state = new DeviceState(fakeDevice(null), () => 0);
    state.allocate(16, () => ({}) as GPUBuffer, 256);
    await expect(state.settle('read', Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('checks the binding size limit at once', () => {
    const state = new DeviceState(fakeDevice(null), () => 0);
    expect(() => state.checkSize('zeros', (1 << 20) + 4)).toThrow('zeros: tensor of at most 1048576 bytes expected (maxStorageBufferBindingSize), got 1048580 bytes');
  });
});
