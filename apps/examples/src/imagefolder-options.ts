/**
 * The image-folder example's command line (`bash scripts/run.sh imagefolder
 * --data DIR [options]`): defaults, `--help`, and the checks.
 */
import { numberParsers, parseCommandLine } from './cli-args.js';
import type { ExpDirRun } from './exp-dir.js';
import { SGD_FLAGS, type SgdArgs, sgdSettings } from './sgd-options.js';
import { DEFAULT_SIZE, type ImageNetModel, MODELS } from './imagefolder-nets.js';

export const HELP = `Train a MatConvNet cnn_imagenet_init network on a folder of images (one sub-folder per class).

  bash scripts/run.sh imagefolder --data DIR [options]

  --data DIR             DIR/<class>/<image>.png|jpg; classes in sorted folder order
  --model M              lenet | alexnet | vgg-f | vgg-m | vgg-s (default lenet)
  --bnorm                batch normalisation after each conv but the last (no lrn, no dropout)
  --size S               input S×S (default 28 for lenet, 227 alexnet, 224 vgg-f/m/s)
  --grey                 one grey channel instead of RGB
  --epochs N             epochs (default 10)
  --batch-size N         images per batch (default 32)
  --learning-rate X[,Y…] SGD learning rate, or one per epoch (default 0.001; 0.01 with --bnorm)
  --weight-decay X       weight decay (default 0.0005)
  --momentum X           SGD momentum, 0 ≤ X < 1 (default 0.9)
  --val-fraction X       share of each class held out, 0 ≤ X < 1 (default 0.1)
  --threads N            decoding worker threads (default 2)
  --seed N               weights, split, shuffling and jitter (default 0)
  --exp-dir DIR          checkpoints, plot and net.mat (default runs/imagefolder-<model>[-bnorm]
                         at the repository root; a relative DIR is taken from the directory
                         the command was started in)
  --continue             resume the run in --exp-dir from its newest checkpoint
                         (refused if its data, model, size, colour, split or SGD
                         settings differ: see run-options.json there)
  --overwrite            delete the run in --exp-dir and start again
  --help                 this text

Training images get random crops (80–100% of the side), flips and the mean colour subtracted;
held-out images a centre crop of 87.5%. The model (net.mat) records meta.normalization and
meta.classes: bash scripts/run.sh classify --model <exp-dir>/net.mat --image photo.jpg`;

export interface ImageFolderArgs extends SgdArgs {
  data: string;
  model: ImageNetModel;
  bnorm: boolean;
  size: number;
  channels: 1 | 3;
  valFraction: number;
  threads: number;
  expDir: string | null;
  continue: boolean;
  overwrite: boolean;
}

const COMMAND = 'imagefolder';

/** What decides an image-folder run's result (saved in its experiment folder), and the epochs asked for. */
export type ImageFolderSettings = SgdArgs & Pick<ImageFolderArgs, 'data' | 'model' | 'bnorm' | 'size' | 'channels' | 'valFraction'>;

/**
 * The image-folder run of `o` on the folder `dataDir` (resolved), as its
 * experiment folder checks it: `--continue` refuses another folder, model,
 * size, colour, split or SGD setting (`--threads` changes no result).
 */
export function imageFolderRun(o: ImageFolderArgs, dataDir: string): ExpDirRun<ImageFolderSettings> {
  return {
    command: COMMAND,
    saved: { data: dataDir, model: o.model, bnorm: o.bnorm, size: o.size, channels: o.channels, valFraction: o.valFraction, ...sgdSettings(o) },
    flags: {
      data: (s) => `--data ${s.data}`,
      model: (s) => `--model ${s.model}`,
      bnorm: (s) => (s.bnorm ? '--bnorm' : 'no --bnorm'),
      size: (s) => `--size ${s.size}`,
      channels: (s) => (s.channels === 1 ? '--grey' : 'no --grey'),
      valFraction: (s) => `--val-fraction ${s.valFraction}`,
      ...SGD_FLAGS,
    },
    continue: o.continue,
    overwrite: o.overwrite,
  };
}
const { bad, number, positiveInteger, nonNegative, rates: learningRates, momentum } = numberParsers(COMMAND);

export function parseImageFolderArgs(argv: readonly string[]): ImageFolderArgs | 'help' {
  const v = parseCommandLine(COMMAND, argv, {
    data: { type: 'string' }, model: { type: 'string' }, bnorm: { type: 'boolean' }, size: { type: 'string' }, grey: { type: 'boolean' },
    epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'learning-rate': { type: 'string' }, 'weight-decay': { type: 'string' },
    momentum: { type: 'string' }, 'val-fraction': { type: 'string' }, threads: { type: 'string' }, seed: { type: 'string' },
    'exp-dir': { type: 'string' }, continue: { type: 'boolean' }, overwrite: { type: 'boolean' }, help: { type: 'boolean' },
  });
  if (v.help) return 'help';
  if (v.data === undefined || v.data.trim() === '') throw bad('--data must name a folder with one sub-folder per class, got none');
  const model = (v.model ?? 'lenet') as ImageNetModel;
  if (!MODELS.includes(model)) throw bad(`--model must be ${MODELS.join(', ')}, got ${v.model}`);
  if (v.continue && v.overwrite) throw bad('--continue and --overwrite exclude each other');
  const bnorm = v.bnorm ?? false;
  const rates = v['learning-rate'];
  return {
    data: v.data,
    model,
    bnorm,
    size: v.size === undefined ? DEFAULT_SIZE[model] : positiveInteger('size', v.size),
    channels: v.grey ? 1 : 3,
    epochs: v.epochs === undefined ? 10 : positiveInteger('epochs', v.epochs),
    batchSize: v['batch-size'] === undefined ? 32 : positiveInteger('batch-size', v['batch-size']),
    learningRate: rates === undefined ? [bnorm ? 0.01 : 0.001] : learningRates('learning-rate', rates),
    weightDecay: v['weight-decay'] === undefined ? 0.0005 : nonNegative('weight-decay', v['weight-decay']),
    momentum: v.momentum === undefined ? 0.9 : momentum(v.momentum),
    valFraction: v['val-fraction'] === undefined ? 0.1 : number('val-fraction', v['val-fraction'], (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
    threads: v.threads === undefined ? 2 : positiveInteger('threads', v.threads),
    seed: v.seed === undefined ? 0 : number('seed', v.seed, (x) => Number.isSafeInteger(x) && x >= 0 && x <= 0xffffffff, 'an integer in 0..2^32 − 1'),
    expDir: v['exp-dir'] ?? null,
    continue: v.continue ?? false,
    overwrite: v.overwrite ?? false,
  };
}
