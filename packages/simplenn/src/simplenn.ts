/**
 * `simplenn(net, x, dzdy?, res?, opts?)` — MatConvNet's `vl_simplenn`
 * (matconvnet-api §2.1): evaluates a chain of layers forward, and backward
 * when `dzdy` is given, returning `res` (see `res.ts`): `res[0].x = x`,
 * `res[l + 1].x = layer_l(res[l].x)`, then `res[n].dzdx = dzdy` and
 * `res[l].dzdx`, `res[l].dzdw` from layer l's backward mode, for l from n − 1
 * down to `max(n − backPropDepth, 0)`.
 *
 * - `dzdy` is a tensor of the output's shape, or a number p (p everywhere,
 *   typically 1 for a loss). `res` given: its entries are reused and the
 *   tensors `simplenn` made in them are replaced (disposed).
 * - `conserveMemory` (MatConvNet's rules): forward only — every intermediate
 *   `x` is disposed once consumed, except outputs of `precious` layers and of
 *   losses; with a backward pass — inputs of layers below the backprop limit
 *   are disposed during the forward pass, and after each layer's backward its
 *   output's `x` and `dzdx`. What survives: `res[0]` (x is the caller's, never
 *   disposed), `res[n]`, precious outputs and every `dzdw`. Decision: `res[0].x`
 *   is kept (MatConvNet clears it; it is the caller's tensor anyway).
 * - Labels: loss and pdist layers take `opts.labels`, else their `class` field.
 * - `skipForward` needs `dzdy` and a `res` whose `x` (and dropout `aux`) an
 *   earlier call filled; `accumulate` adds the new `dzdw` to those in `res`.
 */
import { isTensor, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { inLayer, layerLabel } from './layer-error.js';
import { backwardLayer } from './layer-backward.js';
import { forwardLayer, type LayerContext } from './layer-forward.js';
import type { SimpleNNSpec } from './layer-spec.js';
import type { Layer } from './layer-types.js';
import { callerTensors, emptyEntry, Keeper, type ParsedOptions, parseOptions, type Res, type SimpleNNOptions } from './res.js';
import { tidy } from './tidy.js';

const LOSSES: readonly string[] = ['loss', 'softmaxloss', 'pdist'];

/** Evaluates `net` on `x` (forward, and backward when `dzdy` is given); see the module doc. */
export function simplenn(
  net: SimpleNNSpec,
  x: Tensor,
  dzdy?: Tensor | number | null,
  res?: Res | null,
  opts?: SimpleNNOptions,
): Res {
  const o = parseOptions(opts);
  const { layers } = tidy(net);
  const n = layers.length;
  if (!isTensor(x)) throw new ValueError('simplenn', 'x', `x must be a tensor [N, H, W, C], got ${String(x)}`);
  x.assertAlive('simplenn', 'x');
  const backward = dzdy !== undefined && dzdy !== null;
  if (o.skipForward && !backward) throw new ValueError('simplenn', 'dzdy', 'skipForward needs dzdy (a backward pass), got none');
  if (o.skipForward && !res) throw new ValueError('simplenn', 'res', 'skipForward needs the res of an earlier forward pass, got none');
  if (res && (!Array.isArray(res) || res.length !== n + 1)) {
    throw new ShapeError('simplenn', 'res', `res must have ${n + 1} entries (one per variable), got ${Array.isArray(res) ? res.length : String(res)}`);
  }
  const out: Res = res ?? Array.from({ length: n + 1 }, emptyEntry);
  const keeper = new Keeper(out, callerTensors([x, dzdy, o.labels, ...layers]));
  const limit = backward ? Math.max(n - o.backPropDepth, 0) : n;
  const ctxOf = (l: number): LayerContext => ({ mode: o.mode, labels: o.labels, rng: o.rng, where: layerLabel(layers[l]!, l), bnormMomentsDer: o.bnormMomentsDer });

  if (!o.skipForward) forward(layers, x, out, keeper, o, limit, ctxOf, backward);
  if (!backward) return out;

  const last = out[n]!.x;
  if (!last) throw new ValueError('simplenn', 'res', `res[${n}].x (the output) is needed for the backward pass, got none`);
  const dz = typeof dzdy === 'number' ? last.backend.fill(last.shape, dzdy) : (dzdy as Tensor);
  if (!isTensor(dz) || dz.shape.join() !== last.shape.join()) {
    throw new ShapeError('simplenn', 'dzdy', `dzdy must be a number or a tensor of the output's shape [${last.shape.join(', ')}], got ${isTensor(dz) ? `[${dz.shape.join(', ')}]` : String(dz)}`);
  }
  keeper.set(n, 'dzdx', dz);
  for (let l = n - 1; l >= limit; l--) {
    const layer = layers[l]!;
    const entry = out[l]!;
    const ctx = o.noDerInput && l === limit ? { ...ctxOf(l), noDerData: true } : ctxOf(l);
    if (!entry.x) throw new ValueError('simplenn', 'res', `res[${l}].x (the input of ${ctx.where}) is needed for the backward pass, got none`);
    const start = performance.now();
    const r = inLayer('simplenn', ctx.where, () => backwardLayer(layer, entry.x!, out[l + 1]!.x, out[l + 1]!.dzdx!, entry.aux, ctx));
    keeper.set(l, 'dzdx', r.dzdx);
    if (o.noDerInput && l === limit) keeper.set(l, 'dzdx', null);
    storeDzdw(keeper, l, r.dzdw, o.accumulate);
    entry.backwardTime = performance.now() - start;
    if (o.conserveMemory && l + 1 < n && !layer.precious) {
      keeper.set(l + 1, 'x', null);
      keeper.set(l + 1, 'dzdx', null);
    }
  }
  if (o.conserveMemory && limit > 0 && !layers[limit - 1]!.precious) {
    keeper.set(limit, 'x', null);
    keeper.set(limit, 'dzdx', null);
  }
  return out;
}

function forward(
  layers: readonly Layer[],
  x: Tensor,
  out: Res,
  keeper: Keeper,
  o: ParsedOptions,
  limit: number,
  ctxOf: (l: number) => LayerContext,
  backward: boolean,
): void {
  keeper.set(0, 'x', x);
  layers.forEach((layer, l) => {
    const ctx = ctxOf(l);
    const start = performance.now();
    const r = inLayer('simplenn', ctx.where, () => forwardLayer(layer, out[l]!.x!, ctx));
    if (!isTensor(r.y)) throw new ValueError('simplenn', 'forward', `${ctx.where}: forward must return a tensor, got ${String(r.y)}`);
    keeper.set(l + 1, 'x', r.y);
    keeper.set(l, 'aux', r.aux);
    out[l]!.time = performance.now() - start;
    // Layer l has consumed its input: drop it unless backward needs it or it is kept.
    const producer = l > 0 ? layers[l - 1]! : null;
    const needed = backward && l >= limit;
    if (o.conserveMemory && producer && !needed && !producer.precious && !LOSSES.includes(producer.type)) {
      keeper.set(l, 'x', null);
    }
  });
}

/** Stores (or, with accumulate, adds) layer l's parameter derivatives. */
function storeDzdw(keeper: Keeper, l: number, dzdw: (Tensor | null)[], accumulate: boolean): void {
  const entry = keeper.res[l]!;
  const old = entry.dzdw;
  const next = dzdw.map((d, j) => {
    const prev = old[j] ?? null;
    if (!accumulate || !prev || !d) return keeper.adopt(d ?? (accumulate ? prev : null));
    const sum = keeper.adopt(d.backend.run('Axpby', { x: prev, y: d }, { alpha: 1, beta: 1 }));
    keeper.adopt(d);
    return sum;
  });
  entry.dzdw = next;
  for (const t of old) keeper.release(t);
  for (const t of dzdw) keeper.release(t);
}
