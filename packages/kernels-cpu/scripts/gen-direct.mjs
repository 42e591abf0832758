// The direct convolution for few input channels (first layers, C ≤ 4) and
// its filter derivative, generated for gemm.wat (spliced in by gen-gemm.mjs's
// tileFields; independent of the GEMM's tile). No im2row: each image is
// rearranged once into "phase planes", in which every run of 8 output pixels
// along a row reads each tap of its windows as 8 contiguous floats:
//
//     P[py, φ, c][q] = x̃[py, q·sx + φ, c]        (φ < sx, x̃ the zero-padded image)
//     x̃[oy·sy + fy, ox·sx + fx, c] = P[oy·sy + fy, fx mod sx, c][ox + ⌊fx/sx⌋]
//
// (row py of every plane together, Wq = ⌈Wp/sx⌉ floats each: the taps of a
// filter row lie together), so tap l = (fy·Wf + fx)·C + c of output pixel
// (oy, ox) sits at float off[l]/4 + oy·sy·R + ox of the image's planes (off: a
// table of L byte offsets, R = sx·C·Wq the floats of one padded row). Manual §4.1:
//
//     forward:            y[oy, ox, k] += Σ_l x̃(l; oy, ox) · F[l, k]
//     filter derivative:  dF[l, k]     += Σ_n Σ_(oy, ox) x̃_n(l; oy, ox) · dy_n[oy, ox, k]
//
// Forward tiles are 4 pixels of one output row × 8 filters (per tap: 4 splats
// from the planes, two vector loads of F's row l from a copy of F in filter
// tiles of 4, stored straight into NHWC y), and for the last K mod 8 ≤ 4
// filters 4 filters × 8 pixels (two vector loads from the planes, 4 splats of
// F, stored through 4 × 4 transposes), all in one function (no call or
// task-block read per tile): 8 accumulators, the most V8 keeps in registers
// with the vectors of a tap (it loads them all before the arithmetic: 2 pixels
// × 20 filters with the taps of a filter row unrolled, 31 values live, ran
// 4–18 % slower, 5 pixels × 8 filters, 17 live, 16 %). The filter
// derivative's tiles are gen-direct-filter.mjs's.
//
// Task block words (int32): 0 H  1 W  2 C  3 Hf  4 Wf  5 Ho  6 Wo  7 sy  8 sx
// 9 padTop  10 padLeft  11 Hp  12 R = sx·C·Wq  13 Wq  17 K  18 x  19 count  20 y (dy)
// 21 f (forward: F in filter tiles of 4, ⌈K/4⌉ blocks of L × 4; derivative: dF, see
// gen-direct-filter.mjs)  22 planes
// 23 bytes of one image's planes  24 off  25 first tile  26 end tile  27 scratch (16 floats)
// 28 the forward's start: 0 none (its sums stored), 1 y's own values, 2 the bias at word 30 (⌈K/4⌉·4
// floats, added to the sums as they are stored: y is written once, never filled first)  29 output rows
// per block (the derivative)  30 the bias  31 1: the image is its own plane (one channel, sx = 1, no
// padding: the forward reads x in place).

import { filterFields } from './gen-direct-filter.mjs';

const range = (n) => Array.from({ length: n }, (_, i) => i);
const lines = (xs) => xs.filter((x) => x !== '').join('\n');
const ld = (w) => `(call $ld (local.get $d) (i32.const ${w}))`;

/** The 4 × 4 transpose of the v128 locals `r` into the locals `out` (through `t`). */
function transpose(r, t, out) {
  const lo = '0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23';
  const hi = '8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31';
  const a = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
  const b = '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
  const g = (x) => `(local.get ${x})`;
  return lines([
    `(local.set ${t[0]} (i8x16.shuffle ${lo} ${g(r[0])} ${g(r[1])}))`,
    `(local.set ${t[1]} (i8x16.shuffle ${lo} ${g(r[2])} ${g(r[3])}))`,
    `(local.set ${t[2]} (i8x16.shuffle ${hi} ${g(r[0])} ${g(r[1])}))`,
    `(local.set ${t[3]} (i8x16.shuffle ${hi} ${g(r[2])} ${g(r[3])}))`,
    `(local.set ${out[0]} (i8x16.shuffle ${a} ${g(t[0])} ${g(t[1])}))`,
    `(local.set ${out[1]} (i8x16.shuffle ${b} ${g(t[0])} ${g(t[1])}))`,
    `(local.set ${out[2]} (i8x16.shuffle ${a} ${g(t[2])} ${g(t[3])}))`,
    `(local.set ${out[3]} (i8x16.shuffle ${b} ${g(t[2])} ${g(t[3])}))`,
  ]);
}

const acc = (i, v) => `$c${i}_${v}`;
const ACC_LOCALS = range(4)
  .flatMap((i) => range(2).map((v) => `(local ${acc(i, v)} v128)`))
  .join(' ');
const zeroAcc = lines(range(4).flatMap((i) => range(2).map((v) => `(local.set ${acc(i, v)} (v128.const i32x4 0 0 0 0))`)));
/** acc[i][v] += a_i · b_v for i < 4, v < 2, with a_i = `splat(i)` (an expression) into $av. */
const madds = (splat) =>
  lines(
    range(4).flatMap((i) => [
      `(local.set $av ${splat(i)})`,
      ...range(2).map((v) => `(local.set ${acc(i, v)} (f32x4.add (local.get ${acc(i, v)}) (f32x4.mul (local.get $av) (local.get $b${v}))))`),
    ]),
  );

/** The planes of the image at x into out (see the header); C = 1 and sx = 1: the padded image itself. */
const planes = `
  (func $direct_planes (param $d i32) (param $x i32) (param $out i32)
    (local $H i32) (local $W i32) (local $C i32) (local $sx i32) (local $Hp i32) (local $Wq i32) (local $pt i32) (local $pl i32)
    (local $c i32) (local $ph i32) (local $py i32) (local $q i32) (local $iy i32) (local $ix i32) (local $q0 i32) (local $q1 i32)
    (local.set $H ${ld(0)}) (local.set $W ${ld(1)}) (local.set $C ${ld(2)}) (local.set $sx ${ld(8)})
    (local.set $Hp ${ld(11)}) (local.set $Wq ${ld(13)}) (local.set $pt ${ld(9)}) (local.set $pl ${ld(10)})
    ;; One channel, stride 1: the plane is the padded image, each row zeros around a copy of x's row.
    (if (i32.and (i32.eq (local.get $C) (i32.const 1)) (i32.eq (local.get $sx) (i32.const 1)))
      (then
        (local.set $q0 (call $min (local.get $pl) (local.get $Wq)))
        (local.set $q1 (call $min (local.get $Wq) (i32.add (local.get $W) (local.get $pl))))
        (local.set $q1 (select (local.get $q1) (local.get $q0) (i32.gt_s (local.get $q1) (local.get $q0))))
        (block $dr (loop $lr
          (br_if $dr (i32.ge_s (local.get $py) (local.get $Hp)))
          (local.set $iy (i32.sub (local.get $py) (local.get $pt)))
          (if (i32.lt_u (local.get $iy) (local.get $H))
            (then
              (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $q0) (i32.const 2)))
              (memory.copy (i32.add (local.get $out) (i32.shl (local.get $q0) (i32.const 2)))
                (i32.add (local.get $x) (i32.shl (i32.sub (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $q0)) (local.get $pl)) (i32.const 2)))
                (i32.shl (i32.sub (local.get $q1) (local.get $q0)) (i32.const 2)))
              (memory.fill (i32.add (local.get $out) (i32.shl (local.get $q1) (i32.const 2))) (i32.const 0) (i32.shl (i32.sub (local.get $Wq) (local.get $q1)) (i32.const 2))))
            (else (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $Wq) (i32.const 2)))))
          (local.set $out (i32.add (local.get $out) (i32.shl (local.get $Wq) (i32.const 2))))
          (local.set $py (i32.add (local.get $py) (i32.const 1)))
          (br $lr)))
        (return)))
    ;; Row py of the planes (py, φ, c) one after another: the taps of one filter row lie together.
    (block $dpy (loop $lpy
      (br_if $dpy (i32.ge_s (local.get $py) (local.get $Hp)))
      (local.set $iy (i32.sub (local.get $py) (local.get $pt)))
      (local.set $ph (i32.const 0))
      (block $dph (loop $lph
        (br_if $dph (i32.ge_s (local.get $ph) (local.get $sx)))
        (local.set $c (i32.const 0))
        (block $dc (loop $lc
          (br_if $dc (i32.ge_s (local.get $c) (local.get $C)))
          (local.set $q (i32.const 0))
          (block $dq (loop $lq
            (br_if $dq (i32.ge_s (local.get $q) (local.get $Wq)))
            (local.set $ix (i32.sub (i32.add (i32.mul (local.get $q) (local.get $sx)) (local.get $ph)) (local.get $pl)))
            (f32.store (local.get $out)
              (if (result f32) (i32.and (i32.lt_u (local.get $iy) (local.get $H)) (i32.lt_u (local.get $ix) (local.get $W)))
                (then (f32.load (i32.add (local.get $x)
                  (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $c)) (i32.const 2)))))
                (else (f32.const 0))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $lq)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $lc)))
        (local.set $ph (i32.add (local.get $ph) (i32.const 1)))
        (br $lph)))
      (local.set $py (i32.add (local.get $py) (i32.const 1)))
      (br $lpy))))

  ;; The planes of the task block's d[19] images from x (H·W·C floats each) to planes (d[23] bytes each).
  (func (export "direct_planes_images") (param $d i32)
    (local $n i32) (local $x i32) (local $out i32) (local $imageBytes i32)
    (local.set $x ${ld(18)})
    (local.set $out ${ld(22)})
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul ${ld(0)} ${ld(1)}) ${ld(2)}) (i32.const 2)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) ${ld(19)}))
      (call $direct_planes (local.get $d) (local.get $x) (local.get $out))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $out (i32.add (local.get $out) ${ld(23)}))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))`;

/**
 * Sets $sq, where a forward's stores at $yq read what they add: y itself ($yq, mode 1) or the bias of
 * their filters ($bk, the bias of filter k0, + `offset` bytes; mode 2).
 */
const srcAt = (offset) => `(local.set $sq (select (local.get $yq) (i32.add (local.get $bk) (i32.const ${offset})) (local.get $fromY)))`;

/** `code(start)` for the forward's start (word 28): 'none' (mode 0), 'y' (1) or 'bias' (2), branching on it once. */
const byStart = (code) => `(if (i32.eqz (local.get $add)) (then ${code('none')}) (else (if (local.get $fromY) (then ${code('y')}) (else ${code('bias')}))))`;

/** The value a forward stores: its sums `o`, plus y's value `fromY` or the bias `fromBias` as `start` says (start + o, as im2row + GEMM adds). */
const plus = (start, fromY, fromBias, o) => (start === 'none' ? o : `(f32x4.add ${start === 'y' ? fromY : fromBias} ${o})`);

/**
 * Stores the 4 filters `o` (a v128 local) of one pixel at y's byte address
 * $yq: all 4 where `n` (an i32 expression) is 4, else its first n lanes
 * through $scratch; added to y's values where $add. `id` names the loop.
 */
const storeQuad = (o, n, id) => `(if (i32.ge_s ${n} (i32.const 4))
          (then (v128.store (local.get $yq) (if (result v128) (local.get $add) (then (f32x4.add (v128.load (local.get $sq)) (local.get ${o}))) (else (local.get ${o})))))
          (else
            (v128.store (local.get $scratch) (local.get ${o}))
            (local.set $i (i32.const 0))
            (block $di${id} (loop $li${id}
              (br_if $di${id} (i32.ge_s (local.get $i) ${n}))
              (f32.store (local.get $yq) (f32.add (if (result f32) (local.get $add) (then (f32.load (local.get $sq))) (else (f32.const 0)))
                (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $i) (i32.const 2))))))
              (local.set $yq (i32.add (local.get $yq) (i32.const 4)))
              (local.set $sq (i32.add (local.get $sq) (i32.const 4)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $li${id})))))`;

/** Per 4 pixels v of the 8 × 4 tile: the transpose (pixel 4v + j's 4 filters in $o_j), then `store(v, j)` for each of the 4 pixels. */
const transposedQuads = (store) =>
  range(2)
    .map(
      (v) => `${transpose(
        range(4).map((i) => acc(i, v)),
        ['$t0', '$t1', '$t2', '$t3'],
        ['$o0', '$o1', '$o2', '$o3'],
      )}
        ${range(4)
          .map((j) => store(v, j))
          .join('\n        ')}`,
    )
    .join('\n        ');

/**
 * The forward tile of 8 pixels × 4 filters (the last K mod 8 ≤ 4 filters) at (oy, ox0, k0): y[oy, ox0 + j, k0 + i] (+)= Σ_l P(l) · F[l, k0 + i] for
 * j < 8, i < 4, l in order from 0 (added where $add, else stored: 0 + s = s, so
 * y need not be zeroed first); $base the planes' byte address of pixel
 * (oy, ox0), $fp that of the filter tile's F4[l][i] = F[l, k0 + i] (4 floats
 * per tap, zero past K), $K4 the bytes of a pixel of y, $yp y's address of
 * (oy, ox0, k0). Pixels j ≥ $pix and filters i ≥ $kn are computed but not
 * stored (their loads stay inside the arena's slack). Inlined in the loops of
 * conv_planes_images: a call per tile and the task-block words read per tile
 * took about a tenth of the time of LeNet's conv1 (25 taps a tile).
 */
const forwardTile = `
    ${zeroAcc}
    (local.set $tp (local.get $table))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $tp) (local.get $tableEnd)))
      (local.set $p (i32.add (local.get $base) (i32.load (local.get $tp))))
      (local.set $b0 (v128.load (local.get $p)))
      (local.set $b1 (v128.load offset=16 (local.get $p)))
      ${madds((i) => `(v128.load32_splat offset=${4 * i} (local.get $fp))`)}
      (local.set $fp (i32.add (local.get $fp) (i32.const 16)))
      (local.set $tp (i32.add (local.get $tp) (i32.const 4)))
      (br $loop)))
    ;; Per 4 pixels v: the transpose gives pixel 4v + j's 4 filters in $o_j.
    (if (i32.and (i32.ge_s (local.get $pix) (i32.const 8)) (i32.ge_s (local.get $kn) (i32.const 4)))
      (then
        ;; All 8 pixels × 4 filters inside y: 8 stores (the start's branch taken once).
        (local.set $yq (local.get $yp))
        ${byStart(
          (start) => `${start === 'bias' ? '(local.set $bv0 (v128.load (local.get $bk)))' : ''}
        ${transposedQuads(
          (_, j) => `(v128.store (local.get $yq) ${plus(start, '(v128.load (local.get $yq))', '(local.get $bv0)', `(local.get $o${j})`)})
        (local.set $yq (i32.add (local.get $yq) (local.get $K4)))`,
        )}`,
        )})
      (else
        ${transposedQuads(
          (v, j) => `(if (i32.lt_s (i32.const ${4 * v + j}) (local.get $pix))
      (then
        (local.set $yq (i32.add (local.get $yp) (i32.mul (local.get $K4) (i32.const ${4 * v + j}))))
        ${srcAt(0)}
        ${storeQuad(`$o${j}`, '(local.get $kn)', `${v}${j}`)}))`,
        )}))`;

/**
 * The forward tile of 4 pixels × 8 filters at (oy, ox0 + 4h, k0): acc[j][w] =
 * Σ_l P(l)[ox0 + 4h + j] · F[l, k0 + 4w …] (the pixels splatted from the
 * planes, the filters two vectors of the filter tiles k0/4 and k0/4 + 1), l in
 * order from 0: the same sums as the 8 × 4 tile, stored without transposes.
 */
const forwardWideTile = (h) => `
    ${zeroAcc}
    (local.set $tp (local.get $table))
    (local.set $fp (i32.add (local.get $f) (i32.shl (i32.mul (local.get $k0) (local.get $L)) (i32.const 2))))
    (local.set $fq (i32.add (local.get $fp) (i32.shl (local.get $L) (i32.const 4))))
    (block $dw${h} (loop $lw${h}
      (br_if $dw${h} (i32.ge_u (local.get $tp) (local.get $tableEnd)))
      (local.set $p (i32.add (local.get $base) (i32.load (local.get $tp))))
      (local.set $b0 (v128.load (local.get $fp)))
      (local.set $b1 (v128.load (local.get $fq)))
      ${madds((j) => `(v128.load32_splat offset=${16 * h + 4 * j} (local.get $p))`)}
      (local.set $fp (i32.add (local.get $fp) (i32.const 16)))
      (local.set $fq (i32.add (local.get $fq) (i32.const 16)))
      (local.set $tp (i32.add (local.get $tp) (i32.const 4)))
      (br $lw${h})))
    (if (i32.and (i32.ge_s (local.get $pix) (i32.const ${4 * h + 4})) (i32.ge_s (local.get $kn) (i32.const 8)))
      (then
        ;; All 4 pixels × 8 filters inside y: 8 stores (the start's branch taken once).
        (local.set $yq (i32.add (local.get $yp) (i32.mul (local.get $K4) (i32.const ${4 * h}))))
        ${byStart(
          (start) => `${start === 'bias' ? '(local.set $bv0 (v128.load (local.get $bk))) (local.set $bv1 (v128.load offset=16 (local.get $bk)))' : ''}
        ${range(4)
          .map(
            (j) => `${range(2)
              .map(
                (w) =>
                  `(v128.store offset=${16 * w} (local.get $yq) ${plus(start, `(v128.load offset=${16 * w} (local.get $yq))`, `(local.get $bv${w})`, `(local.get ${acc(j, w)})`)})`,
              )
              .join(' ')}
        (local.set $yq (i32.add (local.get $yq) (local.get $K4)))`,
          )
          .join('\n        ')}`,
        )})
      (else
    ${range(4)
      .map(
        (j) => `(if (i32.lt_s (i32.const ${4 * h + j}) (local.get $pix))
      (then
        ${range(2)
          .map(
            (w) => `(local.set $yq (i32.add (local.get $yp) (i32.add (i32.mul (local.get $K4) (i32.const ${4 * h + j})) (i32.const ${16 * w}))))
        ${srcAt(16 * w)}
        ${storeQuad(acc(j, w), `(i32.sub (local.get $kn) (i32.const ${4 * w}))`, `w${h}${j}${w}`)}`,
          )
          .join('\n        ')}))`,
      )
      .join('\n    ')}))`;

/** y_n ← conv(x_n, F) + d[28]·y_n (d[28] 0 or 1) for the task block's d[19] images: planes into d[22], then every tile. */
const forwardImages = `
  (func (export "conv_planes_images") (param $d i32)
    ${ACC_LOCALS} (local $b0 v128) (local $b1 v128) (local $av v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $o0 v128) (local $o1 v128) (local $o2 v128) (local $o3 v128)
    (local $n i32) (local $count i32) (local $x i32) (local $y i32) (local $K i32) (local $K4 i32) (local $L i32) (local $Ho i32) (local $Wo i32)
    (local $rowBytes i32) (local $planes i32) (local $oy i32) (local $ox i32) (local $k0 i32) (local $imageBytes i32) (local $outBytes i32)
    (local $base i32) (local $yt i32) (local $f i32) (local $fp i32) (local $table i32) (local $tableEnd i32) (local $tp i32) (local $p i32)
    (local $pix i32) (local $kn i32) (local $fq i32) (local $scratch i32) (local $add i32) (local $yp i32) (local $yq i32) (local $i i32)
    (local $sq i32) (local $bk i32) (local $bias i32) (local $fromY i32) (local $img i32) (local $inPlace i32) (local $bv0 v128) (local $bv1 v128)
    (local.set $K ${ld(17)})
    (local.set $K4 (i32.shl (local.get $K) (i32.const 2)))
    (local.set $L (i32.mul (i32.mul ${ld(3)} ${ld(4)}) ${ld(2)}))
    (local.set $Ho ${ld(5)})
    (local.set $Wo ${ld(6)})
    (local.set $rowBytes (i32.shl (i32.mul ${ld(7)} ${ld(12)}) (i32.const 2)))
    (local.set $planes ${ld(22)})
    (local.set $inPlace ${ld(31)})
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul ${ld(0)} ${ld(1)}) ${ld(2)}) (i32.const 2)))
    (local.set $outBytes (i32.mul (i32.mul (local.get $Ho) (local.get $Wo)) (local.get $K4)))
    (local.set $x ${ld(18)})
    (local.set $count ${ld(19)})
    (local.set $y ${ld(20)})
    (local.set $f ${ld(21)})
    (local.set $table ${ld(24)})
    (local.set $tableEnd (i32.add (local.get $table) (i32.shl (local.get $L) (i32.const 2))))
    (local.set $scratch ${ld(27)})
    (local.set $add (i32.ne ${ld(28)} (i32.const 0)))
    (local.set $fromY (i32.eq ${ld(28)} (i32.const 1)))
    (local.set $bias ${ld(30)})
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (local.get $count)))
      (if (local.get $inPlace)
        (then (local.set $img (local.get $x)))
        (else
          (call $direct_planes (local.get $d) (local.get $x) (local.get $planes))
          (local.set $img (local.get $planes))))
      (local.set $oy (i32.const 0))
      (block $doy (loop $loy
        (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
        (local.set $ox (i32.const 0))
        (block $dox (loop $lox
          (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
          (local.set $base (i32.add (i32.add (local.get $img) (i32.mul (local.get $oy) (local.get $rowBytes))) (i32.shl (local.get $ox) (i32.const 2))))
          (local.set $yt (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (local.get $oy) (local.get $Wo)) (local.get $ox)) (local.get $K4))))
          (local.set $pix (call $min (i32.const 8) (i32.sub (local.get $Wo) (local.get $ox))))
          (local.set $k0 (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_s (local.get $k0) (local.get $K)))
            (local.set $yp (i32.add (local.get $yt) (i32.shl (local.get $k0) (i32.const 2))))
            (local.set $bk (i32.add (local.get $bias) (i32.shl (local.get $k0) (i32.const 2))))
            (if (i32.gt_s (i32.sub (local.get $K) (local.get $k0)) (i32.const 4))
              (then
                (local.set $kn (call $min (i32.const 8) (i32.sub (local.get $K) (local.get $k0))))
                ${forwardWideTile(0)}
                (if (i32.gt_s (local.get $pix) (i32.const 4)) (then ${forwardWideTile(1)}))
                (local.set $k0 (i32.add (local.get $k0) (i32.const 8))))
              (else
                (local.set $fp (i32.add (local.get $f) (i32.shl (i32.mul (local.get $k0) (local.get $L)) (i32.const 2))))
                (local.set $kn (i32.sub (local.get $K) (local.get $k0)))
                ${forwardTile}
                (local.set $k0 (i32.add (local.get $k0) (i32.const 4)))))
            (br $lk)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 8)))
          (br $lox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loy)))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))`;

/** The module fields of the direct convolution and its filter derivative. */
export function directFields() {
  return `
  ;; ---- generated by scripts/gen-direct.mjs: the direct convolution for few channels ----
${planes}
${forwardImages}
${filterFields()}
`;
}
