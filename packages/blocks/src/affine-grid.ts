/**
 * Affine sampling grid (DagNN's AffineGridGenerator; api §3.3), the grid input
 * of `bilinearSampler` (manual §4.5):
 *
 *   grid[n, i, j, :] = A_n · (y_i, x_j, 1),   y_i = linspace(−1, 1, Ho)_i,  x_j = linspace(−1, 1, Wo)_j,
 *
 * so grid[n, i, j, 0] = a11 y_i + a12 x_j + a13 (vertical) and
 * grid[n, i, j, 1] = a21 y_i + a22 x_j + a23 (horizontal); the identity
 * `[[1, 0, 0], [0, 1, 0]]` makes `bilinearSampler` reproduce its input when
 * (Ho, Wo) = (H, W). Backward: dA_n = Σ_{i,j} dgrid[n, i, j, :] ⊗ (y_i, x_j, 1).
 *
 * Layout: `theta` `[N, 2, 3]`, row-major `A_n`. MatConvNet's input is 1×1×6×N
 * `c1..c6` with A = [c1 c2 c5; c3 c4 c6] acting on (v, u, 1) — vertical first,
 * as here — so `theta[n] = [[c1, c2, c5], [c3, c4, c6]]`.
 *
 * Decision: with Ho = 1 (or Wo = 1) the single coordinate is 0, the centre
 * (fix: MATLAB's linspace(−1, 1, 1) is +1, which samples the last row).
 */
import { formatShape, OptionError, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { backendOf, expectRank, expectShape } from './checks.js';
import { describe, toPair } from './options.js';

/** Output grid size `[Ho, Wo]` (one number means a square grid). */
export type AffineGridSize = number | readonly [number, number];

/** The grid `[N, Ho, Wo, 2]` (y, x) of the affine maps `theta` `[N, 2, 3]`. */
export function affineGrid(theta: Tensor, outSize: AffineGridSize): Tensor {
  const backend = backendOf('affineGrid', { theta });
  const size = checkAffine('affineGrid', theta, outSize);
  return backend.run('AffineGrid', { theta }, { outSize: size });
}

/** Derivative `[N, 2, 3]` of `⟨dzdgrid, affineGrid(theta, outSize)⟩` w.r.t. `theta`. */
export function affineGridBackward(theta: Tensor, outSize: AffineGridSize, dzdgrid: Tensor): Tensor {
  const block = 'affineGridBackward';
  const backend = backendOf(block, { theta, dzdgrid });
  const [ho, wo] = checkAffine(block, theta, outSize);
  expectShape(block, 'dzdgrid', dzdgrid, [theta.shape[0]!, ho, wo, 2], 'the grid [N, Ho, Wo, 2]');
  return backend.run('AffineGridBackward', { theta, dgrid: dzdgrid }, { outSize: [ho, wo] });
}

function checkAffine(block: string, theta: Tensor, outSize: AffineGridSize): [number, number] {
  if (outSize === undefined || outSize === null) {
    throw new OptionError(block, 'outSize', `outSize must be [Ho, Wo], got ${describe(outSize)}`);
  }
  const size = toPair(block, 'outSize', outSize, 1, 1);
  expectRank(block, 'theta', theta, 3, '[N, 2, 3]');
  if (theta.shape[1] !== 2 || theta.shape[2] !== 3) {
    throw new ShapeError(block, 'theta', `theta must have shape [N, 2, 3], got ${formatShape(theta.shape)}`);
  }
  return [size[0], size[1]];
}
