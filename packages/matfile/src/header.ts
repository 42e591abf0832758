/**
 * The 128-byte header of a Level 5 MAT-file (MAT-File Format, "MAT-File
 * Header Format"): 116 bytes of text, 8 bytes subsystem-data offset (zeros or
 * blanks when there is none), the version 0x0100 and the endian indicator
 * 'IM' written as a 16-bit number — read 'IM' the file is little-endian,
 * 'MI' big-endian. A v7.3 file is HDF5 with a MAT header (version 0x0200,
 * the HDF5 signature at byte 512).
 */
import { MatFileError } from './errors.js';

export const HEADER_BYTES = 128;
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Header {
  description: string;
  littleEndian: boolean;
  /** Offset of the subsystem data element, 0 when none. */
  subsysOffset: number;
}

const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

const hasHdf5At = (bytes: Uint8Array, off: number): boolean => bytes.length >= off + 8 && HDF5_SIGNATURE.every((b, i) => bytes[off + i] === b);

function v73(): never {
  throw new MatFileError(
    'unsupported',
    'readMat',
    '',
    "this is a v7.3 MAT-file (HDF5), which this package does not read; re-save it in MATLAB with save(filename, '-struct', 'net', '-v7') (or save(..., '-v7')), or in Octave with save('-v7', ...)",
  );
}

export function readHeader(bytes: Uint8Array): Header {
  if (hasHdf5At(bytes, 0) || hasHdf5At(bytes, 512)) v73();
  if (bytes.length < HEADER_BYTES) {
    throw new MatFileError('format', 'readMat', '', `truncated header: ${bytes.length} bytes, a Level 5 MAT-file starts with a 128-byte header`);
  }
  const description = latin1(bytes.subarray(0, 116)).replace(/[\s\0]+$/, '');
  if (description.startsWith('MATLAB 7.3 MAT-file')) v73();
  const e0 = bytes[126]!;
  const e1 = bytes[127]!;
  const littleEndian = e0 === 0x49 && e1 === 0x4d;
  if (!littleEndian && !(e0 === 0x4d && e1 === 0x49)) {
    throw new MatFileError('format', 'readMat', '', `not a Level 5 MAT-file: bytes 126–127 must be the endian indicator 'IM' or 'MI', got 0x${hex(e0)} 0x${hex(e1)} (Level 4 files are not read)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const version = view.getUint16(124, littleEndian);
  if (version === 0x0200) v73();
  if (version !== 0x0100) {
    throw new MatFileError('format', 'readMat', '', `unknown MAT-file version 0x${version.toString(16).padStart(4, '0')} at byte 124, expected 0x0100`);
  }
  const sub = bytes.subarray(116, 124);
  const none = sub.every((b) => b === 0) || sub.every((b) => b === 0x20);
  const subsysOffset = none ? 0 : Number(view.getBigUint64(116, littleEndian));
  return { description, littleEndian, subsysOffset };
}

const hex = (b: number): string => b.toString(16).padStart(2, '0');
