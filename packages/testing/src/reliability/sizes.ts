import * as B from '@convnet-ts/blocks';
import { isConvnetError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

/**
 * Enormous shapes fail fast and clearly (issue 13, item 6): a tensor or a
 * block output larger than the backend's `maxTensorBytes` throws a typed
 * error naming the block, the tensor and the bytes, before anything is
 * allocated (`checkAllocation` in @convnet-ts/tensor). Inputs stay tiny: the
 * huge outputs come from pads and upsampling.
 */
export function describeSizeLimits(target: ReliabilityTarget): void {
  describe(`enormous shapes: ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    it('zeros, fill and tensor of 2^31 elements throw before allocating', async () => {
      const be = await getBackend();
      const before = be.memory();
      expect(be.maxTensorBytes).toBeGreaterThan(0);
      for (const make of [() => be.zeros([2 ** 31]), () => be.fill([2 ** 16, 2 ** 15], 1), () => be.zeros([2, 2 ** 30])]) {
        let err: unknown;
        try {
          make();
        } catch (e) {
          err = e;
        }
        expect(isConvnetError(err), String(err)).toBe(true);
        expect((err as Error).message).toMatch(/of at most \d+ bytes expected .*got (8589934592|17179869184) bytes/);
      }
      expect(be.memory()).toEqual(before);
    });

    it('conv, convt and pool outputs of 4.3 G elements throw naming the block, the output and the bytes', async () => {
      const be = await getBackend();
      const bytes = be.dtype === 'float64' ? 8 : 4;
      const x = be.tensor([1], [1, 1, 1, 1]);
      const f = be.tensor([2], [1, 1, 1, 1]);
      const x2 = be.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
      const before = be.memory();
      const cases: [() => Tensor, RegExp][] = [
        [() => B.conv(x, f, null, { pad: 32768 }), /^conv: y \[1, 65537, 65537, 1\] of at most \d+ bytes expected \(the \w+ float\d\d backend's largest tensor\), got (\d+) bytes \(4295098369 elements × [48]\)$/],
        [() => B.convt(x2, f, null, { upsample: 65536 }), /^convt: y \[1, 65537, 65537, 1\] of at most \d+ bytes expected .*\(4295098369 elements × [48]\)$/],
        [() => B.pool(x, 65536, { pad: 65535 }), /^pool: y \[1, 65536, 65536, 1\] of at most \d+ bytes expected .*\(4294967296 elements × [48]\)$/],
      ];
      for (const [call, message] of cases) {
        const started = performance.now();
        expect(call).toThrow(message);
        expect(performance.now() - started).toBeLessThan(1000);
      }
      expect(() => B.conv(x, f, null, { pad: 32768 })).toThrow(String(4295098369 * bytes));
      expect(be.memory()).toEqual(before);
      for (const t of [x, f, x2]) t.dispose();
    });
  });
}
