/**
 * Spatial bilinear resampling (vl_nnbilinearsampler, manual §4.5, derivatives §6.5):
 *
 *   y[o, i, j, c] = Σ_{h, w} x[n(o), h, w, c] · max(0, 1 − |py − h|) · max(0, 1 − |px − w|),
 *   py = (grid[o, i, j, 0] + 1)/2 · (H − 1),   px = (grid[o, i, j, 1] + 1)/2 · (W − 1),
 *
 * with 0-based pixel positions (−1 is the centre of the first pixel, +1 the
 * centre of the last) and n(o) = ⌊o / (No/N)⌋: transforms 1..No/N apply to the
 * first image, the next No/N to the second, and so on.
 *
 * Layout: `x` `[N, H, W, C]`, `grid` `[No, Ho, Wo, 2]` whose last axis is
 * (y, x) = (vertical, horizontal), `y` `[No, Ho, Wo, C]`. MatConvNet's grid is
 * 2×Ho×Wo×No with the first axis (v, u) in the same order: the coordinate axis
 * moves last, so `grid[o, i, j, k] = G(k+1, i+1, j+1, o+1)`.
 *
 * Decisions: taps outside the image contribute zero (follow). The manual's
 * β = −(H+1)/2 is a sign slip for 1-based indices; the definition above is the
 * one MatConvNet's code computes. The grid derivative is the exact derivative
 * of the sampled value, including the (H − 1)/2 and (W − 1)/2 factors (fix:
 * early MatConvNet CPU code left x out of it); at integer positions it is the
 * derivative from the right.
 */
import { type Backend, formatShape, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { checkOptionNames, toFlag } from './options.js';

export interface BilinearSamplerBackwardOptions {
  /** Skip `dzdx` (returned as null). Default false. */
  noDerData?: boolean;
  /** Skip `dzdgrid` (returned as null). Default false. */
  noDerGrid?: boolean;
}

export interface BilinearSamplerDerivatives {
  /** `[N, H, W, C]`, or null with `noDerData`. */
  dzdx: Tensor | null;
  /** `[No, Ho, Wo, 2]`, or null with `noDerGrid`. */
  dzdgrid: Tensor | null;
}

/** Samples `x` `[N, H, W, C]` at `grid` `[No, Ho, Wo, 2]` (y, x) in [−1, 1] → `[No, Ho, Wo, C]`. */
export function bilinearSampler(x: Tensor, grid: Tensor): Tensor {
  const backend = checkSampler('bilinearSampler', x, grid);
  return backend.run('BilinearSampler', { x, grid }, {});
}

/** Derivatives of `⟨dzdy, bilinearSampler(x, grid)⟩` w.r.t. `x` and `grid`. */
export function bilinearSamplerBackward(
  x: Tensor,
  grid: Tensor,
  dzdy: Tensor,
  opts?: { noDerData?: false; noDerGrid?: false },
): { dzdx: Tensor; dzdgrid: Tensor };
export function bilinearSamplerBackward(
  x: Tensor,
  grid: Tensor,
  dzdy: Tensor,
  opts: BilinearSamplerBackwardOptions,
): BilinearSamplerDerivatives;
export function bilinearSamplerBackward(
  x: Tensor,
  grid: Tensor,
  dzdy: Tensor,
  opts: BilinearSamplerBackwardOptions = {},
): BilinearSamplerDerivatives {
  const block = 'bilinearSamplerBackward';
  checkOptionNames(block, opts, ['noDerData', 'noDerGrid']);
  const noDerData = toFlag(block, 'noDerData', opts.noDerData);
  const noDerGrid = toFlag(block, 'noDerGrid', opts.noDerGrid);
  const backend = checkSampler(block, x, grid, dzdy);
  expectRank(block, 'dzdy', dzdy, 4);
  expectShape(block, 'dzdy', dzdy, [grid.shape[0]!, grid.shape[1]!, grid.shape[2]!, x.shape[3]!], 'the output [No, Ho, Wo, C]');
  const { dx, dgrid } = backend.run('BilinearSamplerBackward', { x, grid, dy: dzdy }, { needDx: !noDerData, needDgrid: !noDerGrid });
  return { dzdx: dx, dzdgrid: dgrid };
}

function checkSampler(block: string, x: Tensor, grid: Tensor, dzdy?: Tensor): Backend {
  const backend = backendOf(block, { x, grid, dzdy }, dzdy === undefined ? ['x', 'grid'] : ['x', 'grid', 'dzdy']);
  expectRank(block, 'x', x, 4);
  expectRank(block, 'grid', grid, 4, '[No, Ho, Wo, 2]');
  const [n] = x.shape;
  const [no, , , two] = grid.shape;
  if (two !== 2) {
    throw new ShapeError(block, 'grid', `grid must have a last axis of size 2 (y, x), got shape ${formatShape(grid.shape)}`);
  }
  if (no! % n! !== 0) {
    throw new ShapeError(block, 'grid', `grid batch size No must be a multiple of the ${n} images of x, got No = ${no}`);
  }
  return backend;
}
