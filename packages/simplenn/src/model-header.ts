/**
 * Validation of a model file's JSON header (see `model-file.ts`): the kind,
 * the version, and every tensor entry, all before any tensor is allocated.
 * Element counts are multiplied with a bound, so a shape such as
 * `[1e9, 1e9, 1e9]` is rejected as larger than the data, never allocated.
 */
import type { ModelKind } from './model-file.js';

export interface HeaderEntry {
  name: string;
  shape: number[];
  /** Byte offset in the data section and byte length. */
  offset: number;
  length: number;
}

const MAX_RANK = 8;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns the description and the tensor entries, or calls `fail` (which throws). */
export function validateHeader(
  header: unknown,
  expectedKind: ModelKind,
  version: number,
  dataLength: number,
  fail: (message: string) => never,
): { description: unknown; entries: HeaderEntry[] } {
  if (!isRecord(header)) return fail('header must be a JSON object, got another JSON value');
  if (header.kind !== expectedKind) {
    fail(`header kind must be '${expectedKind}', got ${JSON.stringify(header.kind)} (a ${String(header.kind)} model; load it with its own loader)`);
  }
  if (header.version !== version) fail(`header version must equal the prefix's ${version}, got ${JSON.stringify(header.version)}`);
  if (!('description' in header)) fail('header must have a description, got none');
  if (!Array.isArray(header.tensors)) return fail('header tensors must be an array, got none');
  const names = new Set<string>();
  const entries = header.tensors.map((raw: unknown, i): HeaderEntry => {
    const where = `header tensors[${i}]`;
    if (!isRecord(raw)) return fail(`${where} must be an object, got ${JSON.stringify(raw)}`);
    const { name, dtype, shape, offset, length } = raw;
    if (typeof name !== 'string' || name === '' || names.has(name)) fail(`${where}.name must be a unique non-empty string, got ${JSON.stringify(name)}`);
    names.add(name as string);
    if (dtype !== 'float32') fail(`${where}.dtype must be 'float32', got ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}.shape must be at most ${MAX_RANK} integers ≥ 0, got ${JSON.stringify(shape)}`);
    }
    let count = 1;
    for (const d of shape as number[]) {
      count *= d;
      if (count * 4 > dataLength) fail(`${where} (${String(name)}) shape ${JSON.stringify(shape)} must fit in the ${dataLength} bytes of data, got more elements than that`);
    }
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) % 4 !== 0) {
      fail(`${where}.offset must be an integer ≥ 0 and a multiple of 4, got ${JSON.stringify(offset)}`);
    }
    if (length !== count * 4) fail(`${where}.length must be 4 bytes × ${count} elements of shape ${JSON.stringify(shape)} = ${count * 4}, got ${JSON.stringify(length)}`);
    if ((offset as number) + count * 4 > dataLength) {
      fail(`${where} (${String(name)}) bytes [${String(offset)}, ${(offset as number) + count * 4}) must lie inside the ${dataLength} bytes of data, got past its end`);
    }
    return { name: name as string, shape: [...(shape as number[])], offset: offset as number, length: count * 4 };
  });
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.offset < prev.offset + prev.length) fail(`header tensors must not overlap, got ${prev.name} and ${next.name} sharing bytes`);
  }
  return { description: header.description, entries };
}
