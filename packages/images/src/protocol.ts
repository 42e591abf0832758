/**
 * Messages between a reader and its decoding workers (Node worker_threads or
 * Web Workers). A transform spec is sent once per worker and batch (`spec`),
 * then referred to by id; results come back with their pixel buffer
 * transferred, not copied.
 */
import type { ImageArray } from './decoded.js';
import type { ImageErrorData } from './errors.js';
import type { Draws } from './jitter.js';
import type { TransformSpec } from './options.js';

/** Node: a path or the file's bytes; browsers: a URL or a Blob (a File is one). */
export type WireSource = string | Uint8Array | Blob;

export type ToWorker =
  | { type: 'spec'; specId: number; spec: TransformSpec }
  | { type: 'forget'; specId: number }
  | { type: 'job'; id: number; specId: number; source: WireSource; name: string; draws: Draws };

export type FromWorker =
  | { type: 'done'; id: number; image: ImageArray }
  | { type: 'failed'; id: number; error: ImageErrorData }
  | { type: 'crashed'; id: number; message: string };

export type Decode = (source: WireSource, name: string, exifOrientation: boolean) => Promise<import('./decoded.js').DecodedImage | ImageErrorData>;

const isDecoded = (v: object): v is import('./decoded.js').DecodedImage => 'data' in v;

/**
 * The worker's side: keeps specs, decodes and transforms each job, replies
 * once per job. With `oneAtATime`, messages are handled strictly in turn
 * (each job read, decoded, transformed and answered before the next starts):
 * the reader keeps many jobs queued in each worker so it never idles, and
 * one job at a time keeps a worker to one core — started all at once,
 * sharp's decodes ran on libuv's 4 threads beside every worker's transform,
 * and a 1-thread pool ran 20–30 % slower than the same work on one thread.
 */
export function workerHandler(decode: Decode, reply: (msg: FromWorker, transfer: ArrayBuffer[]) => void, opts: { oneAtATime?: boolean } = {}): (msg: ToWorker) => Promise<void> {
  const handle = handler(decode, reply);
  if (!opts.oneAtATime) return handle;
  let last: Promise<void> = Promise.resolve();
  return (msg) => {
    last = last.then(() => handle(msg));
    return last;
  };
}

function handler(decode: Decode, reply: (msg: FromWorker, transfer: ArrayBuffer[]) => void): (msg: ToWorker) => Promise<void> {
  const specs = new Map<number, TransformSpec>();
  return async (msg) => {
    if (msg.type === 'spec') specs.set(msg.specId, msg.spec);
    else if (msg.type === 'forget') specs.delete(msg.specId);
    else {
      try {
        const spec = specs.get(msg.specId);
        if (!spec) throw new Error(`no transform spec ${msg.specId} for job ${msg.id}`);
        const decoded = await decode(msg.source, msg.name, spec.exifOrientation);
        if (!isDecoded(decoded)) {
          reply({ type: 'failed', id: msg.id, error: decoded }, []);
          return;
        }
        const { transformImage } = await import('./transform.js');
        const image = transformImage(decoded, spec, msg.draws);
        reply({ type: 'done', id: msg.id, image }, [image.data.buffer as ArrayBuffer]);
      } catch (e) {
        reply({ type: 'crashed', id: msg.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }, []);
      }
    }
  };
}
