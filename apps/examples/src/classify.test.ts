import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { loadModel, predict, preprocess } from '@convnet-ts/predict';
import { decodeImage } from '@convnet-ts/predict/node';
import { describe, expect, it } from 'vitest';
import { classify, formatTop } from './classify-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../..');
const fixtures = join(here, '../fixtures/classify');
const zoo = join(repo, 'fixtures/matconvnet');

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await classify(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: fixtures });
  return { code, out, err: err.join('\n') };
}

/** The `k. score  name description` lines. */
const ranked = (out: string[]) =>
  out.filter((l) => /^\d+\. /.test(l)).map((l) => {
    const m = /^(\d+)\. (\d\.\d{4}) {2}(\S+) (.*)$/.exec(l)!;
    return { rank: Number(m[1]), score: Number(m[2]), name: m[3]!, description: m[4]! };
  });

describe('classify (apps/examples/src/classify-cli.ts)', () => {
  it('prints the top classes of image.png as an independent Octave forward pass gives them (fixtures/classify/reference.json)', async () => {
    const ref = JSON.parse(readFileSync(join(fixtures, 'reference.json'), 'utf8')) as { prob: number[]; name: string[]; description: string[] };
    const r = await run('--model', join(zoo, 'simplenn-beta25.v7.mat'), '--image', 'image.png', '--no-crop');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^model: .*simplenn-beta25.v7.mat \(MatConvNet SimpleNN, 11 layers; cpu backend\)$/);
    expect(r.out[1]).toMatch(/^image: .*image.png \(16×16, RGB\)$/);
    const order = ref.prob.map((_, k) => k).sort((a, b) => ref.prob[b]! - ref.prob[a]!);
    const lines = ranked(r.out);
    expect(lines.map((l) => l.name)).toEqual(order.map((k) => ref.name[k]));
    expect(lines.map((l) => l.description)).toEqual(order.map((k) => ref.description[k]));
    lines.forEach((l, i) => {
      expect(Math.abs(l.score - ref.prob[order[i]!]!)).toBeLessThan(1e-4);
    });
    expect(r.out.at(-4)).toBe(`1. ${ref.prob[2]!.toFixed(4)}  n01484850 great white shark`);
  });

  it('by default crops as the model’s normalization says, printing what the library computes; --top limits the lines', async () => {
    const backend = createCpuBackend({ dtype: 'float32' });
    const { net } = loadModel(new Uint8Array(readFileSync(join(zoo, 'simplenn-beta25.v7.mat'))), backend);
    const x = preprocess(decodeImage(new Uint8Array(readFileSync(join(fixtures, 'image.png')))), net.meta.normalization, backend);
    const expected = (await predict(net, x, { topK: 2 })).top[0]!.map((t, i) => formatTop(t, i + 1));
    const r = await run('--model', join(zoo, 'simplenn-beta25.v7.mat'), '--image', join(fixtures, 'image.png'), '--top', '2');
    expect(r.code).toBe(0);
    expect(r.out.slice(-2)).toEqual(expected);
    expect(ranked(r.out)).toHaveLength(2);
  });

  it('runs DagNN files too (ResNet- and GoogLeNet-style fixtures), relative paths against the caller’s directory', async () => {
    for (const model of ['dagnn-resnet.v7.mat', 'dagnn-googlenet.v6.mat']) {
      const r = await run('--model', `../../../../fixtures/matconvnet/${model}`, '--image', 'image.png');
      expect(r.err).toBe('');
      expect(r.out[0]).toMatch(/MatConvNet DagNN/);
      const lines = ranked(r.out);
      expect(lines).toHaveLength(5);
      const scores = lines.map((l) => l.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
  });

  it('classifies raw MNIST digits (PNGs from the mnist package) with the LeNet the MNIST job saves (fixtures/matconvnet/lenet-roundtrip/lenet.mat)', async () => {
    const lenet = join(zoo, 'lenet-roundtrip/lenet.mat');
    for (let d = 0; d < 10; d++) {
      const r = await run('--model', lenet, '--image', `digit-${d}.png`, '--top', '1');
      expect(r.err).toBe('');
      expect(r.out[1]).toMatch(/\(28×28, grey\)$/);
      expect(r.out.at(-1)).toMatch(new RegExp(`^1\\. \\d\\.\\d{4}  ${d}$`));
    }
  });

  it('fails clearly on a missing file, a file that is not a model, and bad usage', async () => {
    const missing = await run('--model', 'nope.mat', '--image', 'image.png');
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`classify: --model ${join(fixtures, 'nope.mat')}: no such file`);
    const notModel = await run('--model', 'image.png', '--image', 'image.png');
    expect(notModel.code).toBe(1);
    expect(notModel.err).toMatch(/^classify: readMat/);
    const notImage = await run('--model', join(zoo, 'simplenn-beta25.v7.mat'), '--image', 'reference.json');
    expect(notImage.code).toBe(1);
    expect(notImage.err).toMatch(/must be a PNG or JPEG image/);
    expect((await run('--image', 'image.png')).err).toMatch(/--model FILE is required/);
    expect((await run('--model', 'a.mat', '--image', 'b.png', '--top', '0')).code).toBe(2);
    expect((await run('--model', 'a.mat', '--image', 'b.png', '--backend', 'tpu')).err).toMatch(/--backend must be cpu or webgpu, got tpu/);
    const bogus = await run('--modle', 'a.mat');
    expect(bogus.code).toBe(2);
    expect(bogus.err).toBe('classify: unknown option --modle; did you mean --model? (see --help)');
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/Classify an image with a MatConvNet model/);
  });
});
