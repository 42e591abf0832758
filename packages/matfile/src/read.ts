/**
 * `readMat`: a Level 5 MAT-file (MATLAB `save -v6` / `-v7`, Octave, scipy's
 * `savemat`) decoded into MAT values. The file is a 128-byte header then one
 * data element per variable: an miMATRIX, or (v7) an miCOMPRESSED holding one.
 *
 * Memory: numeric and char data stored in its class's own type, in this
 * platform's byte order and aligned (the case for MATLAB's and Octave's
 * little-endian files when `bytes` starts on an 8-byte boundary, as a file
 * read whole does) is returned as views into `bytes` — the values alias the
 * input, so writing one writes the other — or, for a compressed variable,
 * views into that variable's inflated buffer, allocated once at its exact size.
 */
import { decodeMatrix } from './decode-matrix.js';
import { MatFileError } from './errors.js';
import { HEADER_BYTES, readHeader } from './header.js';
import { inflateElement } from './inflate-element.js';
import { mi, pad8 } from './mi-types.js';
import { type ReadStats, readTag, Source } from './source.js';
import type { MatFile, MatVariable, ReadMatOptions } from './types.js';

const DEFAULT_MAX_DEPTH = 64;
/** Deeper nesting would risk JavaScript's call stack; MatConvNet models nest 3 levels. */
const LARGEST_MAX_DEPTH = 1000;

/** Decodes a Level 5 MAT-file. Throws `MatFileError` (`format`, `unsupported`, `limit`) naming the variable path. */
export function readMat(bytes: Uint8Array, opts: ReadMatOptions = {}): MatFile {
  return decodeMat(bytes, opts, { allocated: 0 });
}

/** `readMat` counting the bytes it allocates into `stats` (tests bound them). */
export function decodeMat(bytes: Uint8Array, opts: ReadMatOptions, stats: ReadStats): MatFile {
  if (!(bytes instanceof Uint8Array)) {
    throw new MatFileError('value', 'readMat', '', `bytes must be a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  }
  const maxDepth = checkOptions(opts);
  const header = readHeader(bytes);
  const file = new Source(bytes, header.littleEndian, stats, '');
  const variables: MatVariable[] = [];
  let off = HEADER_BYTES;
  while (off < bytes.length) {
    if (bytes.length - off < 8 && bytes.subarray(off).every((b) => b === 0)) break;
    const tag = readTag(file, off, bytes.length, '');
    const next = tag.type === mi.COMPRESSED ? tag.data + tag.nbytes : Math.min(bytes.length, tag.data + pad8(tag.nbytes));
    if (off === header.subsysOffset) {
      off = next;
      continue;
    }
    if (tag.type === mi.MATRIX) {
      const d = decodeMatrix(file, tag, null, 0, maxDepth);
      variables.push(variable(d.name, d.value, d.global));
    } else if (tag.type === mi.COMPRESSED) {
      const inner = inflateElement(file, tag, '');
      const d = decodeMatrix(inner, readTag(inner, 0, inner.bytes.length, ''), null, 0, maxDepth);
      variables.push(variable(d.name, d.value, d.global));
    } else {
      throw new MatFileError('format', 'readMat', '', `data element at byte ${off} has type ${tag.type}, expected a variable (miMATRIX 14 or miCOMPRESSED 15)`);
    }
    off = next;
  }
  return { description: header.description, endian: header.littleEndian ? 'little' : 'big', variables };
}

function variable(name: string, value: MatVariable['value'], global: boolean): MatVariable {
  return global ? { name, value, global } : { name, value };
}

function checkOptions(opts: ReadMatOptions): number {
  for (const k of Object.keys(opts)) {
    if (k !== 'maxDepth') throw new MatFileError('value', 'readMat', '', `unknown option '${k}' (known: maxDepth)`);
  }
  const d = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(d) || d < 0 || d > LARGEST_MAX_DEPTH) {
    throw new MatFileError('value', 'readMat', '', `maxDepth must be an integer from 0 to ${LARGEST_MAX_DEPTH}, got ${d}`);
  }
  return d;
}
