import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-args.js';
import { DEFAULTS, HELP, type MnistOptions, parseMnistArgs } from './mnist-options.js';

const parse = (...args: string[]) => parseMnistArgs(args) as MnistOptions;
const failure = (...args: string[]) => {
  try {
    parseMnistArgs(args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseMnistArgs', () => {
  it('gives the documented defaults, plain and with --bnorm', () => {
    expect(parse()).toEqual({
      backend: 'cpu', bnorm: false, epochs: 10, batchSize: 100, learningRate: DEFAULTS.plain.learningRate, weightDecay: 0.005,
      momentum: 0.9, seed: 0, subset: null, expDir: null, continue: false, overwrite: false,
    });
    expect(parse('--bnorm')).toMatchObject({ bnorm: true, epochs: 8, learningRate: DEFAULTS.bnorm.learningRate, weightDecay: 0.0005 });
    expect(parseMnistArgs(['--help'])).toBe('help');
    expect(HELP).toContain('--weight-decay X       weight decay, 0 or more (default 0.005; 0.0005 with --bnorm)');
  });

  it('accepts the zeros that mean something: weight decay, momentum, learning rate, seed', () => {
    expect(parse('--weight-decay', '0', '--momentum', '0', '--learning-rate', '0', '--seed', '0')).toMatchObject({
      weightDecay: 0, momentum: 0, learningRate: [0], seed: 0,
    });
    expect(parse('--learning-rate', '0.01,0.001', '--seed=7', '--subset', '200').learningRate).toEqual([0.01, 0.001]);
  });

  it('refuses values outside their range, naming the option and the value', () => {
    expect(failure('--epochs', '0')).toBe('mnist-lenet: --epochs must be a positive integer, got 0 (see --help)');
    expect(failure('--batch-size', '2.5')).toBe('mnist-lenet: --batch-size must be a positive integer, got 2.5 (see --help)');
    expect(failure('--weight-decay=-1')).toBe('mnist-lenet: --weight-decay must be a number ≥ 0, got -1 (see --help)');
    expect(failure('--learning-rate', '0.1,,0.2')).toBe('mnist-lenet: --learning-rate must be a number ≥ 0, got  (see --help)');
    expect(failure('--momentum', '1')).toBe('mnist-lenet: --momentum must be a number in [0, 1), got 1 (see --help)');
    expect(failure('--seed=-3')).toBe('mnist-lenet: --seed must be an integer ≥ 0, got -3 (see --help)');
    expect(failure('--seed', '-3')).toBe('mnist-lenet: --seed needs a value; write --seed=VALUE for one that starts with - (see --help)');
    expect(failure('--subset', 'all')).toBe('mnist-lenet: --subset must be a positive integer, got all (see --help)');
    expect(failure('--backend', 'tpu')).toBe('mnist-lenet: --backend must be cpu or webgpu, got tpu (see --help)');
    expect(failure('--exp-dir', '')).toBe('mnist-lenet: --exp-dir must name a folder, got an empty string (see --help)');
    expect(failure('--continue', '--overwrite')).toBe(
      'mnist-lenet: --continue and --overwrite exclude each other: resume the run, or delete it and start again (see --help)',
    );
    expect(failure('--weight_decay', '0')).toBe('mnist-lenet: unknown option --weight_decay; did you mean --weight-decay? (see --help)');
  });
});
