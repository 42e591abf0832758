/**
 * `ImageReader` — `vl_imreadjpeg` over a pool of decoding workers, for any
 * environment (`node.ts` and `browser.ts` give it their workers and source
 * types). `read(sources, opts)` decodes and transforms every image in the
 * workers and returns them; `prefetch(sources, opts)` starts the same work
 * and returns a handle to `collect()` later, and, as in MatConvNet, a later
 * `read` of exactly the same sources with the same options collects it.
 *
 * The random draws are made here, in image order, from `seed`
 * (`jitter.ts`), so results never depend on `numThreads`. With `pack`, the
 * images are one row-major `[N, H, W, 3]` float32 batch; otherwise a list of
 * `[H, W, C]` images (C = 1 for grey files). An unreadable image throws its
 * `ImageError`, or with `onError: 'skip'` is left out and listed in `skipped`.
 */
import { OptionError, ValueError } from '@convnet-ts/tensor';
import type { ImageArray } from './decoded.js';
import { type ImageErrorReason, toImageError } from './errors.js';
import { drawJitter } from './jitter.js';
import { type ParsedReadOptions, parseReadOptions, type ReadImagesOptions } from './options.js';
import type { JobResult, WorkerPool } from './pool.js';
import type { WireSource } from './protocol.js';

export interface SkippedImage {
  /** Index into `sources`. */
  index: number;
  source: string;
  reason: ImageErrorReason;
  message: string;
}

interface ReadBase {
  /** For each image returned, its index into `sources`. */
  indices: number[];
  skipped: SkippedImage[];
}

/** `pack: true`: one batch `[N, H, W, 3]`, row-major float32. */
export interface PackedImages extends ReadBase {
  data: Float32Array;
  shape: [number, number, number, number];
}

export interface ImageList extends ReadBase {
  images: ImageArray[];
}

export type ReadResult = PackedImages | ImageList;

export interface Prefetched<R extends ReadResult = ReadResult> {
  /** Waits for the images (throws as `read` would). */
  collect(): Promise<R>;
}

type PackOpts = ReadImagesOptions & { pack: true };

interface InFlight {
  sources: readonly unknown[];
  key: string;
  result: Promise<ReadResult>;
}

/** A key of the options other than numThreads and prefetch (typed arrays by value). */
function optionsKey(opts: ReadImagesOptions | undefined): string {
  const { numThreads: _n, prefetch: _p, ...rest } = opts ?? {};
  return JSON.stringify(rest, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
}

export class ImageReader<S> {
  readonly numThreads: number;
  readonly #where: string;
  readonly #pool: WorkerPool;
  readonly #wire: (source: S, what: string) => { source: WireSource; name: string };
  #inFlight: InFlight[] = [];

  constructor(where: string, pool: WorkerPool, wire: (source: S, what: string) => { source: WireSource; name: string }) {
    this.#where = where;
    this.#pool = pool;
    this.numThreads = pool.size;
    this.#wire = wire;
  }

  read(sources: readonly S[], opts: PackOpts): Promise<PackedImages>;
  read(sources: readonly S[], opts?: ReadImagesOptions): Promise<ReadResult>;
  read(sources: readonly S[], opts?: ReadImagesOptions): Promise<ReadResult> {
    const key = optionsKey(opts);
    const i = this.#inFlight.findIndex((f) => f.key === key && f.sources.length === sources.length && f.sources.every((s, k) => s === sources[k]));
    if (i >= 0) return this.#inFlight.splice(i, 1)[0]!.result;
    return this.#start(sources, opts);
  }

  prefetch(sources: readonly S[], opts: PackOpts): Prefetched<PackedImages>;
  prefetch(sources: readonly S[], opts?: ReadImagesOptions): Prefetched;
  prefetch(sources: readonly S[], opts?: ReadImagesOptions): Prefetched {
    const result = this.#start(sources, opts);
    result.catch(() => {}); // reported by collect() or the matching read()
    const entry: InFlight = { sources: [...sources], key: optionsKey(opts), result };
    this.#inFlight.push(entry);
    return {
      collect: () => {
        this.#inFlight = this.#inFlight.filter((f) => f !== entry);
        return result;
      },
    };
  }

  /** Stops the workers; reads in progress reject. */
  close(): void {
    this.#pool.close();
    this.#inFlight = [];
  }

  parse(opts: ReadImagesOptions | undefined): ParsedReadOptions {
    const parsed = parseReadOptions(this.#where, opts);
    if (opts?.numThreads !== undefined && parsed.numThreads !== this.numThreads) {
      throw new OptionError(this.#where, 'numThreads', `numThreads must be this reader's ${this.numThreads} (make another reader for another count), got ${parsed.numThreads}`);
    }
    return parsed;
  }

  async #start(sources: readonly S[], opts: ReadImagesOptions | undefined): Promise<ReadResult> {
    const where = this.#where;
    const parsed = this.parse(opts);
    if (!Array.isArray(sources)) throw new ValueError(where, 'sources', `sources must be an array of images, got ${Object.prototype.toString.call(sources)}`);
    if (typeof parsed.seed !== 'number' && parsed.seed.length !== sources.length) {
      throw new OptionError(where, 'seed', `seed must be one number or one per image (${sources.length}), got ${parsed.seed.length} seeds`);
    }
    const draws = drawJitter(parsed.seed, sources.length);
    const jobs = sources.map((s, i) => ({ ...this.#wire(s, `sources[${i}]`), draws: draws[i]! }));
    const results = await this.#pool.run(parsed.spec, jobs);
    return assemble(where, parsed, results);
  }
}

function assemble(where: string, parsed: ParsedReadOptions, results: JobResult[]): ReadResult {
  const images: ImageArray[] = [];
  const indices: number[] = [];
  const skipped: SkippedImage[] = [];
  results.forEach((r, index) => {
    if (r.ok) {
      images.push(r.image);
      indices.push(index);
      return;
    }
    const err = toImageError(where, r.error);
    if (parsed.onError === 'throw') throw err;
    skipped.push({ index, source: r.error.source, reason: r.error.reason, message: err.message });
  });
  const r = parsed.spec.resize;
  if (!parsed.spec.pack || r.kind !== 'fixed') return { images, indices, skipped };
  const size = r.height * r.width * 3;
  const data = new Float32Array(images.length * size);
  images.forEach((im, k) => {
    data.set(im.data, k * size);
  });
  return { data, shape: [images.length, r.height, r.width, 3], indices, skipped };
}
