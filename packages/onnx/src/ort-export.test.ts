import { loadMatConvNetDag } from '@convnet-ts/dagnn';
import { loadMatConvNet, simplenn } from '@convnet-ts/simplenn';
import { describe, expect, it } from 'vitest';
import { exportOnnxSync } from './export.js';
import { decodeModel } from './proto/model.js';
import { backend, evalDag, expectAgree, fixture, randomInput, runOrt } from './test-export-ort.js';

describe('exported models in ONNX Runtime', () => {
  it('LeNet trained by the MNIST job', async () => {
    const { net } = loadMatConvNet(fixture('matconvnet/lenet-roundtrip/lenet.mat'), backend);
    const bytes = exportOnnxSync(net);
    const model = decodeModel(bytes);
    expect(model.graph!.node.map((n) => n.opType).join(' ')).toBe('Transpose Conv MaxPool Conv MaxPool Conv Relu Conv Transpose');
    expect(model.graph!.input.map((v) => v.name)).toEqual(['input']);
    expect(model.graph!.output.map((v) => v.name)).toEqual(['prediction']);
    const { tensor, feed } = randomInput([3, 28, 28, 1], 1, 50);
    const res = simplenn({ layers: net.layers.filter((l) => l.type !== 'softmaxloss'), meta: net.meta }, tensor, null, null, { mode: 'test' });
    const expected = res[res.length - 1]!.x!;
    const out = await runOrt(bytes, { [model.graph!.input[0]!.name]: feed });
    const rel = expectAgree(Object.values(out)[0]!, { data: expected.dataSync(), dims: expected.shape });
    console.log('lenet rel', rel);
  });

  it('ResNet-shaped DagNN', async () => {
    const { net } = loadMatConvNetDag(fixture('matconvnet/dagnn-resnet.v7.mat'), backend);
    const bytes = exportOnnxSync(net);
    const { tensor, feed } = randomInput([2, 12, 12, 3], 2, 50);
    const out = await runOrt(bytes, { data: feed });
    const expected = evalDag(net, { data: tensor }, ['prob']);
    console.log('resnet rel', expectAgree(out.prob!, expected.prob!));
  });

  it('GoogLeNet-shaped DagNN', async () => {
    const { net } = loadMatConvNetDag(fixture('matconvnet/dagnn-googlenet.v7.mat'), backend);
    const bytes = exportOnnxSync(net);
    const { tensor, feed } = randomInput([2, 12, 12, 3], 3, 50);
    const out = await runOrt(bytes, { data: feed });
    const expected = evalDag(net, { data: tensor }, ['prob']);
    expect(Object.keys(out)).toEqual(['prob']);
    console.log('googlenet rel', expectAgree(out.prob!, expected.prob!));
  });
});
