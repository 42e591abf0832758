import { describe, expect, it } from 'vitest';
import { defaultThreads, ENGINE_NAMES, parseArgs } from './args.js';

describe('parseArgs', () => {
  it('defaults to every workload and engine, 1 and N threads, full mode, the probed peak', () => {
    expect(parseArgs([])).toEqual({ quick: false, threads: defaultThreads(), only: ['W1', 'W2', 'W3', 'W4', 'W5'], engines: [...ENGINE_NAMES] });
    expect(defaultThreads()[0]).toBe(1);
  });

  it('reads --quick, --threads list, --only, --engines and --peak in canonical order', () => {
    expect(parseArgs(['--quick', '--threads', '2,1,2', '--only', 'w3,W1', '--engines', 'PyTorch,convnet-ts'])).toEqual({
      quick: true,
      threads: [1, 2],
      only: ['W1', 'W3'],
      engines: ['convnet-ts', 'pytorch'],
    });
    expect(parseArgs(['--', '--threads=4', '--only=W5', '--peak=193'])).toMatchObject({ threads: [4], only: ['W5'], peakGflops: 193 });
  });

  it('rejects bad values and unknown arguments with the argument named', () => {
    expect(() => parseArgs(['--threads', '0'])).toThrow('bench: --threads expected positive integers separated by commas, got 0');
    expect(() => parseArgs(['--threads'])).toThrow('bench: --threads expected a value, got nothing');
    expect(() => parseArgs(['--only', 'W1,W6'])).toThrow('bench: --only expected a list among W1,W2,W3,W4,W5, got W1,W6');
    expect(() => parseArgs(['--engines', 'mxnet'])).toThrow('bench: --engines expected a list among');
    expect(() => parseArgs(['--peak', '-3'])).toThrow('bench: --peak expected a positive number of GFLOP/s, got -3');
    expect(() => parseArgs(['--fast'])).toThrow('bench: argument expected --quick');
  });
});
