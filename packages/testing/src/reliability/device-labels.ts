import * as B from '@convnet-ts/blocks';
import { type Tensor, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from './target.js';

/**
 * Labels, ROIs and instance weights held in tensors are checked on every
 * backend (issue 13, item 3), with the CPU's `ValueError`s: on WebGPU from
 * the host copy kept when the tensor was uploaded (`hostValues`); a tensor
 * computed on the device cannot be checked without a read back and is refused.
 */
export function describeDeviceLabels(target: ReliabilityTarget): void {
  describe(`labels, ROIs and weights in tensors: ${target.name}`, () => {
    const getBackend = lazyBackend(target);

    it('bad class labels in a tensor throw the ValueError of the array form (loss, softmaxloss, backward)', async () => {
      const be = await getBackend();
      const x = be.tensor([0.1, 0.5, -0.3, 0.2, 0.4, 0.9], [2, 1, 1, 3]);
      const before = be.memory();
      for (const bad of [9, -1, 1.5, Number.NaN]) {
        const c = be.tensor([1, bad], [2]);
        const message = `labels must be integers in 1..3 (0 = ignore), got ${bad} at index 1`;
        expect(() => B.loss(x, c)).toThrow(ValueError);
        expect(() => B.loss(x, c)).toThrow(message);
        expect(() => B.loss(x, [1, bad])).toThrow(message);
        expect(() => B.softmaxloss(x, c)).toThrow(message);
        expect(() => B.lossBackward(x, c, 1)).toThrow(message);
        expect(() => B.loss(x, c, { loss: 'classerror' })).toThrow(message);
        c.dispose();
      }
      const attributes = be.tensor([1, -1, 0, 1, 0.5, -1], [2, 1, 1, 3]);
      expect(() => B.loss(x, attributes, { loss: 'binarylog' })).toThrow('labels must be +1 or -1 (0 = ignore), got 0.5 at index 4');
      attributes.dispose();
      expect(be.memory()).toEqual(before);
      x.dispose();
    });

    it('NaN or negative instance weights in a tensor throw', async () => {
      const be = await getBackend();
      const x = be.tensor([0.1, 0.5, -0.3, 0.2, 0.4, 0.9], [2, 1, 1, 3]);
      const before = be.memory();
      for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
        const w = be.tensor([1, bad], [2]);
        expect(() => B.loss(x, [1, 2], { instanceWeights: w })).toThrow(`instanceWeights must be finite numbers ≥ 0, got ${bad} at index 1`);
        w.dispose();
      }
      expect(be.memory()).toEqual(before);
      x.dispose();
    });

    it('an ROI tensor with a bad image index throws', async () => {
      const be = await getBackend();
      const x = be.tensor(Array.from({ length: 32 }, (_, i) => i), [1, 4, 4, 2]);
      const rois = be.tensor([2, 1, 1, 3, 3], [1, 5]);
      const before = be.memory();
      expect(() => B.roiPool(x, rois)).toThrow('roiPool: rois[0] image index must be an integer in 1..1, got 2');
      const dy = be.zeros([1, 1, 1, 2]);
      expect(() => B.roiPoolBackward(x, rois, dy)).toThrow('rois[0] image index must be an integer in 1..1, got 2');
      dy.dispose();
      expect(be.memory()).toEqual(before);
      for (const t of [x, rois]) t.dispose();
    });

    it('labels computed on the device are checked where they can be read, refused where they cannot', async () => {
      const be = await getBackend();
      const x = be.tensor([0.1, 0.5, -0.3, 0.2, 0.4, 0.9], [2, 1, 1, 3]);
      const uploaded = be.tensor([1, 3], [2]);
      const computed = be.run('Unary', { x: uploaded }, { op: 'scale', alpha: 1 });
      const ok = B.loss(x, uploaded);
      const before = be.memory();
      if (be.readSync) {
        const y = B.loss(x, computed);
        expect(Array.from(await y.data())).toEqual(Array.from(await ok.data()));
        y.dispose();
      } else {
        expect(() => B.loss(x, computed)).toThrow(ValueError);
        expect(() => B.loss(x, computed)).toThrow(
          `loss: labels must be an array or a tensor made from host values (backend.tensor, at most 2^20 elements) so they can be checked without reading back the ${be.name} device, got a tensor computed on the device`,
        );
      }
      expect(be.memory()).toEqual(before);
      for (const t of [x, uploaded, computed, ok] as Tensor[]) t.dispose();
    });
  });
}
