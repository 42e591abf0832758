// The tile-dependent part of the GEMM module, generated from one template
// with the micro-kernel's tile MR × NR as parameters (as XNNPACK generates
// its micro-kernels): the globals MR, NR and MC, the packing of op(A) into
// MR-row panels and of op(B) into NR-column panels, the interleaving of MR
// rows of φ into one panel (`pack_rows`, for im2row_packed), and the
// micro-kernel itself, with the implicit-GEMM forward convolution for few
// channels (`conv_direct_images`) and gen-direct.mjs's phase-plane kernels
// appended. `fma` uses relaxed-simd's f32x4.relaxed_madd for the
// kernel's multiply-add (one rounding where the engine fuses, two where it
// does not: results may differ across engines). `splat` takes A's scalars
// from vector loads by shuffles (see `kernel`).
//
// Returns WAT module fields, spliced into gemm.wat by gemm-module.mjs.

import { directFields } from './gen-direct.mjs';

const range = (n) => Array.from({ length: n }, (_, i) => i);
const lines = (xs) => xs.filter((x) => x !== '').join('\n');

/**
 * `v` with subnormal lanes flushed to +0 (denormals-are-zero for the
 * products' operands): a lane whose magnitude bits are at most 0x007fffff
 * (±0 and subnormals) becomes +0; normals, ±∞ and NaN pass unchanged. The
 * sign of a zero operand never shows (the micro-kernel's sums start at +0).
 * Subnormal operands cost a microcode assist per multiply on x86 (about 100×
 * a normal one), and a saturated softmax's derivative is full of them. Uses
 * the locals of VLOCALS, set by FLUSH_INIT.
 */
const flushVector = (v) => `(v128.and (local.tee $fv ${v}) (i32x4.gt_s (v128.and (local.get $fv) (local.get $fmag)) (local.get $fsub)))`;
/** The scalar `flushVector` of the f32 `$fs` (set first). */
const flushScalar = '(select (f32.const 0) (local.get $fs) (f32.lt (f32.abs (local.get $fs)) (f32.const 0x1p-126)))';

/** Checks a tile: NR a multiple of 4 (whole f32x4 vectors), the edge scratch tile within 1024 bytes. */
export function checkTile({ mr, nr }) {
  if (!Number.isInteger(mr) || mr < 1 || mr > 16) throw new Error(`gen-gemm: MR must be an integer in [1, 16], got ${mr}`);
  if (!Number.isInteger(nr) || nr < 4 || nr % 4 !== 0) throw new Error(`gen-gemm: NR must be a positive multiple of 4, got ${nr}`);
  if (mr * nr * 4 > 1024) throw new Error(`gen-gemm: the MR × NR tile must fit the 1024-byte scratch tile, got ${mr} × ${nr}`);
}

/** MC: the largest multiple of MR not above 128 (A blocks start on panel boundaries). */
export function blockRows(mr) {
  return Math.floor(128 / mr) * mr;
}

/**
 * The 4 × 4 transpose of the vectors `r0..r3` (rows) into columns, as four
 * WAT expressions; `t` names four scratch locals.
 */
function transpose4(r, t) {
  const lo = '0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23';
  const hi = '8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31';
  const a = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
  const b = '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
  return {
    setup: lines([
      `(local.set ${t[0]} (i8x16.shuffle ${lo} ${r[0]} ${r[1]}))`,
      `(local.set ${t[1]} (i8x16.shuffle ${lo} ${r[2]} ${r[3]}))`,
      `(local.set ${t[2]} (i8x16.shuffle ${hi} ${r[0]} ${r[1]}))`,
      `(local.set ${t[3]} (i8x16.shuffle ${hi} ${r[2]} ${r[3]}))`,
    ]),
    cols: [
      `(i8x16.shuffle ${a} (local.get ${t[0]}) (local.get ${t[1]}))`,
      `(i8x16.shuffle ${b} (local.get ${t[0]}) (local.get ${t[1]}))`,
      `(i8x16.shuffle ${a} (local.get ${t[2]}) (local.get ${t[3]}))`,
      `(i8x16.shuffle ${b} (local.get ${t[2]}) (local.get ${t[3]}))`,
    ],
  };
}

const TMP = ['$t0', '$t1', '$t2', '$t3'];
const VLOCALS = '(local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $fv v128) (local $fs f32) (local $fsub v128) (local $fmag v128)';
/** The constants of `flushVector` in locals (V8 rematerialises a v128.const at every use). */
const FLUSH_INIT = lines([
  '(local.set $fsub (v128.const i32x4 0x007fffff 0x007fffff 0x007fffff 0x007fffff))',
  '(local.set $fmag (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))',
]);

/**
 * Panel rows from MR row addresses: per 4 columns, each quad of rows is
 * transposed into the panel (4·MR floats per column), leftover rows go one
 * float at a time. `row(r)` is the WAT address of row r's current column.
 */
function interleaveRows(mr, row, dst) {
  const quads = Math.floor(mr / 4);
  const out = [];
  for (let q = 0; q < quads; q++) {
    const tr = transpose4(range(4).map((r) => `(v128.load ${row(4 * q + r)})`), TMP);
    out.push(tr.setup);
    for (let c = 0; c < 4; c++) out.push(`(v128.store offset=${4 * (mr * c + 4 * q)} ${dst} ${flushVector(tr.cols[c])})`);
  }
  for (let r = 4 * quads; r < mr; r++) {
    for (let c = 0; c < 4; c++) out.push(`(local.set $fs (f32.load offset=${4 * c} ${row(r)}))`, `(f32.store offset=${4 * (mr * c + r)} ${dst} ${flushScalar})`);
  }
  return lines(out);
}

/**
 * A panel's elements one at a time from column p on (a partial panel, or
 * what the vector loops left): panel index r < width is matrix index
 * at + r (< limit, else 0) plus origin, depth index p + p0. Stored
 * (depth, index) at depth·ld + index when `trans` is set, else at
 * index·ld + depth; `transposed` swaps the two (op(B) is k × n as stored).
 */
function scalarPanel({ width, at, limit, origin, src, ld, trans, transposed }) {
  const depthMajor = `(i32.add (i32.mul (local.get $q) (local.get ${ld})) (local.get $i))`;
  const indexMajor = `(i32.add (i32.mul (local.get $i) (local.get ${ld})) (local.get $q))`;
  const [whenTrans, otherwise] = transposed ? [indexMajor, depthMajor] : [depthMajor, indexMajor];
  return `(block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $p) (local.get $kc)))
        (local.set $r (i32.const 0))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $r) (i32.const ${width})))
          (local.set $i (i32.add (local.get ${at}) (local.get $r)))
          (if (i32.lt_u (local.get $i) (local.get ${limit}))
            (then
              (local.set $i (i32.add (local.get $i) (local.get ${origin})))
              (local.set $q (i32.add (local.get $p) (local.get $p0)))
              (local.set $fs (f32.load (i32.add (local.get ${src}) (i32.shl
                (if (result i32) (local.get ${trans}) (then ${whenTrans}) (else ${otherwise}))
                (i32.const 2)))))
              (f32.store (local.get $dst) ${flushScalar}))
            (else (f32.store (local.get $dst) (f32.const 0))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $l4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l3)))`;
}

/**
 * Packing into panels of `width` indices over the depth, for op(A) (MR-row
 * panels, `pack_a`) and op(B) (NR-column panels, `pack_b`): the same loops,
 * the matrix's depth-major orientation (A stored k × m, B stored k × n:
 * `width` contiguous values per depth step, copied) or index-major one
 * (quads of rows transposed, 4 depth steps at a time), partial panels and
 * the last kc mod 4 steps one element at a time; subnormals flushed.
 */
function packPanels({ name, what, width, src, ld, trans, origin, limit, depthMajor }) {
  const rowOffsets = range(width).map((r) => `(local $o${r} i32)`).join(' ');
  const setOffsets = lines(range(width).map((r) => (r === 0 ? '' : `(local.set $o${r} (i32.mul (local.get $ld4) (i32.const ${r})))`)));
  const row = (r) => (r === 0 ? '(local.get $s)' : `(i32.add (local.get $s) (local.get $o${r}))`);
  const vecs = Math.floor(width / 4);
  const contiguous = lines([
    ...range(vecs).map((v) => `(v128.store offset=${16 * v} (local.get $dst) ${flushVector(`(v128.load offset=${16 * v} (local.get $s))`)})`),
    ...range(width - 4 * vecs).flatMap((e) => [`(local.set $fs (f32.load offset=${16 * vecs + 4 * e} (local.get $s)))`, `(f32.store offset=${16 * vecs + 4 * e} (local.get $dst) ${flushScalar})`]),
  ]);
  const isA = name === 'pack_a';
  const params = isA
    ? `(param ${src} i32) (param ${ld} i32) (param ${trans} i32)
                (param $i0 i32) (param $mc i32) (param $p0 i32) (param $kc i32) (param $dst i32)`
    : `(param ${src} i32) (param ${ld} i32) (param ${trans} i32)
                (param $p0 i32) (param $kc i32) (param $j0 i32) (param $nc i32) (param $dst i32)`;
  return `
  ;; ${what} into ${width}-${isA ? 'row' : 'column'} panels at dst:
  ;; element (${isA ? 'i, p' : 'p, j'}) at byte dst + (floor(${isA ? 'i' : 'j'}/${width})·${width}·kc + ${width}p + ${isA ? 'i' : 'j'} mod ${width})·4, ${isA ? 'rows past mc' : 'columns past nc'} zero.
  (func $${name} ${params}
    (local $at i32) (local $p i32) (local $r i32) (local $i i32) (local $q i32) (local $s i32) (local $kc4 i32) (local $ld4 i32)
    ${rowOffsets}
    ${VLOCALS}
    ${FLUSH_INIT}
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (local.set $ld4 (i32.shl (local.get ${ld}) (i32.const 2)))
    ${setOffsets}
    (block $done_at (loop $loop_at
      (br_if $done_at (i32.ge_u (local.get $at) (local.get ${limit})))
      (local.set $p (i32.const 0))
      (if (i32.le_u (i32.add (local.get $at) (i32.const ${width})) (local.get ${limit}))
        (then
          (if ${depthMajor}
            (then
              ;; Stored depth-major: the ${width} values of one depth step are contiguous.
              (local.set $s (i32.add (local.get ${src})
                (i32.shl (i32.add (i32.mul (local.get $p0) (local.get ${ld}))
                                  (i32.add (local.get ${origin}) (local.get $at))) (i32.const 2))))
              (block $d1 (loop $l1
                (br_if $d1 (i32.ge_u (local.get $p) (local.get $kc)))
                ${contiguous}
                (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * width})))
                (local.set $s (i32.add (local.get $s) (local.get $ld4)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $l1))))
            (else
              ;; Stored index-major: 4 depth steps at a time from each of the ${width} rows, quads of rows transposed.
              (local.set $s (i32.add (local.get ${src})
                (i32.shl (i32.add (i32.mul (i32.add (local.get ${origin}) (local.get $at)) (local.get ${ld}))
                                  (local.get $p0)) (i32.const 2))))
              (block $d2 (loop $l2
                (br_if $d2 (i32.ge_u (local.get $p) (local.get $kc4)))
                ${interleaveRows(width, row, '(local.get $dst)')}
                (local.set $dst (i32.add (local.get $dst) (i32.const ${16 * width})))
                (local.set $s (i32.add (local.get $s) (i32.const 16)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $l2)))))))
      ;; What is left (a partial panel, or the last kc mod 4 depth steps when index-major): one element at a time.
      ${scalarPanel({ width, at: '$at', limit, origin, src, ld, trans, transposed: !isA })}
      (local.set $at (i32.add (local.get $at) (i32.const ${width})))
      (br $loop_at))))`;
}

/** op(A)[i0 + i, p0 + p] (i < mc, p < kc) into MR-row panels. */
const packA = (mr) =>
  packPanels({ name: 'pack_a', what: 'op(A)[i0 + i, p0 + p] for i < mc, p < kc', width: mr, src: '$a', ld: '$lda', trans: '$ta', origin: '$i0', limit: '$mc', depthMajor: '(local.get $ta)' });

/** op(B)[p0 + p, j0 + j] (p < kc, j < nc) into NR-column panels. */
const packB = (nr) =>
  packPanels({ name: 'pack_b', what: 'op(B)[p0 + p, j0 + j] for p < kc, j < nc', width: nr, src: '$b', ld: '$ldb', trans: '$tb', origin: '$j0', limit: '$nc', depthMajor: '(i32.eqz (local.get $tb))' });

/** MR rows of `len` floats, their addresses in a table, into one MR-row panel. */
function packRows(mr) {
  const rowLocals = range(mr).map((r) => `(local $s${r} i32)`).join(' ');
  const loadRows = lines(range(mr).map((r) => `(local.set $s${r} (i32.load (i32.add (local.get $table) (i32.mul (local.get $stride) (i32.const ${r})))))`));
  const advance = (bytes) => lines(range(mr).map((r) => `(local.set $s${r} (i32.add (local.get $s${r}) (i32.const ${bytes})))`));
  const row = (r) => `(local.get $s${r})`;
  const one = lines(range(mr).flatMap((r) => [`(local.set $fs (f32.load (local.get $s${r})))`, `(f32.store offset=${4 * r} (local.get $dst) ${flushScalar})`]));
  return `
  ;; Interleaves ${mr} rows of \`len\` floats into one ${mr}-row panel at dst:
  ;; dst[${mr}p + r] = s_r[p], where s_r is the byte address at table + r·stride.
  ;; Quads of rows by 4 × 4 transposes, 4 columns at a time, then one column at a time.
  (func $pack_rows (export "pack_rows") (param $dst i32) (param $table i32) (param $stride i32) (param $len i32)
    (local $p i32) (local $len4 i32) ${rowLocals}
    ${VLOCALS}
    ${FLUSH_INIT}
    ${loadRows}
    (local.set $len4 (i32.and (local.get $len) (i32.const -4)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $len4)))
      ${interleaveRows(mr, row, '(local.get $dst)')}
      (local.set $dst (i32.add (local.get $dst) (i32.const ${16 * mr})))
      ${advance(16)}
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $p) (local.get $len)))
      ${one}
      (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * mr})))
      ${advance(4)}
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l2))))`;
}

/**
 * The MR × NR micro-kernel: C[0:rows, 0:cols] += alpha · A(MR × kc) ·
 * Bpanel(kc × NR), the tile of C in MR·NR/4 f32x4 accumulators; per step of
 * k it loads NR/4 vectors of B, broadcasts MR scalars of A, and does MR·NR/4
 * multiply-adds. Every element's sum runs over p in order, so any tile gives
 * the same bits (without fma). With `splat`, the MR scalars of A come from
 * ⌈MR/4⌉ vector loads, each lane splatted by a shuffle, instead of MR
 * load32_splat: V8 schedules loads in program order but arithmetic late, so
 * MR broadcast loads are all live at once; shuffles are placed at their use.
 *
 * `rows` (the implicit-GEMM convolution's kernel) takes A not from a packed
 * panel but from MR rows of an image: row i's depth runs over hf runs of
 * `span` contiguous floats, run f at byte table[i] + f·rowStride (the filter
 * rows of a stride-s, undilated window in a zero-padded image), in the order
 * of im2row's row, so the sums are those of the packed path.
 */
function kernel(mr, nr, fma, splat, rows, half = false) {
  const panel = nr / 4;
  const nv = half ? Math.ceil(panel / 2) : panel;
  const acc = (i, j) => `$c${i}_${j}`;
  const accLocals = range(mr)
    .flatMap((i) => range(nv).map((j) => `(local ${acc(i, j)} v128)`))
    .join(' ');
  const bLocals = range(nv).map((j) => `(local $b${j} v128)`).join(' ');
  const madd = (i, j) =>
    fma
      ? `(local.set ${acc(i, j)} (f32x4.relaxed_madd (local.get $av) (local.get $b${j}) (local.get ${acc(i, j)})))`
      : `(local.set ${acc(i, j)} (f32x4.add (local.get ${acc(i, j)}) (f32x4.mul (local.get $av) (local.get $b${j}))))`;
  const lane = (l) => range(4).map((b) => 4 * l + b).join(' ');
  const broadcast = (i) =>
    rows
      ? `(local.set $av (v128.load32_splat (i32.add (local.get $p${i}) (local.get $o))))`
      : splat
        ? `(local.set $av (i8x16.shuffle ${[0, 1, 2, 3].map(() => lane(i % 4)).join(' ')} (local.get $a${i >> 2}) (local.get $a${i >> 2})))`
        : `(local.set $av (v128.load32_splat offset=${4 * i} (local.get $pa)))`;
  const useSplat = splat && !rows;
  const step = lines([
    ...range(nv).map((j) => `(local.set $b${j} (v128.load offset=${16 * j} (local.get $pb)))`),
    ...(useSplat ? range(Math.ceil(mr / 4)).map((v) => `(local.set $a${v} (v128.load offset=${16 * v} (local.get $pa)))`) : []),
    ...range(mr).flatMap((i) => [broadcast(i), ...range(nv).map((j) => madd(i, j))]),
  ]);
  const aLocals = useSplat ? range(Math.ceil(mr / 4)).map((v) => `(local $a${v} v128)`).join(' ') : '';
  const full = lines(
    range(mr).flatMap((i) => [
      i === 0 ? '(local.set $cr (local.get $c))' : '(local.set $cr (i32.add (local.get $cr) (local.get $ldc)))',
      ...range(nv).map(
        (j) => `(v128.store offset=${16 * j} (local.get $cr) (f32x4.add (v128.load offset=${16 * j} (local.get $cr)) (f32x4.mul (local.get $va) (local.get ${acc(i, j)}))))`,
      ),
    ]),
  );
  const spill = lines(range(mr).flatMap((i) => range(nv).map((j) => `(v128.store offset=${16 * (i * panel + j)} (local.get $tile) (f32x4.mul (local.get $va) (local.get ${acc(i, j)})))`)));
  const panelLoop = `
    ;; One step of k per iteration (unrolling by two measured slower in V8 with the 4 × 8 tile: more live values).
    (local.set $end (i32.add (local.get $pb) (i32.mul (local.get $kc) (i32.const ${4 * nr}))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
      ${step}
      (local.set $pa (i32.add (local.get $pa) (i32.const ${4 * mr})))
      (local.set $pb (i32.add (local.get $pb) (i32.const ${4 * nr})))
      (br $loop)))`;
  const rowsLoop = `
    ${lines(range(mr).map((i) => `(local.set $p${i} (i32.load offset=${4 * i} (local.get $table)))`))}
    (local.set $end (i32.shl (local.get $span) (i32.const 2)))
    (block $dfy (loop $lfy
      (br_if $dfy (i32.ge_u (local.get $fy) (local.get $hf)))
      (local.set $o (i32.const 0))
      (block $done (loop $loop
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        ${step}
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const ${4 * nr})))
        (br $loop)))
      ${lines(range(mr).map((i) => `(local.set $p${i} (i32.add (local.get $p${i}) (local.get $rowStride)))`))}
      (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
      (br $lfy)))`;
  const header = rows
    ? `;; C[0:rows, 0:cols] += alpha · A · Bpanel(hf·span × ${nr}), A's ${mr} rows read from an image (see gen-gemm.mjs); ldc in bytes.
  (func $kernel_rows (param $table i32) (param $hf i32) (param $span i32) (param $rowStride i32) (param $pb i32) (param $c i32) (param $ldc i32)
                (param $alpha f32) (param $rows i32) (param $cols i32) (param $tile i32)
    ${range(mr)
      .map((i) => `(local $p${i} i32)`)
      .join(' ')} (local $fy i32) (local $o i32)`
    : `;; C[0:rows, 0:cols] += alpha · Apanel(kc × ${mr}) · Bpanel(kc × ${nr})${half ? `, only its first ${4 * nv} columns (cols ≤ ${4 * nv})` : ''}; ldc in bytes.${fma ? ' Relaxed-SIMD multiply-add.' : ''}
  (func ${half ? '$kernel_half' : '$kernel'} (param $kc i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32)
                (param $alpha f32) (param $rows i32) (param $cols i32) (param $tile i32)`;
  return `
  ${header}
    ${accLocals}
    ${bLocals} ${aLocals} (local $av v128) (local $va v128) (local $end i32)
    (local $r i32) (local $j i32) (local $t i32) (local $cr i32)
    ${rows ? rowsLoop : panelLoop}
    (local.set $va (f32x4.splat (local.get $alpha)))
    (if (i32.and (i32.eq (local.get $rows) (i32.const ${mr})) (i32.eq (local.get $cols) (i32.const ${4 * nv})))
      (then
        ${full})
      (else
        ;; Edge tile: spill alpha·acc to the ${mr} × ${nr} scratch tile, add its valid part.
        ${spill}
        (block $dr (loop $lr
          (br_if $dr (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $cr (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))))
          (local.set $t (i32.add (local.get $tile) (i32.mul (local.get $r) (i32.const ${4 * nr}))))
          (local.set $j (i32.const 0))
          (block $dj (loop $lj
            (br_if $dj (i32.ge_u (local.get $j) (local.get $cols)))
            (f32.store (local.get $cr) (f32.add (f32.load (local.get $cr)) (f32.load (local.get $t))))
            (local.set $cr (i32.add (local.get $cr) (i32.const 4)))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lj)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr))))))`;
}

/** The module fields for tile `mr × nr` (optionally with relaxed-simd FMA). */
export function tileFields({ mr, nr, fma = false, splat = false }) {
  checkTile({ mr, nr });
  return `
  ;; ---- generated by scripts/gen-gemm.mjs: the ${mr} × ${nr} tile${fma ? ', relaxed-simd FMA' : ''} ----
  (global $MR i32 (i32.const ${mr}))
  (global $NR i32 (i32.const ${nr}))
  (global $MC i32 (i32.const ${blockRows(mr)}))
  (export "MR" (global $MR))
  (export "NR" (global $NR))
  (export "FMA" (global $FMA))
  (global $FMA i32 (i32.const ${fma ? 1 : 0}))
${packA(mr)}
${packB(nr)}
${packRows(mr)}
${kernel(mr, nr, fma, splat, false)}
${kernel(mr, nr, fma, splat, false, true)}
${kernel(mr, nr, fma, splat, true)}
  ;; The micro-kernel for a tile of cols columns: the half-width one where they fit it (the last panel of
  ;; n mod ${nr} ≤ ${4 * Math.ceil(nr / 8)} columns computes ${4 * Math.ceil(nr / 8)}, not ${nr}); each element the same sum either way.
  (func $kernel_any (param $kc i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32)
                    (param $alpha f32) (param $rows i32) (param $cols i32) (param $tile i32)
    (if (i32.le_u (local.get $cols) (i32.const ${4 * Math.ceil(nr / 8)}))
      (then (call $kernel_half (local.get $kc) (local.get $pa) (local.get $pb) (local.get $c) (local.get $ldc) (local.get $alpha) (local.get $rows) (local.get $cols) (local.get $tile)))
      (else (call $kernel (local.get $kc) (local.get $pa) (local.get $pb) (local.get $c) (local.get $ldc) (local.get $alpha) (local.get $rows) (local.get $cols) (local.get $tile)))))
${directConv(mr, nr)}
${directFields()}
`;
}

/**
 * The implicit-GEMM convolution (stride s, no dilation, one group; for few
 * channels, where φ's rows are short and building and packing them costs as
 * much as the product): no im2row. Per image, x is copied into a
 * zero-padded buffer, so the window of output pixel (oy, ox) is, per filter
 * row, a run of Wf·C contiguous floats; F is packed once into NR-column
 * panels; then for every MR output pixels and NR filters, `kernel_rows`
 * reads A straight from the padded image. Each output is im2row's sum in
 * im2row's order (one K block: L ≤ KC), so the bits are the packed path's.
 *
 * Task block (the conv block's words): 0 H  1 W  2 C  3 Hf  4 Wf  5 Ho  6 Wo
 * 7 sy  8 sx  9 padTop  10 padLeft  17 K  18 x  19 count  20 y  21 f
 * 22 the padded image ((Ho−1)·sy + Hf rows of (Wo−1)·sx + Wf pixels)
 * 24 MR words of row addresses  26 pb  27 tile.
 */
function directConv(mr, nr) {
  return `
  ;; The image at x into the zero-padded buffer at out (see conv_direct_images).
  (func $pad_image (param $d i32) (param $x i32) (param $out i32)
    (local $H i32) (local $W i32) (local $C4 i32) (local $Hp i32) (local $Wp i32) (local $pt i32) (local $pl i32)
    (local $py i32) (local $iy i32) (local $ix0 i32) (local $ix1 i32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C4 (i32.shl (call $ld (local.get $d) (i32.const 2)) (i32.const 2)))
    (local.set $Hp (i32.add (i32.mul (i32.sub (call $ld (local.get $d) (i32.const 5)) (i32.const 1)) (call $ld (local.get $d) (i32.const 7))) (call $ld (local.get $d) (i32.const 3))))
    (local.set $Wp (i32.add (i32.mul (i32.sub (call $ld (local.get $d) (i32.const 6)) (i32.const 1)) (call $ld (local.get $d) (i32.const 8))) (call $ld (local.get $d) (i32.const 4))))
    (local.set $pt (call $ld (local.get $d) (i32.const 9)))
    (local.set $pl (call $ld (local.get $d) (i32.const 10)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (i32.mul (local.get $Hp) (local.get $Wp)) (local.get $C4)))
    ;; Columns ix of x with 0 ≤ ix + pl < Wp.
    (local.set $ix0 (select (i32.sub (i32.const 0) (local.get $pl)) (i32.const 0) (i32.gt_s (i32.sub (i32.const 0) (local.get $pl)) (i32.const 0))))
    (local.set $ix1 (call $min (local.get $W) (i32.sub (local.get $Wp) (local.get $pl))))
    (if (i32.le_s (local.get $ix1) (local.get $ix0)) (then (return)))
    (block $dpy (loop $lpy
      (br_if $dpy (i32.ge_s (local.get $py) (local.get $Hp)))
      (local.set $iy (i32.sub (local.get $py) (local.get $pt)))
      (if (i32.lt_u (local.get $iy) (local.get $H))
        (then (memory.copy
          (i32.add (local.get $out) (i32.mul (i32.add (i32.mul (local.get $py) (local.get $Wp)) (i32.add (local.get $ix0) (local.get $pl))) (local.get $C4)))
          (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix0)) (local.get $C4)))
          (i32.mul (i32.sub (local.get $ix1) (local.get $ix0)) (local.get $C4)))))
      (local.set $py (i32.add (local.get $py) (i32.const 1)))
      (br $lpy))))

  ;; y_i ← conv(x_i, F) + y_i for the task block's d[19] images without im2row (see gen-gemm.mjs).
  (func (export "conv_direct_images") (param $d i32)
    (local $n i32) (local $x i32) (local $y i32) (local $C i32) (local $K i32) (local $L i32) (local $Wo i32) (local $Wp i32)
    (local $sy i32) (local $sx i32) (local $pixels i32) (local $pad i32) (local $table i32) (local $pb i32)
    (local $q i32) (local $r i32) (local $i i32) (local $oy i32) (local $jr i32) (local $imageBytes i32) (local $outBytes i32)
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $L (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 3)) (call $ld (local.get $d) (i32.const 4))) (local.get $C)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $sy (call $ld (local.get $d) (i32.const 7)))
    (local.set $sx (call $ld (local.get $d) (i32.const 8)))
    (local.set $Wp (i32.add (i32.mul (i32.sub (local.get $Wo) (i32.const 1)) (local.get $sx)) (call $ld (local.get $d) (i32.const 4))))
    (local.set $pixels (i32.mul (call $ld (local.get $d) (i32.const 5)) (local.get $Wo)))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1))) (local.get $C)) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (local.get $pixels) (local.get $K)) (i32.const 2)))
    (local.set $pad (call $ld (local.get $d) (i32.const 22)))
    (local.set $table (call $ld (local.get $d) (i32.const 24)))
    (local.set $pb (call $ld (local.get $d) (i32.const 26)))
    (local.set $x (call $ld (local.get $d) (i32.const 18)))
    (local.set $y (call $ld (local.get $d) (i32.const 20)))
    (call $pack_b (call $ld (local.get $d) (i32.const 21)) (local.get $K) (i32.const 0) (i32.const 0) (local.get $L) (i32.const 0) (local.get $K) (local.get $pb))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (call $pad_image (local.get $d) (local.get $x) (local.get $pad))
      (local.set $q (i32.const 0))
      (block $dq (loop $lq
        (br_if $dq (i32.ge_s (local.get $q) (local.get $pixels)))
        ;; The window addresses of pixels q … q + ${mr - 1} (past the end: the last pixel's, not added to y).
        (local.set $r (i32.const 0))
        (block $dr (loop $lr
          (br_if $dr (i32.ge_s (local.get $r) (i32.const ${mr})))
          (local.set $i (call $min (i32.add (local.get $q) (local.get $r)) (i32.sub (local.get $pixels) (i32.const 1))))
          (local.set $oy (i32.div_u (local.get $i) (local.get $Wo)))
          (i32.store (i32.add (local.get $table) (i32.shl (local.get $r) (i32.const 2)))
            (i32.add (local.get $pad) (i32.shl (i32.mul (i32.add (i32.mul (i32.mul (local.get $oy) (local.get $sy)) (local.get $Wp))
                                                               (i32.mul (i32.sub (local.get $i) (i32.mul (local.get $oy) (local.get $Wo))) (local.get $sx)))
                                                      (local.get $C)) (i32.const 2))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr)))
        (local.set $jr (i32.const 0))
        (block $dj (loop $lj
          (br_if $dj (i32.ge_s (local.get $jr) (local.get $K)))
          (call $kernel_rows (local.get $table) (call $ld (local.get $d) (i32.const 3))
            (i32.mul (call $ld (local.get $d) (i32.const 4)) (local.get $C)) (i32.shl (i32.mul (local.get $Wp) (local.get $C)) (i32.const 2))
            (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jr) (local.get $L)) (i32.const 2)))
            (i32.add (local.get $y) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $K)) (local.get $jr)) (i32.const 2)))
            (i32.shl (local.get $K) (i32.const 2)) (f32.const 1)
            (call $min (i32.const ${mr}) (i32.sub (local.get $pixels) (local.get $q)))
            (call $min (i32.const ${nr}) (i32.sub (local.get $K) (local.get $jr)))
            (call $ld (local.get $d) (i32.const 27)))
          (local.set $jr (i32.add (local.get $jr) (i32.const ${nr})))
          (br $lj)))
        (local.set $q (i32.add (local.get $q) (i32.const ${mr})))
        (br $lq)))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))`;
}
