/**
 * The interpolation kernels of MATLAB's `imresize` (and of MatConvNet's
 * `vl_imreadjpeg`, `ImageResizeFilter` in matlab/src/bits/impl/imread_helpers.hpp),
 * each a function h(x) with its support width: h is zero for |x| ≥ width/2.
 *
 * - nearest / box: h(x) = 1 for −0.5 ≤ x < 0.5 (width 1);
 * - bilinear: h(x) = max(0, 1 − |x|) (width 2);
 * - bicubic: Keys' cubic with a = −0.5 (width 4):
 *   1.5|x|³ − 2.5|x|² + 1 for |x| ≤ 1, −0.5|x|³ + 2.5|x|² − 4|x| + 2 for 1 < |x| ≤ 2;
 * - lanczos2 / lanczos3: sinc(x)·sinc(x/a) for |x| < a, a = 2 or 3 (width 2a),
 *   sinc(x) = sin(πx)/(πx).
 */

export type Interpolation = 'nearest' | 'box' | 'bilinear' | 'bicubic' | 'lanczos2' | 'lanczos3';

export const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'box', 'bilinear', 'bicubic', 'lanczos2', 'lanczos3'];

export interface Kernel {
  h: (x: number) => number;
  width: number;
}

const box = (x: number): number => (x >= -0.5 && x < 0.5 ? 1 : 0);

function cubic(x: number): number {
  const a = Math.abs(x);
  const a2 = a * a;
  const a3 = a2 * a;
  if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
  if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
  return 0;
}

function lanczos(a: number): (x: number) => number {
  return (x) => {
    if (Math.abs(x) >= a) return 0;
    if (x === 0) return 1;
    const px = Math.PI * x;
    return (a * Math.sin(px) * Math.sin(px / a)) / (px * px);
  };
}

export const KERNELS: Readonly<Record<Interpolation, Kernel>> = {
  nearest: { h: box, width: 1 },
  box: { h: box, width: 1 },
  bilinear: { h: (x) => Math.max(0, 1 - Math.abs(x)), width: 2 },
  bicubic: { h: cubic, width: 4 },
  lanczos2: { h: lanczos(2), width: 4 },
  lanczos3: { h: lanczos(3), width: 6 },
};
