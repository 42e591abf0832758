import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowedCpus, cpuList, parseCpuList, processAffinity } from './affinity.js';

describe('CPU lists', () => {
  it('parses Linux CPU lists and gives the first CPU for one thread, the first min(threads, cpus) for more', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('5')).toEqual([5]);
    expect(cpuList(1, [0, 1])).toBe('0');
    expect(cpuList(2, [0, 1])).toBe('0,1');
    expect(cpuList(8, [4, 5])).toBe('4,5');
    expect(cpuList(Number.POSITIVE_INFINITY, [0, 1, 2])).toBe('0,1,2');
    expect(cpuList(0, [3, 4])).toBe('3');
  });
});

describe('processAffinity', () => {
  const affinity = processAffinity(() => []);
  const all = parseCpuList(allowedCpus(process.pid) ?? '');

  it.skipIf(typeof affinity === 'string')('pins every thread of a process to the first CPU for one thread and back to all for N', async () => {
    // A child with threads of its own (a worker), as the engines' processes have.
    const child = spawn(process.execPath, ['-e', "new (require('node:worker_threads').Worker)('setInterval(() => {}, 1000)', { eval: true }); setInterval(() => {}, 1000);"], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pid = child.pid!;
      const pinning = processAffinity(() => [pid]);
      if (typeof pinning === 'string') throw new Error(pinning);
      pinning.pin(1);
      const tids = readdirSync(`/proc/${pid}/task`).map(Number);
      expect(tids.length).toBeGreaterThan(1);
      for (const tid of tids) expect(parseCpuList(allowedCpus(pid, tid)!)).toEqual([all[0]]);
      pinning.pin(Number.POSITIVE_INFINITY);
      for (const tid of tids) expect(parseCpuList(allowedCpus(pid, tid)!)).toEqual(all);
      expect(pinning.note).toContain(`pinned to CPU ${all[0]}`);
    } finally {
      child.kill();
    }
  });

  it('says why where it cannot pin', () => {
    if (typeof affinity === 'string') expect(affinity).toMatch(/^not pinned: /);
    else expect(all.length).toBeGreaterThan(1);
  });
});
