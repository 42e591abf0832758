/**
 * `vl_imreadjpeg`'s options (matlab/vl_imreadjpeg.m, matlab/src/vl_imreadjpeg.cu)
 * under their MatConvNet names in camelCase, with MatConvNet's defaults, parsed
 * into a plain `TransformSpec` that crosses to the decoding workers.
 *
 * | option | default | meaning |
 * |---|---|---|
 * | `numThreads` | 1 | decoding workers |
 * | `prefetch` | false | start reading, return a handle (collect later) |
 * | `resize` | none | `S`: shorter side to S (isotropic); `[H, W]`: output size |
 * | `pack` | false | one `[N, H, W, 3]` batch (needs `resize: [H, W]`; grey → 3 channels) |
 * | `subtractAverage` | `[0, 0, 0]` | an RGB triplet (or one value), or an `[H, W, 3]` average image (needs `resize: [H, W]`) |
 * | `cropAnisotropy` | `[1, 1]` | range of the crop's anisotropy Wcrop/Hcrop relative to the output's, sampled log-uniformly; `0` stretches the crop to the input's aspect |
 * | `cropSize` | `[1, 1]` | range of the crop's side relative to the largest crop that fits, sampled so that its area is uniform |
 * | `cropLocation` | `'center'` | or `'random'` (uniform over the shifts that keep the crop inside) |
 * | `flip` | false | flip horizontally with probability ½ |
 * | `brightness` | 0 | deviation B of the colour shift B·w, w ~ N(0, I₃): a number (B = b·I), 3 numbers (diagonal), or a 3×3 matrix as rows |
 * | `contrast` | 0 | in [0, 1]: contrast factor uniform in [1 − C, 1 + C] |
 * | `saturation` | 0 | in [0, 1]: saturation factor uniform in [1 − S, 1 + S] |
 * | `interpolation` | `'bilinear'` | `box`, `bilinear`, `bicubic`, `lanczos2`, `lanczos3` (MATLAB imresize's kernels, antialiased when shrinking) |
 *
 * Beyond MatConvNet: `seed` (default 0) seeds the per-image random draws, so a
 * call is reproducible and independent of `numThreads` — or an array of one
 * seed per image, so each image's draws depend on its own seed alone; `onError` ('throw' or
 * 'skip': leave unreadable images out and report them); `exifOrientation`
 * (default true: rotate JPEGs as their EXIF orientation says — MATLAB's
 * imread and vl_imreadjpeg ignore it; false does too).
 */
import { OptionError } from '@convnet-ts/tensor';
import type { Interpolation } from './kernels.js';

export type ImreadInterpolation = Exclude<Interpolation, 'nearest'>;

export const IMREAD_INTERPOLATIONS: readonly ImreadInterpolation[] = ['box', 'bilinear', 'bicubic', 'lanczos2', 'lanczos3'];

/** An average image, row-major `[height, width, 3]`. */
export interface AverageImage {
  height: number;
  width: number;
  data: Float32Array | Float64Array | readonly number[];
}

export type Matrix3 = readonly [readonly [number, number, number], readonly [number, number, number], readonly [number, number, number]];

export interface ReadImagesOptions {
  numThreads?: number;
  prefetch?: boolean;
  resize?: number | readonly [number, number];
  pack?: boolean;
  subtractAverage?: number | readonly number[] | AverageImage;
  cropAnisotropy?: number | readonly [number, number];
  cropSize?: number | readonly [number, number];
  cropLocation?: 'center' | 'random';
  flip?: boolean;
  brightness?: number | readonly [number, number, number] | Matrix3;
  contrast?: number;
  saturation?: number;
  interpolation?: ImreadInterpolation;
  seed?: number | readonly number[];
  onError?: 'throw' | 'skip';
  exifOrientation?: boolean;
}

export const OPTION_NAMES: readonly (keyof ReadImagesOptions)[] = [
  'numThreads', 'prefetch', 'resize', 'pack', 'subtractAverage', 'cropAnisotropy', 'cropSize', 'cropLocation', 'flip',
  'brightness', 'contrast', 'saturation', 'interpolation', 'seed', 'onError', 'exifOrientation',
];

export type Resize = { kind: 'none' } | { kind: 'shortest'; size: number } | { kind: 'fixed'; height: number; width: number };

/** What a worker needs to turn decoded pixels into the output image (structured-clone safe). */
export interface TransformSpec {
  resize: Resize;
  pack: boolean;
  average: [number, number, number];
  /** Row-major `[H, W, 3]` of the fixed resize, or null. */
  averageImage: Float32Array | null;
  cropAnisotropy: [number, number];
  cropSize: [number, number];
  cropLocation: 'center' | 'random';
  flip: boolean;
  /** B row-major (B[i][j] at 3i + j). */
  brightness: number[];
  contrast: number;
  saturation: number;
  interpolation: ImreadInterpolation;
  exifOrientation: boolean;
}

export interface ParsedReadOptions {
  numThreads: number;
  prefetch: boolean;
  /** One seed for the whole call, or one per image. */
  seed: number | readonly number[];
  onError: 'throw' | 'skip';
  spec: TransformSpec;
}

const show = (v: unknown): string => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.prototype.toString.call(v) : JSON.stringify(v) ?? String(v));

function fail(where: string, name: string, expected: string, v: unknown): never {
  throw new OptionError(where, name, `${name} must be ${expected}, got ${show(v)}`);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function flag(where: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') fail(where, name, 'true or false', v);
  return v;
}

function inUnit(where: string, name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (!isNum(v) || v < 0 || v > 1) fail(where, name, 'a number in [0, 1]', v);
  return v;
}

/** A number or [min, max], min ≤ max, each in [lo, hi]. */
function range(where: string, name: string, v: unknown, lo: number, hi: number): [number, number] {
  if (v === undefined) return [1, 1];
  const pair = isNum(v) ? [v, v] : Array.isArray(v) && v.length === 2 && v.every(isNum) ? (v as number[]) : null;
  const text = `a number or [min, max] with ${lo} ≤ min ≤ max${hi === Infinity ? '' : ` ≤ ${hi}`}`;
  if (!pair || pair[0]! < lo || pair[0]! > pair[1]! || pair[1]! > hi) fail(where, name, text, v);
  return [pair[0]!, pair[1]!];
}

function parseResize(where: string, v: unknown): Resize {
  if (v === undefined) return { kind: 'none' };
  const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 1;
  if (ok(v)) return { kind: 'shortest', size: v as number };
  if (Array.isArray(v) && v.length === 2 && v.every(ok)) return { kind: 'fixed', height: v[0], width: v[1] };
  return fail(where, 'resize', 'a positive integer S (shorter side) or [H, W] of positive integers', v);
}

function parseBrightness(where: string, v: unknown): number[] {
  const B = new Array<number>(9).fill(0);
  if (v === undefined) return B;
  if (isNum(v)) return [v, 0, 0, 0, v, 0, 0, 0, v];
  if (Array.isArray(v) && v.length === 3 && v.every(isNum)) return [v[0]!, 0, 0, 0, v[1]!, 0, 0, 0, v[2]!];
  if (Array.isArray(v) && v.length === 3 && v.every((r) => Array.isArray(r) && r.length === 3 && r.every(isNum))) return (v as number[][]).flat();
  return fail(where, 'brightness', 'a number, 3 numbers (a diagonal) or a 3×3 matrix as 3 rows of 3 numbers', v);
}

function parseAverage(where: string, v: unknown, resize: Resize): { average: [number, number, number]; averageImage: Float32Array | null } {
  if (v === undefined) return { average: [0, 0, 0], averageImage: null };
  if (isNum(v)) return { average: [v, v, v], averageImage: null };
  if (Array.isArray(v) && (v.length === 1 || v.length === 3) && v.every(isNum)) {
    return { average: v.length === 1 ? [v[0]!, v[0]!, v[0]!] : [v[0]!, v[1]!, v[2]!], averageImage: null };
  }
  const img = v as Partial<AverageImage>;
  if (typeof img !== 'object' || img === null || !isNum(img.height) || !isNum(img.width) || !(ArrayBuffer.isView(img.data) || Array.isArray(img.data))) {
    return fail(where, 'subtractAverage', 'one number, an RGB triplet or an average image { height, width, data } ([H, W, 3] row-major)', v);
  }
  if (resize.kind !== 'fixed') fail(where, 'subtractAverage', 'a triplet unless resize is [H, W] (an average image needs a fixed output size)', `an image while resize is ${resize.kind === 'none' ? 'not given' : resize.size}`);
  const { height: H, width: W } = resize;
  const data = img.data as ArrayLike<number>;
  if (img.height !== H || img.width !== W || data.length !== H * W * 3) {
    throw new OptionError(where, 'subtractAverage', `subtractAverage must be a ${H}×${W}×3 average image (resize's size), got ${img.height}×${img.width} with ${data.length} values`);
  }
  return { average: [0, 0, 0], averageImage: Float32Array.from(data) };
}

export function parseReadOptions(where: string, opts: ReadImagesOptions | undefined): ParsedReadOptions {
  if (opts === undefined) opts = {};
  if (typeof opts !== 'object' || opts === null) fail(where, 'opts', 'an options object', opts);
  for (const k of Object.keys(opts)) {
    if (!OPTION_NAMES.includes(k as keyof ReadImagesOptions)) {
      throw new OptionError(where, k, `unknown option '${k}'; the options are ${OPTION_NAMES.join(', ')}`);
    }
  }
  const numThreads = opts.numThreads ?? 1;
  if (!Number.isInteger(numThreads) || numThreads < 1) fail(where, 'numThreads', 'a positive integer', numThreads);
  const seed = opts.seed ?? 0;
  const isSeed = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
  if (Array.isArray(seed) ? !seed.every(isSeed) : !isSeed(seed)) fail(where, 'seed', 'an integer in 0..2^32 − 1, or one per image', seed);
  const onError = opts.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'skip') fail(where, 'onError', "'throw' or 'skip'", onError);
  const resize = parseResize(where, opts.resize);
  const pack = flag(where, 'pack', opts.pack);
  if (pack && resize.kind !== 'fixed') fail(where, 'pack', 'used with resize: [H, W] (packed images must share one size)', `pack with resize ${resize.kind === 'none' ? 'not given' : resize.size}`);
  const cropLocation = opts.cropLocation ?? 'center';
  if (cropLocation !== 'center' && cropLocation !== 'random') fail(where, 'cropLocation', "'center' or 'random'", cropLocation);
  const interpolation = opts.interpolation ?? 'bilinear';
  if (!IMREAD_INTERPOLATIONS.includes(interpolation)) fail(where, 'interpolation', `one of ${IMREAD_INTERPOLATIONS.join(', ')}`, interpolation);
  const exifOrientation = opts.exifOrientation ?? true;
  if (typeof exifOrientation !== 'boolean') fail(where, 'exifOrientation', 'true or false', exifOrientation);
  return {
    numThreads,
    prefetch: flag(where, 'prefetch', opts.prefetch),
    seed,
    onError,
    spec: {
      resize,
      pack,
      ...parseAverage(where, opts.subtractAverage, resize),
      cropAnisotropy: range(where, 'cropAnisotropy', opts.cropAnisotropy, 0, Infinity),
      cropSize: range(where, 'cropSize', opts.cropSize, 0, 1),
      cropLocation,
      flip: flag(where, 'flip', opts.flip),
      brightness: parseBrightness(where, opts.brightness),
      contrast: inUnit(where, 'contrast', opts.contrast),
      saturation: inUnit(where, 'saturation', opts.saturation),
      interpolation,
      exifOrientation,
    },
  };
}
