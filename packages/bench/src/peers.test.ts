import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convnetEngine } from './convnet-engine.js';
import { loadOrt, onnxruntimeEngine } from './onnxruntime-engine.js';
import { pythonPath, pytorchEngine, TorchChild } from './pytorch-engine.js';
import { makeData } from './workloads.js';

const data = makeData();
const rel = (a: [number, number], b: [number, number]) => Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])) / b[1];

describe('the peers compute on the same data as convnet-ts (skipped where a peer is absent)', () => {
  it.skipIf(!existsSync(pythonPath()))('PyTorch: W4’s product and W2’s dzdf checksum as convnet-ts’s, in either memory format; a repetition, the route and the SGEMM probe answer', async () => {
    const child = await TorchChild.start(data);
    if (typeof child === 'string') {
      // The interpreter exists but has no torch: the bench skips the column with this note.
      expect(child).toMatch(/^PyTorch skipped: /);
      return;
    }
    const ours = convnetEngine(data, 1);
    try {
      const torch = pytorchEngine(child, data, 2);
      for (const row of ['W4', 'W2 dzdf']) {
        const [a, b] = [await torch.checksum!(row), await ours.checksum!(row)];
        expect(rel(a!, b!), row).toBeLessThan(1e-6);
      }
      // The route: W2 dzdf in the faster memory format, same values; W4 (a matrix product) has one route.
      expect(await torch.prepare!('W2 dzdf', true)).toMatch(/^(NCHW|channels_last) tensors: the faster of NCHW and channels_last here/);
      expect(rel((await torch.checksum!('W2 dzdf'))!, (await ours.checksum!('W2 dzdf'))!)).toBeLessThan(1e-5);
      expect(await torch.prepare!('W4', true)).toBeNull();
      const release = await torch.task('W4')!.run!();
      release();
      expect((await child.request({ op: 'probe', threads: 1, size: 128 })).gflops).toBeGreaterThan(0);
      await expect(child.request({ op: 'run', row: 'W9', threads: 1 })).rejects.toThrow("PyTorch: KeyError: 'W9'");
    } finally {
      ours.dispose();
      await child.close();
    }
  });

  it('PyTorch absent: a note saying why, and the bench goes on', async () => {
    const saved = process.env.BENCH_PYTHON;
    try {
      process.env.BENCH_PYTHON = '/nonexistent/python3';
      expect(await TorchChild.start(data)).toBe(
        'PyTorch skipped: no /nonexistent/python3 (set BENCH_PYTHON; Debian: apt-get install python3-torch libopenblas0-pthread)',
      );
      // An interpreter that exits at once (as one without torch does after its ImportError).
      process.env.BENCH_PYTHON = '/bin/false';
      expect(await TorchChild.start(data)).toMatch(/^PyTorch skipped: \/bin\/false could not start torch_bench\.py \(exit 1;/);
    } finally {
      if (saved === undefined) delete process.env.BENCH_PYTHON;
      else process.env.BENCH_PYTHON = saved;
    }
  });

  it('ONNX Runtime: W4’s product and W2’s dzdx (ConvTranspose) checksum as convnet-ts’s', async () => {
    const ort = await loadOrt();
    if (typeof ort === 'string') {
      expect(ort).toMatch(/^ONNX Runtime skipped: /);
      return;
    }
    const ours = convnetEngine(data, 1);
    const engine = await onnxruntimeEngine(ort, data, 1);
    try {
      expect(engine.task('W3')).toBeNull();
      // W2 dzdx is one ConvTranspose node: the derivative convnet-ts computes.
      for (const row of ['W4', 'W2 dzdx']) {
        const [a, b] = [await engine.checksum!(row), await ours.checksum!(row)];
        expect(rel(a!, b!), row).toBeLessThan(1e-6);
      }
    } finally {
      ours.dispose();
      await engine.dispose();
    }
  });
});
