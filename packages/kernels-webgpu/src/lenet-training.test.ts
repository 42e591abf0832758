import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { move } from '@convnet-ts/simplenn';
import { moveTensor, Rng, randTensor, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lenet, readParams, sgdStep, zeroVelocity } from './test-lenet.js';
import { testBackend } from './test-device.js';

const STEPS = 4;
const BATCH = 4;
const SGD = { learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4 };

/** Relative difference, |a − b| / max(|a|, |b|, tiny). */
function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);
}

describe('LeNet (cnn_mnist_init) trained with SGD on WebGPU and on the CPU', () => {
  it(`matches the CPU losses step by step over ${STEPS} steps at batch ${BATCH}`, async () => {
    const gpu = await testBackend();
    const cpu = createCpuBackend({ dtype: 'float32' });
    const rng = new Rng(2024);
    const cpuNet = lenet(cpu, rng);
    // 28×28 images in [0, 1) minus the mean, as MatConvNet's MNIST set-up feeds them.
    const xCpu = randTensor(cpu, [BATCH, 28, 28, 1], rng, -0.5, 0.5);
    const labels = [3, 7, 1, 10];
    const gpuNet = await move(cpuNet, gpu);
    const xGpu = await moveTensor(xCpu, gpu);

    const run = async (net: typeof cpuNet, x: Tensor): Promise<{ losses: number[]; ms: string; counts: string }> => {
      const velocity = zeroVelocity(net);
      const losses: number[] = [];
      const ms: string[] = [];
      const counts: string[] = [];
      for (let s = 0; s < STEPS; s++) {
        const t0 = performance.now();
        gpu.resetStats();
        const loss = sgdStep(net, velocity, x, labels, SGD);
        losses.push((await loss.data())[0] ?? Number.NaN);
        loss.dispose();
        ms.push((performance.now() - t0).toFixed(0));
        const { dispatches, submissions } = gpu.stats();
        counts.push(`${dispatches}/${submissions}`);
      }
      for (const vs of velocity) for (const v of vs) v.dispose();
      return { losses, ms: ms.join('/'), counts: counts.join(', ') };
    };
    const before = gpu.memory();
    const onCpu = await run(cpuNet, xCpu);
    const onGpu = await run(gpuNet, xGpu);
    console.log(`LeNet batch ${BATCH}, ${STEPS} SGD steps: CPU ${onCpu.ms} ms, WebGPU ${onGpu.ms} ms per step`);
    console.log(`WebGPU dispatches/submissions per step: ${onGpu.counts}`);
    expect(onCpu.counts).toBe(Array(STEPS).fill('0/0').join(', '));
    console.log('losses CPU   ', onCpu.losses.join(', '));
    console.log('losses WebGPU', onGpu.losses.join(', '));

    for (let s = 0; s < STEPS; s++) {
      expect(relDiff(onGpu.losses[s] ?? Number.NaN, onCpu.losses[s] ?? Number.NaN), `step ${s}`).toBeLessThan(1e-3);
    }
    // The losses move, and by the same amounts: the runs really trained.
    const drop = (ls: number[]): number => (ls[0] ?? 0) - (ls[STEPS - 1] ?? 0);
    console.log('drop', drop(onCpu.losses), drop(onGpu.losses));
    expect(drop(onCpu.losses)).toBeGreaterThan(0);
    expect(relDiff(drop(onGpu.losses), drop(onCpu.losses))).toBeLessThan(1e-2);

    const pc = await readParams(cpuNet);
    const pg = await readParams(gpuNet);
    pc.forEach((w, i) => {
      const g = pg[i] ?? new Float32Array();
      let maxErr = 0;
      let maxAbs = 0;
      for (let k = 0; k < w.length; k++) {
        maxErr = Math.max(maxErr, Math.abs((w[k] ?? 0) - (g[k] ?? 0)));
        maxAbs = Math.max(maxAbs, Math.abs(w[k] ?? 0));
      }
      expect(maxErr, `parameter ${i}`).toBeLessThan(1e-4 * Math.max(maxAbs, 1e-2));
    });
    // Nothing leaked on the GPU: the step disposes replaced weights and momenta.
    expect(gpu.memory()).toEqual(before);
  });
});
