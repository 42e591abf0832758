/**
 * The numbers of the Level 5 MAT-file format (MathWorks, "MAT-File Format",
 * chapter 1): data types of data elements (Table 1-1), array classes
 * (Table 1-3) and the array-flag bits.
 */
import type { NumericClass, NumericData } from './types.js';

export const mi = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

export const mx = {
  CELL: 1,
  STRUCT: 2,
  OBJECT: 3,
  CHAR: 4,
  SPARSE: 5,
  FUNCTION: 16,
  OPAQUE: 17,
} as const;

/** Bits of the flags byte (the second byte of the array-flags word). */
export const flag = { COMPLEX: 0x08, GLOBAL: 0x04, LOGICAL: 0x02 } as const;

type Ctor<C extends NumericClass> = { new (n: number): NumericData[C]; new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericData[C]; readonly BYTES_PER_ELEMENT: number };

/** Each numeric class: its mx code, its miTYPE and its typed array. */
export const numericClasses: { [C in NumericClass]: { mx: number; mi: number; ctor: Ctor<C> } } = {
  double: { mx: 6, mi: mi.DOUBLE, ctor: Float64Array },
  single: { mx: 7, mi: mi.SINGLE, ctor: Float32Array },
  int8: { mx: 8, mi: mi.INT8, ctor: Int8Array },
  uint8: { mx: 9, mi: mi.UINT8, ctor: Uint8Array },
  int16: { mx: 10, mi: mi.INT16, ctor: Int16Array },
  uint16: { mx: 11, mi: mi.UINT16, ctor: Uint16Array },
  int32: { mx: 12, mi: mi.INT32, ctor: Int32Array },
  uint32: { mx: 13, mi: mi.UINT32, ctor: Uint32Array },
  int64: { mx: 14, mi: mi.INT64, ctor: BigInt64Array },
  uint64: { mx: 15, mi: mi.UINT64, ctor: BigUint64Array },
};

/** The numeric class of an mx code, if it is one. */
export const classOfMx = new Map<number, NumericClass>(Object.entries(numericClasses).map(([c, info]) => [info.mx, c as NumericClass]));

/** The numeric class whose values a numeric miTYPE stores (the storage type of a data element). */
export const classOfMi = new Map<number, NumericClass>(Object.entries(numericClasses).map(([c, info]) => [info.mi, c as NumericClass]));

/** The byte order of this platform (typed arrays use it). */
export const platformLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Data elements are aligned on 8 bytes (the padding after each one). */
export const pad8 = (n: number): number => Math.ceil(n / 8) * 8;
