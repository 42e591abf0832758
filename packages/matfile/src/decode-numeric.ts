/**
 * Numeric data elements. MATLAB may store an array in a narrower type than
 * its class (a double array of small integers as miUINT8, MAT-File Format,
 * "Numeric Arrays"): the values are converted to the class's typed array,
 * and a value the class cannot hold exactly is a format error.
 * An element already in the class's type, in this platform's byte order and
 * aligned in the buffer, is returned as a view into it (no copy).
 */
import { MatFileError } from './errors.js';
import { classOfMi, numericClasses, platformLittleEndian } from './mi-types.js';
import type { Source, Tag } from './source.js';
import type { NumericClass, NumericData } from './types.js';

type AnyNumeric = NumericData[NumericClass];

/** The values of a numeric data element in its stored type: a view when possible, else a byte-swapped copy. */
export function storedValues(src: Source, tag: Tag, path: string): AnyNumeric {
  const cls = classOfMi.get(tag.type);
  if (cls === undefined) {
    throw new MatFileError('format', 'readMat', path, `data element at ${src.at(tag.data - 8)} has type ${tag.type}, expected a numeric type (miINT8 … miUINT64)`);
  }
  const ctor = numericClasses[cls].ctor;
  const size = ctor.BYTES_PER_ELEMENT;
  if (tag.nbytes % size !== 0) {
    throw new MatFileError('format', 'readMat', path, `data element at ${src.at(tag.data - 8)} holds ${tag.nbytes} bytes, not a whole number of ${size}-byte values`);
  }
  const n = tag.nbytes / size;
  const start = src.bytes.byteOffset + tag.data;
  if (size === 1 || (src.littleEndian === platformLittleEndian && start % size === 0)) {
    return new ctor(src.bytes.buffer, start, n);
  }
  src.alloc(tag.nbytes);
  const copy = new ctor(n);
  const out = new Uint8Array(copy.buffer);
  out.set(src.bytes.subarray(tag.data, tag.data + tag.nbytes));
  if (src.littleEndian !== platformLittleEndian) {
    for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
  }
  return copy;
}

const isBig = (a: AnyNumeric): a is BigInt64Array | BigUint64Array => a instanceof BigInt64Array || a instanceof BigUint64Array;

/** `values` as class `cls`: the same array when it already is, else converted exactly. */
export function toClass<C extends NumericClass>(src: Source, values: AnyNumeric, cls: C, path: string): NumericData[C] {
  const ctor = numericClasses[cls].ctor;
  if (values instanceof ctor) return values as NumericData[C];
  src.alloc(values.length * ctor.BYTES_PER_ELEMENT);
  const out = new ctor(values.length);
  const bad = (v: number | bigint): never => {
    throw new MatFileError('format', 'readMat', path, `stored value ${v} does not fit class ${cls}`);
  };
  if (isBig(out)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const b = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : bad(v);
      out[i] = b;
      if (out[i] !== b) bad(v);
    }
  } else {
    const target = out as Exclude<AnyNumeric, BigInt64Array | BigUint64Array>;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const x = typeof v === 'bigint' ? Number(v) : v;
      target[i] = x;
      if (target[i] !== x && !Number.isNaN(x)) bad(v);
      if (typeof v === 'bigint' && BigInt(x) !== v) bad(v);
    }
  }
  return out;
}

/** The data of a logical array (any numeric storage): 0 or 1 per element; a miUINT8 element of 0s and 1s is returned as a view. */
export function toLogical(src: Source, values: AnyNumeric): Uint8Array {
  if (values instanceof Uint8Array && values.every((v) => v <= 1)) return values;
  src.alloc(values.length);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  return out;
}
