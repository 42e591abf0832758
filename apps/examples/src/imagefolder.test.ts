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
import { display } from '@convnet-ts/simplenn';
import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { classify } from './classify-cli.js';
import { runImageFolder } from './imagefolder-job.js';
import { greyPng } from './imagefolder-mnist-files.js';
import { bodyOutputSize, DEFAULT_SIZE, type ImageNetModel, imageNetInit, minimumSize } from './imagefolder-nets.js';

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
  const progress: string[] = [];
  const code = await runImageFolder(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: { write: (t: string) => progress.push(t) }, cwd, repoRoot: cwd });
  return { code, out: out.join('\n'), err: err.join('\n'), progress: progress.join('') };
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
    expect(first.progress).toMatch(/^epoch 01\/1 .* im\/s {2}data \d+\.\d\d s \/ compute \d+\.\d s\n$/);
    for (const f of ['net-epoch-1.ctsnet', 'net-epoch-1.state', 'net-train.svg', 'net.mat']) expect(existsSync(join(work, 'exp', f))).toBe(true);

    const again = await run([...args, '--epochs', '2'], work);
    expect(again.code).toBe(2);
    expect(again.err).toContain('already holds a run (checkpoints of epoch 1)');
    const changed = await run([...args, '--epochs', '2', '--seed', '5', '--continue'], work);
    expect(changed.code).toBe(2);
    expect(changed.err).toContain('imagefolder: --continue: the run in');
    expect(changed.err).toContain('was started with --seed 0, not --seed 5');
    const resumed = await run([...args, '--epochs', '2', '--continue'], work);
    expect(resumed.code).toBe(0);
    expect(resumed.progress).toMatch(/^epoch 02\/2 .* data \d+\.\d\d s \/ compute /);
    expect(resumed.progress).not.toContain('epoch 01');
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

  it('alexnet, vgg-f, vgg-m and vgg-s at MatConvNet sizes leave fc6 6×6 (sizes from @convnet-ts/geometry), and small sizes are refused', () => {
    const cpu = createCpuBackend();
    const models = [['alexnet', 227, 256], ['vgg-f', 224, 256], ['vgg-m', 224, 512], ['vgg-s', 224, 512]] as const;
    const layout: Partial<Record<ImageNetModel, string[]>> = {};
    for (const [model, size, depth] of models) {
      expect(DEFAULT_SIZE[model]).toBe(size);
      expect(bodyOutputSize(model, size, 3)).toBe(6);
      for (const bnorm of [false, true]) {
        const net = imageNetInit(cpu, { model, size, channels: 3, classes: 5, bnorm, seed: 1, fcWidth: 16 });
        // display follows the sizes through the chain with @convnet-ts/geometry
        const rows = display(net).rows;
        const fc6 = net.layers.findIndex((l) => l.name === 'conv6');
        expect(rows[fc6]!.size).toEqual({ size: [6, 6], channels: depth });
        expect(rows[rows.length - 2]!.size).toEqual({ size: [1, 1], channels: 5 });
        const types = net.layers.map((l) => l.type);
        expect(types.filter((t) => t === 'conv')).toHaveLength(8);
        expect(types.filter((t) => t === 'lrn')).toHaveLength(bnorm ? 0 : 2);
        expect(types.filter((t) => t === 'dropout')).toHaveLength(bnorm ? 0 : 2);
        expect(types.filter((t) => t === 'bnorm')).toHaveLength(bnorm ? 7 : 0);
        expect(types.slice(-2)).toEqual(['conv', 'softmaxloss']);
        if (!bnorm) {
          layout[model] = net.layers.flatMap((l) =>
            l.type === 'conv' ? [[...l.weights[0]!.shape, l.stride ?? 1, l.pad ?? 0].join(' ')] : l.type === 'pool' ? [`pool ${l.pool} /${l.stride} ${l.pad ?? 0}`] : [],
          );
        }
        for (const l of net.layers) if (l.type === 'conv' || l.type === 'bnorm') for (const w of l.weights) w?.dispose();
      }
      // the hand formula agrees with geometry at other sizes too (the body alone: fc6 is sized from it)
      for (const s of [minimumSize(model), 255]) {
        const net = imageNetInit(cpu, { model, size: s, channels: 3, classes: 2, bnorm: true, seed: 1, fcWidth: 4 });
        const fc6 = net.layers.findIndex((l) => l.name === 'conv6');
        const k = bodyOutputSize(model, s, 3);
        expect(display(net).rows[fc6]!.size!.size).toEqual([k, k]);
        for (const l of net.layers) if (l.type === 'conv' || l.type === 'bnorm') for (const w of l.weights) w?.dispose();
      }
      expect(() => imageNetInit(cpu, { model, size: minimumSize(model) - 1, channels: 3, classes: 5, bnorm: false, seed: 1 })).toThrow(`too small for ${model}`);
    }
    // the layer parameters of cnn_imagenet_init.m's vgg_m and vgg_s (conv: filter shape, stride, pad; pool: size /stride pad)
    expect(layout['vgg-m']).toEqual(['7 7 3 96 2 0', 'pool 3 /2 0', '5 5 96 256 2 1', 'pool 3 /2 0,1,0,1', '3 3 256 512 1 1', '3 3 512 512 1 1', '3 3 512 512 1 1', 'pool 3 /2 0', '6 6 512 16 1 0', '1 1 16 16 1 0', '1 1 16 5 1 0']);
    expect(layout['vgg-s']).toEqual(['7 7 3 96 2 0', 'pool 3 /3 0,2,0,2', '5 5 96 256 1 0', 'pool 2 /2 0,1,0,1', '3 3 256 512 1 1', '3 3 512 512 1 1', '3 3 512 512 1 1', 'pool 3 /3 0,1,0,1', '6 6 512 16 1 0', '1 1 16 16 1 0', '1 1 16 5 1 0']);
    expect(layout['vgg-f']!.filter((c) => c.startsWith('pool'))).toEqual(['pool 3 /2 0,1,0,1', 'pool 3 /2 0', 'pool 3 /2 0']);
    expect(bodyOutputSize('lenet', 28, 1)).toBe(4);
    cpu.dispose();
  });
});
