/** PNG or JPEG, told apart by the file's first bytes (never its name); anything else is an `unsupported` error. */
import { type ImageErrorData, imageErrorData } from './errors.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const startsWith = (bytes: Uint8Array, sig: readonly number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);

export type Format = 'png' | 'jpeg';

export function sniff(bytes: Uint8Array, source: string): Format | ImageErrorData {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpeg';
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return imageErrorData(source, 'unsupported', `${source} must be a PNG or JPEG image, got ${bytes.length === 0 ? 'an empty file' : `a file starting with bytes ${head}`}`);
}
