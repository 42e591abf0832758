import { Loss } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import type { Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { importOnnx, nchwToNhwc } from './import.js';
import { fixture, loadDigits, pick, ports, runOnnxLayout } from './test-pytorch-fixtures.js';

const backend = createCpuBackend();
const digits = loadDigits();

describe('importOnnx: the LeNet PyTorch trained on the mnist digits', () => {
  it("scores the 2,000 held-out digits with PyTorch's error, prediction for prediction", async () => {
    const { bytes, ref } = fixture('lenet-mnist');
    const held = ref.heldOut!;
    expect(held.labels).toEqual(digits.heldOut.map((i) => digits.labels[i]));
    const net = importOnnx(bytes, backend);
    const predictions: number[] = [];
    for (let start = 0; start < digits.heldOut.length; start += 500) {
      const batch = digits.heldOut.slice(start, start + 500);
      const scores = await runOnnxLayout(net, pick(digits.images, batch), batch.length);
      for (let i = 0; i < batch.length; i++) {
        const row = scores.subarray(10 * i, 10 * i + 10);
        predictions.push(row.indexOf(Math.max(...row)));
      }
    }
    const errors = predictions.filter((p, i) => p !== held.labels[i]).length;
    const differ = predictions.filter((p, i) => p !== held.predictions[i]).length;
    expect(held.count).toBe(2000);
    // float32 noise could flip a near-tie; none does on these digits.
    expect(differ).toBe(0);
    expect(errors).toBe(held.errors);
    expect(held.error).toBeGreaterThan(0.01);
    expect(held.error).toBeLessThan(0.05);
  });

  it('fine-tunes in convnet-ts: a Loss layer added, SGD steps lower the loss; the constant 1/255 scale stays fixed', async () => {
    const net = importOnnx(fixture('lenet-mnist').bytes, backend);
    const { inputs, outputs } = ports(net);
    net.addLayer('loss', new Loss({ loss: 'softmaxlog' }), [outputs[0]!.var, 'label'], 'objective');
    // 100 training digits, every 40th (all ten classes).
    const batch = digits.train.filter((_, k) => k % 40 === 0).slice(0, 100);
    const x = backend.tensor(nchwToNhwc(pick(digits.images, batch), [batch.length, 1, 28, 28]), [batch.length, 28, 28, 1]);
    const label = batch.map((i) => digits.labels[i]! + 1);
    const scale = [...net.params.values()].find((p) => p.learningRate === 0)!;
    const before = Array.from(await scale.value!.data());
    net.mode = 'normal';
    net.getVar('objective').precious = true;
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      net.eval({ [inputs[0]!.var]: x, label }, { objective: 1 });
      losses.push((await (net.getVar('objective').value as Tensor).data())[0]!);
      for (const p of net.params.values()) {
        if (p.learningRate === 0 || !p.der) continue;
        const next = backend.run('Axpby', { x: p.value!, y: p.der }, { alpha: 1, beta: -0.05 * p.learningRate });
        p.value!.dispose();
        p.value = next;
      }
    }
    for (let k = 1; k < losses.length; k++) expect(losses[k]).toBeLessThan(losses[k - 1]!);
    expect(losses.at(-1)!).toBeLessThan(0.8 * losses[0]!);
    expect(Array.from(await scale.value!.data())).toEqual(before);
  });
});
