/**
 * The image-folder example end to end on a tiny generated folder (3 classes
 * of 16×16 grey PNGs: dark, light, vertical stripes; seeded noise): one
 * epoch of LeNet at 16×16, the checkpoint, plot and net.mat in the
 * experiment folder, `--continue` for a second epoch, the refusal to
 * overwrite a run, and the classify command reading the saved model (its
 * meta.normalization and meta.classes). The decoding worker is the built
 * one (pnpm build), as in imagefolder-mnist.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setDefaultWorkerUrl } from '@convnet-ts/images/node';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { classify } from './classify-cli.js';
import { runImageFolder } from './imagefolder-job.js';
import { greyPng } from './imagefolder-mnist-png.js';
import { bodyOutputSize, imageNetInit } from './imagefolder-nets.js';

const worker = new URL('../../../packages/images/dist/node-worker.js', import.meta.url);

function makeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'imagefolder-'));
  const rng = new Rng(5);
  const kinds: Record<string, (x: number, y: number) => number> = { dark: () => 50, light: () => 200, stripes: (x) => (x % 4 < 2 ? 30 : 220) };
  for (const [cls, f] of Object.entries(kinds)) {
    mkdirSync(join(root, cls));
    for (let k = 0; k < 10; k++) {
      const px = Uint8Array.from({ length: 256 }, (_, i) => Math.max(0, Math.min(255, Math.round(f(i % 16, Math.floor(i / 16)) + 30 * (rng.uniform() - 0.5)))));
      writeFileSync(join(root, cls, `${cls}${k}.png`), greyPng(16, 16, px));
    }
  }
  return root;
}

async function run(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runImageFolder(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: { write: () => true }, cwd, repoRoot: cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('bash scripts/run.sh imagefolder', () => {
  it('trains LeNet on a folder for one epoch, continues, saves a model that classify reads', async () => {
    if (!existsSync(worker)) throw new Error(`build @convnet-ts/images first (pnpm --filter @convnet-ts/images build): no ${worker.pathname}`);
    setDefaultWorkerUrl(worker);
    const data = makeFolder();
    const work = mkdtempSync(join(tmpdir(), 'imagefolder-run-'));
    const args = ['--data', data, '--model', 'lenet', '--size', '16', '--grey', '--batch-size', '8', '--learning-rate', '0.001', '--val-fraction', '0.2', '--exp-dir', 'exp'];
    const first = await run([...args, '--epochs', '1'], work);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('lenet at 16×16×1: 3 classes (dark, light, stripes), 24 training and 6 held-out images');
    expect(first.out).toMatch(/epoch 1: waited \d+\.\d\d s for images, \d+\.\d% of \d+\.\d s computing/);
    for (const f of ['net-epoch-1.ctsnet', 'net-epoch-1.state', 'net-train.svg', 'net.mat']) expect(existsSync(join(work, 'exp', f))).toBe(true);

    const again = await run([...args, '--epochs', '2'], work);
    expect(again.code).toBe(2);
    expect(again.err).toContain('holds a run');
    const resumed = await run([...args, '--epochs', '2', '--continue'], work);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toContain('epoch 2: waited');
    expect(resumed.out).not.toContain('epoch 1: waited');
    expect(existsSync(join(work, 'exp', 'net-epoch-2.ctsnet'))).toBe(true);

    const out: string[] = [];
    const err: string[] = [];
    const code = await classify(['--model', join(work, 'exp', 'net.mat'), '--image', join(data, 'stripes', 'stripes3.png'), '--top', '3'], { out: (l) => out.push(l), err: (l) => err.push(l), cwd: work });
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const ranked = out.filter((l) => /^\d+\. /.test(l));
    expect(ranked).toHaveLength(3);
    expect(ranked.map((l) => l.split(/\s+/).slice(-1)[0]).sort()).toEqual(['dark', 'light', 'stripes']);
  }, 240_000);

  it('alexnet and vgg-f at MatConvNet sizes leave fc6 6×6, and small sizes are refused', () => {
    expect(bodyOutputSize('alexnet', 227, 3)).toBe(6);
    expect(bodyOutputSize('vgg-f', 224, 3)).toBe(6);
    expect(bodyOutputSize('lenet', 28, 1)).toBe(4);
    const cpu = createCpuBackend();
    const net = imageNetInit(cpu, { model: 'alexnet', size: 227, channels: 3, classes: 5, bnorm: true, seed: 1, fcWidth: 16 });
    const types = net.layers.map((l) => l.type);
    expect(types.filter((t) => t === 'bnorm')).toHaveLength(7);
    expect(types).not.toContain('lrn');
    expect(types.slice(-2)).toEqual(['conv', 'softmaxloss']);
    const fc6 = net.layers.find((l) => l.name === 'conv6') as unknown as { weights: { shape: readonly number[] }[] };
    expect(fc6.weights[0]!.shape).toEqual([6, 6, 256, 16]);
    expect(() => imageNetInit(cpu, { model: 'vgg-f', size: 30, channels: 3, classes: 5, bnorm: false, seed: 1 })).toThrow('too small for vgg-f');
    cpu.dispose();
  });
});
