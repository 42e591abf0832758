import { describe, expect, it } from 'vitest';
import { closest, editDistance, parseCommandLine, UsageError } from './cli-args.js';

const options = { epochs: { type: 'string' }, 'weight-decay': { type: 'string' }, bnorm: { type: 'boolean' }, 'exp-dir': { type: 'string' } } as const;
const parse = (...args: string[]) => parseCommandLine('job', args, options);
const failure = (...args: string[]) => {
  try {
    parse(...args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('editDistance and closest', () => {
  it('counts insertions, deletions, substitutions and swaps of neighbours', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('epoch', 'epochs')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('modle', 'model')).toBe(1);
  });

  it('finds typos, underscores and unique prefixes, and nothing for unrelated names', () => {
    const known = Object.keys(options);
    expect(closest('weight_decay', known)).toBe('weight-decay');
    expect(closest('Epochs', known)).toBe('epochs');
    expect(closest('epoch', known)).toBe('epochs');
    expect(closest('exp', known)).toBe('exp-dir');
    expect(closest('expdir', known)).toBe('exp-dir');
    expect(closest('learning-rate', known)).toBeUndefined();
    expect(closest('e', known)).toBeUndefined();
  });
});

describe('parseCommandLine', () => {
  it('returns the values given, flags as booleans', () => {
    expect(parse('--epochs', '3', '--bnorm', '--weight-decay=0')).toEqual({ epochs: '3', bnorm: true, 'weight-decay': '0' });
    expect(parse()).toEqual({});
  });

  it('names the closest known option and --help for an unknown one', () => {
    expect(failure('--weight_decay', '0')).toBe('job: unknown option --weight_decay; did you mean --weight-decay? (see --help)');
    expect(failure('--epoch=3')).toBe('job: unknown option --epoch; did you mean --epochs? (see --help)');
    expect(failure('--learning-rate', '1')).toBe('job: unknown option --learning-rate (see --help)');
    expect(failure('-e', '3')).toBe('job: unknown option -e (see --help)');
  });

  it('says which option lacks a value or takes none, and refuses positional arguments', () => {
    expect(failure('--epochs')).toBe('job: --epochs needs a value (see --help)');
    expect(failure('--epochs', '--bnorm')).toBe('job: --epochs needs a value; write --epochs=VALUE for one that starts with - (see --help)');
    expect(failure('--bnorm=yes')).toBe('job: --bnorm takes no value (see --help)');
    expect(failure('runs/x')).toBe('job: unexpected argument runs/x; options start with -- (see --help)');
  });
});
