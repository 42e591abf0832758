/**
 * The convnet-ts model file: one binary container for a network description
 * (JSON) and its float32 tensors, shared by SimpleNN and DagNN. Layout (all
 * integers unsigned 32-bit little-endian):
 *
 *     offset  size  content
 *     0       8     magic 89 43 4E 56 54 53 0D 0A ("\x89CNVTS\r\n": catches text-mode mangling)
 *     8       4     format version (MODEL_FILE_VERSION)
 *     12      4     header length H (bytes of UTF-8 JSON)
 *     16      4     data length D (bytes)
 *     20      H     header: {"kind", "version", "description", "tensors": [{"name", "dtype": "float32", "shape", "offset", "length"}]}
 *     20+H    P     zeros up to a multiple of 4 (S = 20 + H + P)
 *     S       D     tensor data, float32 little-endian, row-major; tensor offsets are relative to S, multiples of 4
 *     S+D     4     CRC-32 (IEEE) of bytes [0, S + D)
 *
 * Decoding checks everything before allocating any tensor: magic, version (a
 * newer one fails naming both), that the file has exactly the size its
 * prefix declares (so absurd lengths are rejected without allocating),
 * the checksum, the JSON, the kind, and every tensor entry (unique names,
 * finite integer shapes whose element counts agree with their byte lengths,
 * 4-aligned, non-overlapping ranges inside the data). It never evaluates code:
 * the header is parsed with JSON.parse only. Uses Uint8Array, DataView and
 * TextEncoder/TextDecoder only, so it runs in Node and browsers.
 */
import { ShapeError, ValueError } from '@convnet-ts/tensor';
import { crc32 } from './crc32.js';
import { validateHeader } from './model-header.js';

export interface StoredTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export type ModelKind = 'simplenn' | 'dagnn';

export const MODEL_FILE_VERSION = 1;
export const MODEL_FILE_MAGIC: readonly number[] = [0x89, 0x43, 0x4e, 0x56, 0x54, 0x53, 0x0d, 0x0a];
const PREFIX = 20;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** Packs a description and its tensors into a model file (see the module doc). */
export function encodeModelFile(kind: ModelKind, description: unknown, tensors: StoredTensor[]): Uint8Array {
  const block = 'encodeModelFile';
  if (kind !== 'simplenn' && kind !== 'dagnn') throw new ValueError(block, 'kind', `kind must be 'simplenn' or 'dagnn', got ${String(kind)}`);
  const entries: { name: string; dtype: 'float32'; shape: number[]; offset: number; length: number }[] = [];
  const names = new Set<string>();
  let dataLength = 0;
  for (const [i, t] of tensors.entries()) {
    if (typeof t?.name !== 'string' || t.name === '' || names.has(t.name)) {
      throw new ValueError(block, `tensors[${i}].name`, `tensors[${i}].name must be a unique non-empty string, got ${JSON.stringify(t?.name)}`);
    }
    names.add(t.name);
    const count = Array.isArray(t.shape) && t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ? t.shape.reduce((a, b) => a * b, 1) : -1;
    if (!(t.data instanceof Float32Array) || count !== t.data.length) {
      throw new ShapeError(block, `tensors[${i}]`, `tensors[${i}] (${t.name}) must hold a Float32Array of as many elements as its shape [${String(t.shape)}] (${count}), got ${t.data instanceof Float32Array ? t.data.length : 'no Float32Array'}`);
    }
    entries.push({ name: t.name, dtype: 'float32', shape: [...t.shape], offset: dataLength, length: count * 4 });
    dataLength += count * 4;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify({ kind, version: MODEL_FILE_VERSION, description, tensors: entries });
  } catch (e) {
    throw new ValueError(block, 'description', `description must be JSON-serialisable, got an error: ${(e as Error).message}`);
  }
  if (description === undefined || json === undefined) throw new ValueError(block, 'description', 'description must be JSON-serialisable, got undefined');
  const header = new TextEncoder().encode(json);
  const start = align4(PREFIX + header.length);
  const bytes = new Uint8Array(start + dataLength + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(MODEL_FILE_MAGIC, 0);
  view.setUint32(8, MODEL_FILE_VERSION, true);
  view.setUint32(12, header.length, true);
  view.setUint32(16, dataLength, true);
  bytes.set(header, PREFIX);
  for (const [i, t] of tensors.entries()) {
    const at = start + entries[i]!.offset;
    if (LITTLE_ENDIAN_HOST) bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    else for (let k = 0; k < t.data.length; k++) view.setFloat32(at + 4 * k, t.data[k]!, true);
  }
  view.setUint32(start + dataLength, crc32(bytes.subarray(0, start + dataLength)), true);
  return bytes;
}

/** Checks and unpacks a model file of kind `expectedKind`; throws a `ValueError` on anything wrong, before allocating. */
export function decodeModelFile(bytes: Uint8Array, expectedKind: ModelKind): { description: unknown; tensors: StoredTensor[] } {
  const block = 'decodeModelFile';
  const fail = (message: string): never => {
    throw new ValueError(block, 'bytes', message);
  };
  if (!(bytes instanceof Uint8Array)) fail(`bytes must be a Uint8Array, got ${typeof bytes}`);
  if (bytes.length < PREFIX + 4) fail(`bytes must hold at least the ${PREFIX + 4}-byte prefix and checksum of a model file, got ${bytes.length} bytes (truncated or not a model file)`);
  const hex = (a: ArrayLike<number>) => Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (!MODEL_FILE_MAGIC.every((b, i) => bytes[i] === b)) {
    fail(`bytes must start with the model file magic ${hex(MODEL_FILE_MAGIC)}, got ${hex(bytes.subarray(0, 8))} (not a convnet-ts model file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version > MODEL_FILE_VERSION) {
    fail(`file format version must be at most ${MODEL_FILE_VERSION} (the newest this library reads), got ${version}: the file was written by a newer convnet-ts; upgrade to load it`);
  }
  if (version < 1) fail(`file format version must be 1 to ${MODEL_FILE_VERSION}, got ${version} (corrupt file)`);
  const headerLength = view.getUint32(12, true);
  const dataLength = view.getUint32(16, true);
  const start = align4(PREFIX + headerLength);
  const total = start + dataLength + 4;
  if (bytes.length !== total) {
    fail(`bytes must be ${total} bytes long, as the file's prefix declares (header ${headerLength}, data ${dataLength}), got ${bytes.length} (${bytes.length < total ? 'truncated' : 'trailing bytes'})`);
  }
  const stored = view.getUint32(start + dataLength, true);
  const actual = crc32(bytes.subarray(0, start + dataLength));
  if (stored !== actual) fail(`checksum must be ${actual.toString(16).padStart(8, '0')} (CRC-32 of the contents), got ${stored.toString(16).padStart(8, '0')}: the file is corrupt`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)));
  } catch (e) {
    fail(`header must be UTF-8 JSON, got an error: ${(e as Error).message}`);
  }
  const { description, entries } = validateHeader(header, expectedKind, version, dataLength, fail);
  const tensors = entries.map((e): StoredTensor => {
    const at = bytes.byteOffset + start + e.offset;
    let data: Float32Array;
    if (LITTLE_ENDIAN_HOST) data = new Float32Array(bytes.buffer.slice(at, at + e.length));
    else {
      data = new Float32Array(e.length / 4);
      for (let k = 0; k < data.length; k++) data[k] = view.getFloat32(start + e.offset + 4 * k, true);
    }
    return { name: e.name, shape: e.shape, data };
  });
  return { description, tensors };
}
