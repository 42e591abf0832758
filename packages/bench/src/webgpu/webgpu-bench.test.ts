import { describe, expect, it } from 'vitest';
import { formatWebgpuTable, runWebgpuBench, type WebgpuCell } from './index.js';

/** True when the error is createNodeWebGPUBackend's "no adapter" (no GPU and no SwiftShader ICD selected). */
const noAdapter = (e: unknown): boolean => e instanceof Error && /adapter expected from Dawn/.test(e.message);

const SKIP =
  'webgpu bench test SKIPPED: Dawn found no WebGPU adapter. Without a GPU: apt-get install -y chromium libvulkan1 and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (CONVNET_TS_REQUIRE_WEBGPU=1 makes this a failure).';

describe('runWebgpuBench (tiny sizes, both engines on the same Dawn adapter)', () => {
  it('convnet-ts and tfjs-backend-webgpu give the same W1, W2 and W4 results, and every cell is timed and counted', async (ctx) => {
    let cells: WebgpuCell[];
    try {
      cells = await runWebgpuBench({ quick: true, tiny: true, only: ['W1', 'W2', 'W4'], repetitions: 1 });
    } catch (e) {
      if (noAdapter(e) && process.env.CONVNET_TS_REQUIRE_WEBGPU !== '1') {
        console.warn(SKIP);
        ctx.skip(SKIP);
        return;
      }
      throw e;
    }
    console.log(formatWebgpuTable(cells));
    const rows = ['W1', 'W2 dzdx', 'W2 dzdf', 'W4'];
    expect(cells.map((c) => `${c.row} ${c.engine}`)).toEqual(rows.flatMap((r) => [`${r} convnet-ts`, `${r} tfjs-webgpu`]));
    for (const c of cells) {
      expect(c.missing, `${c.row} ${c.engine}`).toBeUndefined();
      expect(c.gpuDone?.timesMs, `${c.row} ${c.engine}`).toHaveLength(1);
      expect(c.readBack?.medianMs, `${c.row} ${c.engine}`).toBeGreaterThan(0);
      expect(c.counts?.dispatches, `${c.row} ${c.engine} dispatches`).toBeGreaterThan(0);
      expect(c.counts?.submissions, `${c.row} ${c.engine} submissions`).toBeGreaterThan(0);
      expect(c.peak, 'SwiftShader has no known peak').toBeNull();
    }
    for (const c of cells.filter((x) => x.engine === 'tfjs-webgpu')) {
      const check = c.check;
      expect(check, c.row).toBeDefined();
      // Same float32 inputs; only the order of the sums differs between the two libraries' kernels.
      expect(check!.maxAbsRef, c.row).toBeGreaterThan(0.1);
      expect(check!.maxAbsDiff, c.row).toBeLessThanOrEqual(1e-5 * check!.maxAbsRef);
    }
    const table = formatWebgpuTable(cells);
    expect(table).toContain('W2 dzdf');
    expect(table).toMatch(/peak: unknown/);
  });

  it('rejects an unknown workload by name', async () => {
    await expect(runWebgpuBench({ quick: true, only: ['W9'] })).rejects.toThrow(/unknown workload W9/);
  });
});
