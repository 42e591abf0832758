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
 * once per job. With `inProgress: k`, at most k jobs are worked on at once,
 * in arrival order (default: every job starts as it arrives). The reader
 * keeps many jobs queued in each worker so it never idles; k = 2 lets one
 * image decode (sharp works on libuv's threads) while the worker's own
 * thread transforms the one before, without the oversubscription of
 * starting every queued job at once — then sharp's decodes ran on libuv's 4
 * threads beside every worker's transform, and a 1-thread pool ran 28 %
 * slower than the same work on one thread. A job takes its spec when it
 * arrives, so a later `forget` never overtakes it.
 */
export function workerHandler(decode: Decode, reply: (msg: FromWorker, transfer: ArrayBuffer[]) => void, opts: { inProgress?: number } = {}): (msg: ToWorker) => Promise<void> {
  const specs = new Map<number, TransformSpec>();
  const limit = opts.inProgress ?? Number.POSITIVE_INFINITY;
  let running = 0;
  const queue: (() => Promise<void>)[] = [];
  const pump = () => {
    while (running < limit && queue.length > 0) {
      running++;
      void queue.shift()!().finally(() => {
        running--;
        pump();
      });
    }
  };
  const run = async (msg: ToWorker & { type: 'job' }, spec: TransformSpec | undefined): Promise<void> => {
    try {
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
  };
  return (msg) => {
    if (msg.type === 'spec') specs.set(msg.specId, msg.spec);
    else if (msg.type === 'forget') specs.delete(msg.specId);
    else {
      const spec = specs.get(msg.specId);
      return new Promise<void>((resolve) => {
        queue.push(() => run(msg, spec).then(resolve));
        pump();
      });
    }
    return Promise.resolve();
  };
}
