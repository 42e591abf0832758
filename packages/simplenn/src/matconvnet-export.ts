/**
 * `saveMatConvNet(net, opts?)` — a convnet-ts SimpleNN as a MatConvNet model
 * file: a Level 5 MAT-file (`-v7`, zlib-compressed, by default; `-v6` with
 * `compress: false`) whose variables are the net's fields `layers` and
 * `meta`, as MatConvNet's `save(file, '-struct', 'net')` writes them, so that
 * `net = load(file)` followed by `vl_simplenn_tidy` and `vl_simplenn` run it
 * in MATLAB or Octave. The layout is `matconvnet-export-struct.ts`'s.
 *
 * Asynchronous because it reads the tensors (`await t.data()`, which works on
 * every backend). `loadMatConvNet(await saveMatConvNet(net), backend)` gives
 * back the same layers and weights (bit for bit on float32), so the same
 * forward pass.
 */
import { writeMat } from '@convnet-ts/matfile';
import type { SimpleNNSpec } from './layer-spec.js';
import { toMatConvNet } from './matconvnet-export-struct.js';

export interface SaveMatConvNetOptions {
  /** `true` (default): zlib-compressed as `save -v7`; `false`: uncompressed as `save -v6`. */
  compress?: boolean;
  /** The header's descriptive text (default: writeMat's). */
  description?: string;
}

/** The network as the bytes of a MatConvNet `.mat` model file. */
export async function saveMatConvNet(net: SimpleNNSpec, opts: SaveMatConvNetOptions = {}): Promise<Uint8Array> {
  const { layers, meta } = await toMatConvNet(net);
  return writeMat({ layers, meta }, { compress: opts.compress ?? true, ...(opts.description === undefined ? {} : { description: opts.description }) });
}
