import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { decodeModelFile, encodeModelFile, MODEL_FILE_VERSION, type StoredTensor } from './model-file.js';

const tensors: StoredTensor[] = [
  { name: 'a', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) },
  { name: 'b', shape: [1], data: Float32Array.from([Math.PI]) },
  { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
];
const description = { layers: [{ type: 'relu', leak: 0.1 }], note: 'héllo' };

/** A file whose prefix and checksum are right but whose header is `header` (to reach the header checks). */
function craft(header: unknown, dataLength: number, version = MODEL_FILE_VERSION): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((20 + json.length) / 4) * 4;
  const bytes = new Uint8Array(start + dataLength + 4);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x43, 0x4e, 0x56, 0x54, 0x53, 0x0d, 0x0a]);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  view.setUint32(16, dataLength, true);
  bytes.set(json, 20);
  view.setUint32(start + dataLength, crc32(bytes.subarray(0, start + dataLength)), true);
  return bytes;
}

describe('model file', () => {
  it('crc32 has the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips the description and the tensors exactly, with 4-byte aligned data', () => {
    const bytes = encodeModelFile('dagnn', description, tensors);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x43, 0x4e, 0x56, 0x54, 0x53, 0x0d, 0x0a]);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(8, true)).toBe(MODEL_FILE_VERSION);
    expect((20 + view.getUint32(12, true) + 3) & ~3).toBe(bytes.length - 4 - view.getUint32(16, true));
    // Decoding from an unaligned view of a larger buffer works too.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const out = decodeModelFile(shifted.subarray(1), 'dagnn');
    expect(out.description).toEqual(description);
    expect(out.tensors).toEqual(tensors);
  });

  it('rejects a flipped byte anywhere with a checksum error', () => {
    const bytes = encodeModelFile('simplenn', description, tensors);
    for (const at of [30, bytes.length - 10]) {
      const bad = bytes.slice();
      bad[at]! ^= 0x10;
      expect(() => decodeModelFile(bad, 'simplenn')).toThrow(/^decodeModelFile: checksum must be [0-9a-f]{8} \(CRC-32 of the contents\), got [0-9a-f]{8}: the file is corrupt$/);
    }
  });

  it('rejects truncated files, trailing bytes, wrong magic and the wrong kind', () => {
    const bytes = encodeModelFile('simplenn', description, tensors);
    const n = bytes.length;
    expect(() => decodeModelFile(bytes.subarray(0, n - 1), 'simplenn')).toThrow(
      `decodeModelFile: bytes must be ${n} bytes long, as the file's prefix declares`,
    );
    expect(() => decodeModelFile(bytes.subarray(0, n - 1), 'simplenn')).toThrow(`got ${n - 1} (truncated)`);
    expect(() => decodeModelFile(bytes.subarray(0, 10), 'simplenn')).toThrow('got 10 bytes (truncated or not a model file)');
    const longer = new Uint8Array(n + 4);
    longer.set(bytes);
    expect(() => decodeModelFile(longer, 'simplenn')).toThrow('(trailing bytes)');
    const text = bytes.slice();
    text[0] = 0x7b;
    expect(() => decodeModelFile(text, 'simplenn')).toThrow('decodeModelFile: bytes must start with the model file magic 89 43 4e 56 54 53 0d 0a, got 7b 43');
    expect(() => decodeModelFile(bytes, 'dagnn')).toThrow("decodeModelFile: header kind must be 'dagnn', got \"simplenn\"");
  });

  it('rejects a newer format version, naming both versions', () => {
    const bytes = craft({ kind: 'simplenn', version: 2, description: {}, tensors: [] }, 0, 2);
    expect(() => decodeModelFile(bytes, 'simplenn')).toThrow(
      `decodeModelFile: file format version must be at most ${MODEL_FILE_VERSION} (the newest this library reads), got 2: the file was written by a newer convnet-ts; upgrade to load it`,
    );
  });

  it('rejects absurd sizes and inconsistent tensor tables before allocating', () => {
    const entry = { name: 'w', dtype: 'float32', shape: [2, 2], offset: 0, length: 16 };
    const table = (e: object) => craft({ kind: 'simplenn', version: 1, description: {}, tensors: [{ ...entry, ...e }] }, 16);
    expect(() => decodeModelFile(table({ shape: [1e9, 1e9, 1e9], length: 4e27 }), 'simplenn')).toThrow(
      'decodeModelFile: header tensors[0] (w) shape [1000000000,1000000000,1000000000] must fit in the 16 bytes of data, got more elements than that',
    );
    expect(() => decodeModelFile(table({ length: 12 }), 'simplenn')).toThrow('header tensors[0].length must be 4 bytes × 4 elements of shape [2,2] = 16, got 12');
    expect(() => decodeModelFile(table({ shape: [2, 1.5] }), 'simplenn')).toThrow('header tensors[0].shape must be at most 8 integers ≥ 0, got [2,1.5]');
    expect(() => decodeModelFile(table({ offset: 4, shape: [3], length: 12 }), 'simplenn')).not.toThrow();
    expect(() => decodeModelFile(table({ offset: 8, shape: [3], length: 12 }), 'simplenn')).toThrow('bytes [8, 20) must lie inside the 16 bytes of data');
    expect(() => decodeModelFile(table({ dtype: 'float64' }), 'simplenn')).toThrow("header tensors[0].dtype must be 'float32', got \"float64\"");
    const twice = craft({ kind: 'simplenn', version: 1, description: {}, tensors: [entry, { ...entry, name: 'v', shape: [1], length: 4, offset: 8 }] }, 16);
    expect(() => decodeModelFile(twice, 'simplenn')).toThrow('header tensors must not overlap, got w and v sharing bytes');
    // A prefix that declares 4 GB of data in a small file fails on the size, before anything else.
    const huge = craft({ kind: 'simplenn', version: 1, description: {}, tensors: [] }, 0);
    new DataView(huge.buffer).setUint32(16, 0xfffffff0, true);
    expect(() => decodeModelFile(huge, 'simplenn')).toThrow(/bytes must be 42949\d+ bytes long/);
  });

  it('rejects bad input to the encoder', () => {
    expect(() => encodeModelFile('simplenn', undefined, [])).toThrow('encodeModelFile: description must be JSON-serialisable, got undefined');
    expect(() => encodeModelFile('simplenn', { n: 1n }, [])).toThrow('encodeModelFile: description must be JSON-serialisable, got an error');
    expect(() => encodeModelFile('simplenn', {}, [{ name: 'a', shape: [3], data: new Float32Array(2) }])).toThrow(
      'encodeModelFile: tensors[0] (a) must hold a Float32Array of as many elements as its shape [3] (3), got 2',
    );
    expect(() => encodeModelFile('simplenn', {}, [tensors[0]!, tensors[0]!])).toThrow('encodeModelFile: tensors[1].name must be a unique non-empty string, got "a"');
  });
});
