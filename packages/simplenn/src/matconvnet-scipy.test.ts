/**
 * What MatConvNet's utils/import-caffe.py writes through scipy's savemat and
 * the Octave fixtures do not hold (the whole files are tested in
 * packages/predict/src/scipy-fixtures.test.ts against fixtures/matconvnet/scipy):
 * `meta.classes` of a model converted without --synsets (`name` an empty
 * cell, `description` a 1×1 cell holding int64 0, import-caffe.py line 831)
 * and biases stored as the old Caffe blobs' K×1×1×1.
 */
import { readFileSync } from 'node:fs';
import { matCell, matCellOfStrings, matNumeric, matSingle, matStruct } from '@convnet-ts/matfile';
import { describe, expect, it } from 'vitest';
import type { ConvLayer } from './layer-types.js';
import { loadMatConvNet } from './matconvnet-import.js';
import { codedFilter, layer, netStruct } from './test-matconvnet-values.js';
import { cpu32 } from './test-nets.js';

const conv = (biases = matSingle([1, 2], [2, 1])) => layer({ name: 'c', type: 'conv', weights: matCell([codedFilter([1, 1, 1, 2]), biases]) });
const noSynsets = (name = matCell([], [0, 0])) => matStruct({ name, description: matCell([matNumeric('int64', BigInt64Array.of(0n), [1, 1])]) });

describe('loadMatConvNet: what import-caffe.py writes with scipy', () => {
  it('classes without --synsets: the {int64 0} description is dropped with a note, leaving no names', () => {
    const { net, notes } = loadMatConvNet(netStruct([conv()], { meta: matStruct({ classes: noSynsets() }) }), cpu32);
    expect(net.meta.classes).toEqual({ name: [] });
    expect(notes).toEqual(["net.meta.classes.description ({int64 1×1}, import-caffe.py's placeholder for a model converted without --synsets) dropped"]);
  });

  it('a number in the descriptions beside class names is still refused', () => {
    expect(() => loadMatConvNet(netStruct([conv()], { meta: matStruct({ classes: noSynsets(matCellOfStrings(['n01'])) }) }), cpu32)).toThrow(
      'loadMatConvNet: net.meta.classes.description{1}: expected a char row (a string), got int64 1×1',
    );
  });

  it('biases K×1×1×1 (old Caffe blobs reversed by .transpose()) are K biases', async () => {
    const { net, notes } = loadMatConvNet(netStruct([conv(matSingle([1, 2], [2, 1, 1, 1]))]), cpu32);
    const b = (net.layers[0] as ConvLayer).weights[1]!;
    expect(b.shape).toEqual([2]);
    expect(Array.from(await b.data())).toEqual([1, 2]);
    expect(notes).toEqual([]);
  });

  it('the scipy fixture made that way loads (fixtures/matconvnet/scipy/simplenn-beta25-oldcaffe.mat)', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../../fixtures/matconvnet/scipy/simplenn-beta25-oldcaffe.z.mat', import.meta.url)));
    const { net } = loadMatConvNet(bytes, cpu32);
    expect((net.layers[0] as ConvLayer).weights[1]!.shape).toEqual([8]);
    expect(net.meta.classes).toEqual({ name: [] });
  });
});
