import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Where the engines' processes may run, set before every timed run: a
 * one-thread run on one CPU (the same one for every engine), a run on more
 * threads on that many (all of them on a machine with no more). On a VM
 * whose vCPUs run at different speeds from moment to moment (another guest
 * on the same physical core), unpinned processes sit on whichever vCPU the
 * scheduler left them on, so one engine's one-thread runs may land on the
 * fast vCPU and another's on the slow one; pinned, they share one.
 */
export interface Affinity {
  /** Pins every process of `pids()` (all their threads) to the CPUs for a run on `threads` threads (all of them: `Infinity`). */
  pin(threads: number): void;
  /** What the report prints. */
  readonly note: string;
}

/**
 * The CPUs a run on `threads` threads gets out of `cpus` (the CPUs this
 * process may use, in order), in taskset's list syntax: the first one for
 * one thread, else the first min(threads, cpus) of them.
 */
export function cpuList(threads: number, cpus: readonly number[]): string {
  return cpus.slice(0, Math.max(1, Math.min(threads, cpus.length))).join(',');
}

/** The CPUs of a Linux CPU list ("0-3,8,10-11"), in order. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    for (let c = a; c <= (b !== undefined && Number.isInteger(b) ? b : a); c++) out.push(c);
  }
  return out;
}

/**
 * The CPUs the thread `tid` of process `pid` may run on, as Linux lists
 * them (`Cpus_allowed_list` of /proc/<pid>/task/<tid>/status), or null
 * where that cannot be read.
 */
export function allowedCpus(pid: number, tid = pid): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Pinning with util-linux's `taskset -a -p -c` (every thread of each
 * process) within the CPUs this process may use, or why there is none: not
 * Linux, no `taskset`, or one CPU. `pids` is asked on every pin (a peer's
 * child process may start later). Processes already on the wanted CPUs are
 * not touched again.
 */
export function processAffinity(pids: () => readonly number[]): Affinity | string {
  if (process.platform !== 'linux') return `not pinned: ${process.platform} (taskset is Linux's)`;
  const cpus = parseCpuList(allowedCpus(process.pid) ?? '');
  if (cpus.length < 2) return `not pinned: ${cpus.length === 0 ? 'no CPU list in /proc' : 'one CPU'}`;
  const probe = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return 'not pinned: no taskset (util-linux)';
  const applied = new Map<number, string>();
  return {
    note: `1-thread runs pinned to CPU ${cpus[0]}, N-thread runs to the first N of CPUs ${cpus.join(',')} (taskset -a: every thread of each engine's process)`,
    pin(threads: number): void {
      const list = cpuList(threads, cpus);
      for (const pid of pids()) {
        if (applied.get(pid) === list) continue;
        const r = spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { encoding: 'utf8' });
        if (r.status === 0) applied.set(pid, list);
      }
    },
  };
}
