/**
 * The image-folder example's networks, MatConvNet's `cnn_imagenet_init`
 * architectures (examples/imagenet/cnn_imagenet_init.m) for C classes at a
 * chosen square input size S, as SimpleNNs (conv F×F×depth×out /stride
 * pad P; pool F/stride pad [top bottom left right]; every conv but the
 * last followed by relu):
 *
 * - `alexnet`: conv 11×11×3×96 /4 → lrn → pool 3/2 → conv 5×5×48×256
 *   (2 groups) pad 2 → lrn → pool 3/2 → conv 3×3×256×384 pad 1 → conv
 *   3×3×192×384 (2 groups) pad 1 → conv 3×3×192×256 (2 groups) pad 1 →
 *   pool 3/2 (S = 227 in MatConvNet);
 * - `vgg-f`: conv 11×11×3×64 /4 → lrn → pool 3/2 pad [0 1 0 1] → conv
 *   5×5×64×256 pad 2 → lrn → pool 3/2 → 3 × conv 3×3×256 pad 1 → pool 3/2
 *   (S = 224);
 * - `vgg-m`: conv 7×7×3×96 /2 → lrn → pool 3/2 → conv 5×5×96×256 /2 pad 1
 *   → lrn → pool 3/2 pad [0 1 0 1] → conv 3×3×256×512 pad 1 → 2 × conv
 *   3×3×512 pad 1 → pool 3/2 (S = 224);
 * - `vgg-s`: conv 7×7×3×96 /2 → lrn → pool 3/3 pad [0 2 0 2] → conv
 *   5×5×96×256 → lrn → pool 2/2 pad [0 1 0 1] → conv 3×3×256×512 pad 1 →
 *   2 × conv 3×3×512 pad 1 → pool 3/3 pad [0 1 0 1] (S = 224);
 * - then fc6 (a conv over all that is left) 4096 → dropout → fc7 4096 →
 *   dropout → fc8 C → softmaxloss; at MatConvNet's sizes fc6 is 6×6;
 * - `lenet`: cnn_mnist_init's conv 5×5×C×20 → pool 2/2 → conv 5×5×20×50 →
 *   pool 2/2 → conv k×k×50×500 → relu → conv 1×1×500×C (for small images;
 *   no relu after its first two convs, as cnn_mnist_init).
 *
 * fc6 (lenet's third conv) covers what is left of the image, k×k with
 * k = ⌊(H + Pt + Pb − F)/S⌋ + 1 followed through the layers (MatConvNet's
 * output size, manual §4.1; the test checks it against
 * `@convnet-ts/geometry` through `display`), so any S works that leaves
 * k ≥ 1. Weights: cnn_imagenet_init's `xavierimproved`, randn ·
 * √(2 / (F_h·F_w·out)), the last layer's divided by 10 (its default,
 * `gaussian` 0.01·randn, is for ImageNet's long schedules), biases 0
 * (lenet: 0.01·randn as cnn_mnist_init). The fan-in scale √(2 / (F_h·F_w·depth))
 * used before made the logits of raw 0..255 inputs so large that plain
 * VGG-F diverged in its first epoch at learning rate 0.001. `fcWidth` (default 4096) narrows fc6 and
 * fc7 (for small problems and tests). `bnorm`: a bnorm after each conv but
 * the last, and — as cnn_imagenet_init's `opts.batchNormalization` — no
 * lrn and no dropout; those convs' biases are left out (a bnorm's shift
 * takes their place).
 */
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { type Backend, Rng, randnTensor } from '@convnet-ts/tensor';

export type ImageNetModel = 'lenet' | 'alexnet' | 'vgg-f' | 'vgg-m' | 'vgg-s';
export const MODELS: readonly ImageNetModel[] = ['lenet', 'alexnet', 'vgg-f', 'vgg-m', 'vgg-s'];
/** MatConvNet's input sizes (lenet: MNIST's). */
export const DEFAULT_SIZE: Record<ImageNetModel, number> = { lenet: 28, alexnet: 227, 'vgg-f': 224, 'vgg-m': 224, 'vgg-s': 224 };

type Layer = SimpleNNSpec['layers'][number];
interface Conv { kind: 'conv'; f: number; depth: number; out: number; stride?: number; pad?: number; relu: boolean; lrn?: boolean }
interface Pool { kind: 'pool'; f: number; stride: number; pad?: [number, number, number, number] }
type Step = Conv | Pool;

const BODIES: Record<ImageNetModel, (c: number) => Step[]> = {
  alexnet: (c) => [
    { kind: 'conv', f: 11, depth: c, out: 96, stride: 4, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 2 },
    { kind: 'conv', f: 5, depth: 48, out: 256, pad: 2, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 2 },
    { kind: 'conv', f: 3, depth: 256, out: 384, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 192, out: 384, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 192, out: 256, pad: 1, relu: true }, { kind: 'pool', f: 3, stride: 2 },
  ],
  'vgg-f': (c) => [
    { kind: 'conv', f: 11, depth: c, out: 64, stride: 4, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 2, pad: [0, 1, 0, 1] },
    { kind: 'conv', f: 5, depth: 64, out: 256, pad: 2, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 2 },
    { kind: 'conv', f: 3, depth: 256, out: 256, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 256, out: 256, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 256, out: 256, pad: 1, relu: true }, { kind: 'pool', f: 3, stride: 2 },
  ],
  'vgg-m': (c) => [
    { kind: 'conv', f: 7, depth: c, out: 96, stride: 2, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 2 },
    { kind: 'conv', f: 5, depth: 96, out: 256, stride: 2, pad: 1, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 2, pad: [0, 1, 0, 1] },
    { kind: 'conv', f: 3, depth: 256, out: 512, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 512, out: 512, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 512, out: 512, pad: 1, relu: true }, { kind: 'pool', f: 3, stride: 2 },
  ],
  'vgg-s': (c) => [
    { kind: 'conv', f: 7, depth: c, out: 96, stride: 2, relu: true, lrn: true }, { kind: 'pool', f: 3, stride: 3, pad: [0, 2, 0, 2] },
    { kind: 'conv', f: 5, depth: 96, out: 256, relu: true, lrn: true }, { kind: 'pool', f: 2, stride: 2, pad: [0, 1, 0, 1] },
    { kind: 'conv', f: 3, depth: 256, out: 512, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 512, out: 512, pad: 1, relu: true },
    { kind: 'conv', f: 3, depth: 512, out: 512, pad: 1, relu: true }, { kind: 'pool', f: 3, stride: 3, pad: [0, 1, 0, 1] },
  ],
  lenet: (c) => [
    { kind: 'conv', f: 5, depth: c, out: 20, relu: false }, { kind: 'pool', f: 2, stride: 2 },
    { kind: 'conv', f: 5, depth: 20, out: 50, relu: false }, { kind: 'pool', f: 2, stride: 2 },
  ],
};

/** The spatial size after `steps` on an S×S input (MatConvNet's output-size formula). */
export function bodyOutputSize(model: ImageNetModel, size: number, channels: number): number {
  let h = size;
  for (const s of BODIES[model](channels)) {
    const [pt, pb] = s.kind === 'pool' ? [s.pad?.[0] ?? 0, s.pad?.[1] ?? 0] : [s.pad ?? 0, s.pad ?? 0];
    h = Math.floor((h + pt + pb - s.f) / (s.stride ?? 1)) + 1;
  }
  return h;
}

/** The smallest S for which `model`'s layers leave a pixel. */
export function minimumSize(model: ImageNetModel): number {
  let s = 1;
  while (!(bodyOutputSize(model, s, 3) >= 1)) s++;
  return s;
}

export function imageNetInit(backend: Backend, o: { model: ImageNetModel; size: number; channels: 1 | 3; classes: number; bnorm: boolean; seed: number; fcWidth?: number }): SimpleNNSpec {
  const fc = o.fcWidth ?? 4096;
  const k = bodyOutputSize(o.model, o.size, o.channels);
  if (!(k >= 1)) throw new RangeError(`imagefolder: --size ${o.size} is too small for ${o.model} (its layers leave no pixel); use at least ${minimumSize(o.model)}`);
  const rng = new Rng(o.seed);
  const lenet = o.model === 'lenet';
  let n = 0;
  const conv = (f: number, depth: number, out: number, last: boolean, extra: Partial<{ stride: number; pad: number }> = {}): Layer[] => {
    n++;
    const std = lenet ? 0.01 : Math.sqrt(2 / (f * f * out)) / (last ? 10 : 1);
    const bias = !o.bnorm || last;
    const layer: Layer = { type: 'conv', name: `conv${n}`, weights: [randnTensor(backend, [f, f, depth, out], rng, std), bias ? backend.zeros([out]) : null], ...extra };
    const bn: Layer[] = o.bnorm && !last ? [{ type: 'bnorm', name: `bn${n}`, weights: [backend.fill([out], 1), backend.zeros([out])], learningRate: [2, 1, 0.05], weightDecay: [0, 0, 0] }] : [];
    return [layer, ...bn];
  };
  const layers: Layer[] = [];
  for (const s of BODIES[o.model](o.channels)) {
    if (s.kind === 'pool') {
      layers.push({ type: 'pool', name: `pool${n}`, method: 'max', pool: s.f, stride: s.stride, ...(s.pad ? { pad: s.pad } : {}) });
      continue;
    }
    layers.push(...conv(s.f, s.depth, s.out, false, { ...(s.stride ? { stride: s.stride } : {}), ...(s.pad ? { pad: s.pad } : {}) }));
    if (s.relu) layers.push({ type: 'relu', name: `relu${n}` });
    if (s.lrn && !o.bnorm) layers.push({ type: 'lrn', name: `norm${n}`, param: [5, 1, 0.0001 / 5, 0.75] });
  }
  if (lenet) {
    layers.push(...conv(k, 50, 500, false), { type: 'relu', name: `relu${n}` }, ...conv(1, 500, o.classes, true));
  } else {
    const depth = BODIES[o.model](o.channels).filter((s) => s.kind === 'conv').at(-1)!.out;
    const dropout = (): Layer[] => (o.bnorm ? [] : [{ type: 'dropout', name: `dropout${n}`, rate: 0.5 }]);
    layers.push(...conv(k, depth, fc, false), { type: 'relu', name: `relu${n}` }, ...dropout());
    layers.push(...conv(1, fc, fc, false), { type: 'relu', name: `relu${n}` }, ...dropout());
    layers.push(...conv(1, fc, o.classes, true));
  }
  layers.push({ type: 'softmaxloss', name: 'loss' });
  return { layers, meta: { inputSize: [1, o.size, o.size, o.channels] } };
}
