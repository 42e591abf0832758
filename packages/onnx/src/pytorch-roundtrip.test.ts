import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from './export.js';
import { importOnnx } from './import.js';
import { fixture, ports, relativeError, runOnnxLayout } from './test-pytorch-fixtures.js';

const backend = createCpuBackend();

describe('PyTorch → ONNX → convnet-ts → ONNX keeps the meaning', () => {
  for (const name of ['vgg', 'resnet18', 'bn-net', 'ops', 'lenet-mnist']) {
    it(`${name}: the re-exported model computes PyTorch's outputs in ONNX Runtime, and imports again to the same values`, async () => {
      const { bytes, ref } = fixture(name);
      const net = importOnnx(bytes, backend);
      const { inputs, outputs } = ports(net);
      const again = await exportOnnx(net, { layout: 'nchw', inputSize: inputs[0]!.hwc });
      const session = await ort.InferenceSession.create(again);
      const x = new ort.Tensor('float32', Float32Array.from(ref.input.data), ref.input.shape);
      const run = await session.run({ [inputs[0]!.var]: x });
      const y = run[outputs[0]!.var]!;
      expect(y.data.length).toBe(ref.output.data.length);
      expect(relativeError(y.data as Float32Array, ref.output.data)).toBeLessThan(1e-4);
      const twice = importOnnx(again, backend);
      const a = await runOnnxLayout(net, ref.input.data, ref.input.shape[0]!);
      const b = await runOnnxLayout(twice, ref.input.data, ref.input.shape[0]!);
      expect(Array.from(b)).toEqual(Array.from(a));
    });
  }
});
