import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Engine, Task } from './engine.js';
import { ALEXNET, ALEXNET_RATE, type BenchData, CONV, type HostTensor, LENET, LENET_RATE } from './workloads.js';

/** The interpreter: `BENCH_PYTHON`, else Debian's `/usr/bin/python3.11` (where `python3-torch` lives; the `python3` on PATH may be another). */
export function pythonPath(): string {
  return process.env.BENCH_PYTHON ?? '/usr/bin/python3.11';
}

const SCRIPT = fileURLToPath(new URL('../python/torch_bench.py', import.meta.url));

type Reply = { ms?: number; sums?: [number, number]; gflops?: number; error?: string; ready?: boolean; torch?: string; route?: string | null; times?: Record<string, number> };

/**
 * PyTorch CPU as a long-lived child (`python/torch_bench.py`): the bench's
 * data goes to it once through raw float32 files in a temporary directory,
 * then each timed repetition is one request line and one answer line over
 * the pipe, so PyTorch takes its turn in the interleaving like every engine.
 */
export class TorchChild {
  readonly version: string;
  #child: ChildProcessWithoutNullStreams;
  #lines: AsyncIterator<string>;
  #dir: string;
  #busy: Promise<unknown> = Promise.resolve();

  private constructor(child: ChildProcessWithoutNullStreams, lines: AsyncIterator<string>, dir: string, version: string) {
    this.#child = child;
    this.#lines = lines;
    this.#dir = dir;
    this.version = version;
  }

  /** The child's process id (the bench pins it beside its own process: affinity.ts). */
  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Starts the child on `data`, or returns why it cannot (no interpreter, no torch): the bench prints that and skips the column. */
  static async start(data: BenchData): Promise<TorchChild | string> {
    const python = pythonPath();
    if (!existsSync(python)) return `PyTorch skipped: no ${python} (set BENCH_PYTHON; Debian: apt-get install python3-torch libopenblas0-pthread)`;
    const dir = await mkdtemp(join(tmpdir(), 'convnet-bench-torch-'));
    await writeData(dir, data);
    const child = spawn(python, [SCRIPT, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next().catch(() => ({ done: true, value: undefined }));
    if (first.done) {
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      await rm(dir, { recursive: true, force: true });
      const why = stderr.trim().split('\n').at(-1) ?? '';
      return `PyTorch skipped: ${python} could not start torch_bench.py (${why || `exit ${child.exitCode}`}; Debian: apt-get install python3-torch libopenblas0-pthread)`;
    }
    const hello = JSON.parse(first.value as string) as Reply;
    return new TorchChild(child, lines, dir, hello.torch ?? 'unknown');
  }

  /** One request, one answer; requests are queued (the bench sends one at a time anyway). */
  request(req: Record<string, unknown>): Promise<Reply> {
    const next = this.#busy.then(async () => {
      this.#child.stdin.write(`${JSON.stringify(req)}\n`);
      const line = await this.#lines.next();
      if (line.done) throw new Error('the PyTorch child exited');
      const reply = JSON.parse(line.value) as Reply;
      if (reply.error) throw new Error(`PyTorch: ${reply.error}`);
      return reply;
    });
    this.#busy = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((resolve) => this.#child.once('exit', resolve));
      this.#child.stdin.end(`${JSON.stringify({ op: 'quit' })}\n`);
      await exited;
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** Writes each tensor the script reads as `<name>.f32` (little-endian float32, as in memory on every platform Node runs on) and the manifest. */
async function writeData(dir: string, data: BenchData): Promise<void> {
  const tensors: Record<string, HostTensor> = { x: data.x, f: data.f, dy: data.dy, gemmA: data.gemmA, gemmB: data.gemmB, lenetX: data.lenetX };
  for (const [i, p] of data.lenetParams.entries()) Object.assign(tensors, { [`lenet${i}f`]: p.f, [`lenet${i}b`]: p.b });
  if (data.alexnet) {
    tensors.alexX = data.alexnet.x;
    for (const [i, p] of data.alexnet.params.entries()) Object.assign(tensors, { [`alex${i}f`]: p.f, [`alex${i}b`]: p.b });
  }
  const manifest = {
    tensors: Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, { file: `${name}.f32`, shape: t.shape }])),
    pad: CONV.pad,
    lenet: LENET,
    lenetLabels: data.lenetLabels,
    lenetRate: LENET_RATE,
    alexnet: ALEXNET,
    alexnetLabels: data.alexnet?.labels ?? [],
    alexnetRate: ALEXNET_RATE,
  };
  for (const [name, t] of Object.entries(tensors)) {
    await writeFile(join(dir, `${name}.f32`), new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

const ROWS = ['W1', 'W2 dzdx', 'W2 dzdf', 'W3', 'W4', 'W5'];

/**
 * PyTorch CPU at one thread count (`torch.set_num_threads`, set before each
 * repetition when it changes; one interop thread): the same operations as
 * convnet-ts (W2 through `aten.convolution_backward`, W3/W5 autograd and a
 * plain SGD update, W4 `torch.mm`).
 */
export function pytorchEngine(child: TorchChild, data: BenchData, threads: number): Engine {
  const task = (row: string): Task => ({
    run: async () => {
      await child.request({ op: 'run', row, threads });
      return () => {};
    },
  });
  return {
    name: 'pytorch',
    threads,
    threadNote: `${threads} (torch.set_num_threads; torch ${child.version}, oneDNN convolutions, its BLAS for GEMM)`,
    task: (row) => (ROWS.includes(row) && (row !== 'W5' || data.alexnet) ? task(row) : null),
    prepare: async (row, quick) => {
      const r = await child.request({ op: 'route', row, threads, reps: quick || row === 'W5' ? 1 : 2 });
      if (!r.route) return null;
      return `${r.route === 'nchw' ? 'NCHW' : 'channels_last'} tensors: the faster of NCHW and channels_last here (both tried before the row)`;
    },
    checksum: async (row) => (['W1', 'W2 dzdx', 'W2 dzdf', 'W4'].includes(row) ? ((await child.request({ op: 'checksum', row, threads })).sums ?? null) : null),
    dispose: () => {},
  };
}
