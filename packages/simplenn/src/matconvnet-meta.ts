/**
 * `net.meta` between MatConvNet (matconvnet-api §7.1) and convnet-ts's JSON
 * `Meta`, as `vl_simplenn_tidy` reads it:
 *
 * - legacy top-level `net.classes` and `net.normalization` (pre-beta16
 *   files) become `meta.classes` / `meta.normalization`, overriding those in
 *   `meta` as tidy does;
 * - `normalization.cropSize`, when absent and both `border` and `imageSize`
 *   are given, is `imageSize(1:2) ./ (imageSize(1:2) + border)` (tidy's rule
 *   for the newer `vl_imreadjpeg`);
 * - `normalization.averageImage` (`H×W×C`, or a 3-vector / `1×1×3` mean
 *   colour) becomes a row-major number array over `averageImageSize`
 *   `[H, W, C]` (a 3-vector is `[1, 1, 3]`); `keepAspect` a boolean;
 * - `classes.name` / `classes.description` (cells of strings, or char
 *   matrices) become string arrays; utils/import-caffe.py run without
 *   --synsets writes `name` as `{}` and `description` as a 1×1 cell holding
 *   the number 0 (`np.array((0,), dtype=np.object)`, its line 831): that
 *   description is dropped, with a note;
 * - `inputSize`, MatConvNet's `[H W C N]`, becomes convnet-ts's
 *   `[N, H, W, C]` (N = 1 when absent);
 * - everything else goes through `matToJson` (`matconvnet-json.ts`).
 *
 * `exportMeta` reverses each rule (averageImage written as `single`, as the
 * zoo's files hold it; `cropSize` kept as it is).
 */
import { asCell, asNumbers, asStruct, asText, describe, field, isEmpty, type MatCell, type MatValue, MatFileError, matCellOfStrings, matDouble, matLogical, matSingle, matStruct } from '@convnet-ts/matfile';
import { ValueError } from '@convnet-ts/tensor';
import type { JsonValue, Meta } from './layer-types.js';
import { jsonToMat, matToJson } from './matconvnet-json.js';
import { columnToRowMajor, matlabDims, padDims, rowToColumnMajor } from './matconvnet-layout.js';

const LOAD = 'loadMatConvNet';
const SAVE = 'saveMatConvNet';

type Json = { [key: string]: JsonValue | undefined };

/** `meta` of a MatConvNet net struct `root` (at `path`), legacy fields moved in; notes appended. */
export function importMeta(root: Readonly<Record<string, MatValue>>, path: string, notes: string[]): Meta {
  const meta: Json = {};
  const given = field(root, 'meta');
  const parts: [string, MatValue][] = given && !isEmpty(given) ? Object.entries(asStruct(given, `${path}.meta`, LOAD)) : [];
  for (const legacy of ['classes', 'normalization']) {
    const v = field(root, legacy);
    if (v !== undefined) {
      parts.push([legacy, v]);
      notes.push(`${path}.${legacy} moved to ${path}.meta.${legacy} (the pre-beta16 layout)`);
    }
  }
  for (const [name, v] of parts) {
    const where = `${path}.meta.${name}`;
    if (name === 'normalization') meta.normalization = importNormalization(v, where, notes);
    else if (name === 'classes') meta.classes = importClasses(v, where, notes);
    else if (name === 'inputSize') meta.inputSize = importInputSize(v, where);
    else meta[name] = matToJson(v);
  }
  return meta as Meta;
}

function importInputSize(v: MatValue, where: string): number[] {
  const s = asNumbers(v, where, LOAD);
  if (s.length < 1 || s.length > 4) throw new MatFileError('value', LOAD, where, `expected [H W C N] (1 to 4 numbers), got ${describe(v)}`);
  const [h = 1, w = 1, c = 1, n = 1] = s;
  return [n, h, w, c];
}

function importNormalization(v: MatValue, where: string, notes: string[]): Json {
  const out: Json = {};
  for (const [name, x] of Object.entries(asStruct(v, where, LOAD))) {
    const at = `${where}.${name}`;
    if (name === 'averageImage') {
      if (isEmpty(x)) continue;
      const { data, size } = importAverageImage(x, at, notes);
      out.averageImage = data;
      out.averageImageSize = size;
    } else if (name === 'keepAspect') {
      const n = asNumbers(x, at, LOAD);
      if (n.length !== 1) throw new MatFileError('value', LOAD, at, `expected true or false, got ${describe(x)}`);
      out.keepAspect = n[0] !== 0;
    } else if (name === 'imageSize' || name === 'border') {
      out[name] = asNumbers(x, at, LOAD);
    } else if (name === 'interpolation') {
      out.interpolation = asText(x, at, LOAD);
    } else out[name] = matToJson(x);
  }
  const { imageSize, border } = out;
  if (out.cropSize === undefined && Array.isArray(imageSize) && Array.isArray(border)) {
    const b = border as number[];
    if (imageSize.length < 2 || (b.length !== 1 && b.length !== 2)) {
      throw new MatFileError('value', LOAD, `${where}.border`, `expected one or two numbers beside imageSize [H W ...], got border [${b.join(' ')}] and imageSize [${imageSize.join(' ')}]`);
    }
    out.cropSize = [0, 1].map((i) => (imageSize[i] as number) / ((imageSize[i] as number) + b[b.length === 1 ? 0 : i]!));
    notes.push(`${where}.cropSize computed from border and imageSize as vl_simplenn_tidy does: [${(out.cropSize as number[]).join(' ')}]`);
  }
  return out;
}

function importAverageImage(x: MatValue, at: string, notes: string[]): { data: number[]; size: number[] } {
  if (x.type !== 'numeric') throw new MatFileError('value', LOAD, at, `expected a numeric H×W×C image or a 3-vector, got ${describe(x)}`);
  const n = x.dims.reduce((a, b) => a * b, 1);
  if (n === 3 && x.dims.filter((d) => d !== 1).length === 1) {
    if (x.dims.join() !== '1,1,3') notes.push(`${at} (${describe(x)}) read as a 1×1×3 mean colour`);
    return { data: asNumbers(x, at, LOAD), size: [1, 1, 3] };
  }
  const dims = padDims(x.dims, 3);
  if (!dims) throw new MatFileError('value', LOAD, at, `expected an H×W×C image or a 3-vector, got ${describe(x)}`);
  return { data: Array.from(columnToRowMajor(asNumbers(x, at, LOAD), dims, new Float64Array(n))), size: dims };
}

function strings(v: MatValue, at: string, notes: string[]): string[] {
  if (v.type === 'char') return isEmpty(v) ? [] : v.text.split('\n');
  if (v.type === 'numeric') {
    notes.push(`${at}: numbers (${describe(v)}) read as their decimal strings`);
    return asNumbers(v, at, LOAD).map(String);
  }
  return asCell(v, at, LOAD).map((c, i) => asText(c, `${at}{${i + 1}}`, LOAD));
}

/** import-caffe.py's `description` of a model without synsets: a 1×1 cell holding one number, beside no names. */
function noSynsetsPlaceholder(x: MatValue, names: readonly string[]): x is MatCell {
  return names.length === 0 && x.type === 'cell' && x.data.length === 1 && x.data[0]!.type === 'numeric' && x.data[0]!.data.length === 1;
}

function importClasses(v: MatValue, where: string, notes: string[]): Meta['classes'] {
  const s = asStruct(v, where, LOAD);
  const name = field(s, 'name');
  const names = name === undefined ? [] : strings(name, `${where}.name`, notes);
  const out: Json = { name: names };
  for (const [k, x] of Object.entries(s)) {
    if (k === 'description' && noSynsetsPlaceholder(x, names)) {
      notes.push(`${where}.description ({${describe(x.data[0]!)}}, import-caffe.py's placeholder for a model converted without --synsets) dropped`);
    } else if (k === 'description') out.description = strings(x, `${where}.description`, notes);
    else if (k !== 'name') out[k] = matToJson(x);
  }
  return out as Meta['classes'];
}

/** MatConvNet's `meta` struct for a convnet-ts `Meta` (the reverse of `importMeta`). */
export function exportMeta(meta: Meta): MatValue {
  const fields: Record<string, MatValue> = {};
  for (const [name, v] of Object.entries(meta)) {
    if (v === undefined) continue;
    const where = `meta.${name}`;
    if (name === 'normalization') fields.normalization = exportNormalization(v, where);
    else if (name === 'classes') fields.classes = exportClasses(v, where);
    else if (name === 'inputSize') fields.inputSize = exportInputSize(v, where);
    else fields[name] = jsonToMat(v, where, SAVE);
  }
  return matStruct(fields);
}

const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

function exportInputSize(v: JsonValue, where: string): MatValue {
  if (!numbers(v) || v.length !== 4) throw new ValueError(SAVE, where, `${where} must be [N, H, W, C], got ${JSON.stringify(v)}`);
  const [n, h, w, c] = v as [number, number, number, number];
  return matDouble([h, w, c, n], [1, 4]);
}

function exportNormalization(v: JsonValue, where: string): MatValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValueError(SAVE, where, `${where} must be an object, got ${JSON.stringify(v)}`);
  const fields: Record<string, MatValue> = {};
  const { averageImage, averageImageSize } = v;
  for (const [name, x] of Object.entries(v)) {
    if (x === undefined || name === 'averageImageSize') continue;
    const at = `${where}.${name}`;
    if (name === 'averageImage') {
      if (!numbers(averageImage)) throw new ValueError(SAVE, at, `${at} must be an array of numbers, got ${JSON.stringify(averageImage)}`);
      const size = averageImageSize ?? (averageImage.length === 3 ? [1, 1, 3] : undefined);
      if (!numbers(size) || size.length !== 3 || size.reduce((a, b) => a * b, 1) !== averageImage.length) {
        throw new ValueError(SAVE, `${where}.averageImageSize`, `${where}.averageImageSize must be [H, W, C] with H·W·C = ${averageImage.length} (the length of averageImage), got ${JSON.stringify(size)}`);
      }
      fields.averageImage = matSingle(rowToColumnMajor(averageImage, size), matlabDims(size));
    } else if (name === 'keepAspect' && typeof x === 'boolean') fields.keepAspect = matLogical(x);
    else if ((name === 'imageSize' || name === 'border' || name === 'cropSize') && numbers(x)) fields[name] = matDouble(x, [1, x.length]);
    else fields[name] = jsonToMat(x, at, SAVE);
  }
  return matStruct(fields);
}

function exportClasses(v: JsonValue, where: string): MatValue {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValueError(SAVE, where, `${where} must be { name: string[], description?: string[] }, got ${JSON.stringify(v)}`);
  const fields: Record<string, MatValue> = {};
  for (const [name, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if ((name === 'name' || name === 'description') && Array.isArray(x) && x.every((s) => typeof s === 'string')) fields[name] = matCellOfStrings(x as string[]);
    else fields[name] = jsonToMat(x, `${where}.${name}`, SAVE);
  }
  return matStruct(fields);
}
