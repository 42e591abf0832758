import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { importOnnx } from './import.js';
import { fixture, ports, relativeError, runOnnxLayout } from './test-pytorch-fixtures.js';

const backend = createCpuBackend();

describe('importOnnx: PyTorch 1.13 exports (fixtures/onnx)', () => {
  for (const name of ['vgg', 'resnet18', 'bn-net', 'ops', 'lenet-mnist']) {
    it(`${name}: convnet-ts computes the outputs of PyTorch and of ONNX Runtime to 1e-4 relative`, async () => {
      const { bytes, ref } = fixture(name);
      const net = importOnnx(bytes, backend);
      expect(ports(net).outputs[0]!.shape.slice(1)).toEqual(ref.output.shape.slice(1));
      const got = await runOnnxLayout(net, ref.input.data, ref.input.shape[0]!);
      expect(got.length).toBe(ref.output.data.length);
      expect(relativeError(got, ref.output.data)).toBeLessThan(1e-4);
      const session = await ort.InferenceSession.create(bytes);
      const run = await session.run({ [ref.input.name]: new ort.Tensor('float32', Float32Array.from(ref.input.data), ref.input.shape) });
      const byOrt = run[ref.output.name]!.data as Float32Array;
      expect(relativeError(got, byOrt)).toBeLessThan(1e-4);
      expect(relativeError(byOrt, ref.output.data)).toBeLessThan(1e-4);
    });
  }
});
