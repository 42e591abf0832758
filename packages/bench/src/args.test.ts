import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

describe('parseArgs', () => {
  it('defaults to every workload, one thread, full mode', () => {
    expect(parseArgs([])).toEqual({ quick: false, threads: 1, only: ['W1', 'W2', 'W3', 'W4'] });
  });

  it('reads --quick, --threads N, --threads=N and --only in the canonical order', () => {
    expect(parseArgs(['--quick', '--threads', '2', '--only', 'w3,W1'])).toEqual({ quick: true, threads: 2, only: ['W1', 'W3'] });
    expect(parseArgs(['--', '--threads=4', '--only=W4'])).toEqual({ quick: false, threads: 4, only: ['W4'] });
  });

  it('rejects bad values and unknown arguments with the argument named', () => {
    expect(() => parseArgs(['--threads', '0'])).toThrow('bench: --threads expected a positive integer, got 0');
    expect(() => parseArgs(['--threads'])).toThrow('bench: --threads expected a value, got nothing');
    expect(() => parseArgs(['--only', 'W1,W5'])).toThrow('bench: --only expected workloads among W1,W2,W3,W4, got W1,W5');
    expect(() => parseArgs(['--fast'])).toThrow('bench: argument expected --quick, --threads N or --only W1,W2,W3,W4, got --fast');
  });
});
