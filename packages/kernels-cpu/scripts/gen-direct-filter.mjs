// The filter derivative of the direct convolution for few channels (gen-direct.mjs
// splices these fields in; its header describes the phase planes and the task
// block). Manual §4.1:
//
//     dF[l, k] = Σ_n Σ_(oy, ox) x̃_n(l; oy, ox) · dy_n[oy, ox, k]
//
// in tiles of T taps × 4V filters (V vectors of dy's pixel row, T splats from
// the planes; T·V accumulators), one function per V = 1 … 5 with T = `wideTaps(V)`
// and `conv_direct_filter_task` calling the one of task word 16. V8 loads every
// vector of a loop iteration before its arithmetic, so an iteration holds its
// T·V accumulators, V vectors of dy and T splats at once (and a product):
// V8's 15 xmm registers hold T × V = 2 × 4, 2 × 3, 4 × 2 and 6 × 1; 2 × 5 (20
// filters, LeNet's K without padding) spills three accumulators and still ran
// 8–15 % faster than the 4 × 8 tiles with 8 × 4 ones for the last 4 filters
// it replaced (those padded L = 25 to 28 taps and spilled one accumulator;
// K = 10, 12, 32, 96 ran 9–24 % faster, K = 6 alike). conv-direct.ts
// `wideVectors` picks V per K.
//
// Each tile sums the pixels of a block of d[29] output rows in order from
// zero, then adds that into dF, per image in order: every element the same
// sums in the same order whatever the tile and whichever thread takes it.
// `conv_direct_filter_batches_task` runs the tiles per batch of images into
// that batch's partial (conv-direct.ts sums the partials in batch order).
// Task block words as gen-direct.mjs's, and 16 V; dF has ⌈L/T⌉·T rows of
// Kb = 4V·⌈K/4V⌉ floats, the table at least ⌈L/T⌉·T entries (0 past L).

const range = (n) => Array.from({ length: n }, (_, i) => i);
const lines = (xs) => xs.filter((x) => x !== '').join('\n');
const ld = (w) => `(call $ld (local.get $d) (i32.const ${w}))`;
const get = (x) => `(local.get ${x})`;

/** Taps per tile for V filter vectors (see the header). */
export const wideTaps = (v) => [6, 4, 2, 2, 2][v - 1];

const acc = (j, v) => `$a${j}_${v}`;
const accLocals = (T, V) =>
  range(T)
    .flatMap((j) => range(V).map((v) => `(local ${acc(j, v)} v128)`))
    .join(' ');
const zeroAccs = (T, V) => lines(range(T).flatMap((j) => range(V).map((v) => `(local.set ${acc(j, v)} (v128.const i32x4 0 0 0 0))`)));
/** acc[j][v] += s_j · $f for every j < T (`s(j)` the local of operand j). */
const maddRow = (T, v, s) => lines(range(T).map((j) => `(local.set ${acc(j, v)} (f32x4.add ${get(acc(j, v))} (f32x4.mul ${get(s(j))} (local.get $f))))`));

/**
 * `$direct_filter_v{V}`: dF tiles d[25] … d[26] − 1 (tile t: taps T·⌊t/nk⌋ …, filters 4V·(t mod nk) …, nk =
 * ⌈K/4V⌉) += their sums over the task block's d[19] images, in blocks of d[29] output rows. Taps past L
 * read offset 0 and filters past K the next pixel's dy (the arena's slack): padding only.
 */
function filterTiles(V) {
  const T = wideTaps(V);
  return `
  (func $direct_filter_v${V} (param $d i32)
    ${accLocals(T, V)} ${range(T)
      .map((j) => `(local $s${j} v128)`)
      .join(' ')} (local $f v128)
    ${range(T)
      .map((j) => `(local $q${j} i32)`)
      .join(' ')}
    (local $K i32) (local $K4 i32) (local $Kb4 i32) (local $nk i32) (local $Ho i32) (local $Wo i32) (local $rowBytes i32) (local $planeBytes i32)
    (local $t i32) (local $l0 i32) (local $k0 i32) (local $n i32) (local $oy0 i32) (local $oy1 i32) (local $oy i32) (local $count i32) (local $rows i32)
    (local $p i32) (local $pEnd i32) (local $dy i32) (local $img i32) (local $dyRow i32) (local $df i32) (local $table i32) (local $dF i32) (local $end i32)
    (local.set $K ${ld(17)})
    (local.set $K4 (i32.shl (local.get $K) (i32.const 2)))
    (local.set $nk (i32.div_u (i32.add (local.get $K) (i32.const ${4 * V - 1})) (i32.const ${4 * V})))
    (local.set $Kb4 (i32.mul (local.get $nk) (i32.const ${16 * V})))
    (local.set $Ho ${ld(5)})
    (local.set $Wo ${ld(6)})
    (local.set $rowBytes (i32.shl (i32.mul ${ld(7)} ${ld(12)}) (i32.const 2)))
    (local.set $planeBytes ${ld(23)})
    (local.set $img ${ld(22)})
    (local.set $dyRow ${ld(20)})
    (local.set $dF ${ld(21)})
    (local.set $table ${ld(24)})
    (local.set $count ${ld(19)})
    (local.set $end ${ld(26)})
    (local.set $rows ${ld(29)})
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (local.get $count)))
      (local.set $oy0 (i32.const 0))
      (block $db (loop $lb
        (br_if $db (i32.ge_s (local.get $oy0) (local.get $Ho)))
        (local.set $oy1 (call $min (local.get $Ho) (i32.add (local.get $oy0) (local.get $rows))))
        (local.set $t ${ld(25)})
        (block $dt (loop $lt
          (br_if $dt (i32.ge_s (local.get $t) (local.get $end)))
          (local.set $l0 (i32.mul (i32.div_u (local.get $t) (local.get $nk)) (i32.const ${T})))
          (local.set $k0 (i32.mul (i32.rem_u (local.get $t) (local.get $nk)) (i32.const ${4 * V})))
          ${lines(range(T).map((j) => `(local.set $q${j} (i32.load offset=${4 * j} (i32.add (local.get $table) (i32.shl (local.get $l0) (i32.const 2)))))`))}
          ${zeroAccs(T, V)}
          (local.set $dy (i32.add (local.get $dyRow) (i32.shl (local.get $k0) (i32.const 2))))
          (local.set $oy (local.get $oy0))
          (loop $loy
            (local.set $p (i32.add (local.get $img) (i32.mul (local.get $oy) (local.get $rowBytes))))
            (local.set $pEnd (i32.add (local.get $p) (i32.shl (local.get $Wo) (i32.const 2))))
            (loop $lox
              ${lines(range(T).map((j) => `(local.set $s${j} (v128.load32_splat (i32.add (local.get $p) (local.get $q${j}))))`))}
              ${lines(range(V).flatMap((v) => [`(local.set $f (v128.load offset=${16 * v} (local.get $dy)))`, maddRow(T, v, (j) => `$s${j}`)]))}
              (local.set $dy (i32.add (local.get $dy) (local.get $K4)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br_if $lox (i32.lt_u (local.get $p) (local.get $pEnd))))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br_if $loy (i32.lt_s (local.get $oy) (local.get $oy1))))
          ;; dF's tile += this block's sums.
          (local.set $df (i32.add (local.get $dF) (i32.add (i32.mul (local.get $l0) (local.get $Kb4)) (i32.shl (local.get $k0) (i32.const 2)))))
          ${lines(
            range(T).flatMap((j) => [
              ...range(V).map(
                (v) => `(v128.store offset=${16 * v} (local.get $df) (f32x4.add (v128.load offset=${16 * v} (local.get $df)) ${get(acc(j, v))}))`,
              ),
              `(local.set $df (i32.add (local.get $df) (local.get $Kb4)))`,
            ]),
          )}
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $lt)))
        (local.set $dyRow (i32.add (local.get $dyRow) (i32.mul (i32.mul (i32.sub (local.get $oy1) (local.get $oy0)) (local.get $Wo)) (local.get $K4))))
        (local.set $oy0 (local.get $oy1))
        (br $lb)))
      (local.set $img (i32.add (local.get $img) (local.get $planeBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))`;
}

/** The filter derivative's module fields: a tile function per V and `conv_direct_filter_task`, which calls the one of word 16. */
export function filterFields() {
  const call = (v) => `(call $direct_filter_v${v} (local.get $d))`;
  let body = call(5);
  for (let v = 4; v >= 1; v--) body = `(if (i32.eq (local.get $v) (i32.const ${v})) (then ${call(v)}) (else ${body}))`;
  return `${range(5)
    .map((i) => filterTiles(i + 1))
    .join('\n')}

  ;; dF's tiles d[25] … d[26] − 1 of V = d[16] vectors += their sums over the task block's d[19] images.
  (func $conv_direct_filter (export "conv_direct_filter_task") (param $d i32)
    (local $v i32)
    (local.set $v ${ld(16)})
    ${body})

  ;; Units d[30] … d[31] − 1, unit u the tile group u mod G (G = d[18]: tiles floor(g·n/G) … of the n = d[26]) of batch
  ;; floor(u/G) of d[14] images (of the d[15] from planes d[22] and dy d[20]): those tiles of the batch's partial P (d[27]
  ;; bytes at d[21] + batch·d[27]) += their sums over the batch's images (\`conv_direct_filter_task\` on a copy of the
  ;; block at d[28]); with G = 1, P is zeroed first (else the caller zeroed the partials).
  (func (export "conv_direct_filter_batches_task") (param $d i32)
    (local $u i32) (local $e i32) (local $B i32) (local $G i32) (local $n i32) (local $b i32) (local $g i32) (local $p i32) (local $dyBytes i32)
    (local.set $e ${ld(28)})
    (local.set $B ${ld(14)})
    (local.set $G ${ld(18)})
    (local.set $n ${ld(26)})
    (local.set $dyBytes (i32.shl (i32.mul (i32.mul ${ld(5)} ${ld(6)}) ${ld(17)}) (i32.const 2)))
    (local.set $u ${ld(30)})
    (block $du (loop $lu
      (br_if $du (i32.ge_s (local.get $u) ${ld(31)}))
      (local.set $b (i32.div_u (local.get $u) (local.get $G)))
      (local.set $g (i32.rem_u (local.get $u) (local.get $G)))
      (memory.copy (local.get $e) (local.get $d) (i32.const 128))
      (i32.store offset=${4 * 19} (local.get $e) (call $min (local.get $B) (i32.sub ${ld(15)} (i32.mul (local.get $b) (local.get $B)))))
      (i32.store offset=${4 * 20} (local.get $e) (i32.add ${ld(20)} (i32.mul (i32.mul (local.get $b) (local.get $B)) (local.get $dyBytes))))
      (i32.store offset=${4 * 22} (local.get $e) (i32.add ${ld(22)} (i32.mul (i32.mul (local.get $b) (local.get $B)) ${ld(23)})))
      (local.set $p (i32.add ${ld(21)} (i32.mul (local.get $b) ${ld(27)})))
      (if (i32.eq (local.get $G) (i32.const 1)) (then (memory.fill (local.get $p) (i32.const 0) ${ld(27)})))
      (i32.store offset=${4 * 21} (local.get $e) (local.get $p))
      (i32.store offset=${4 * 25} (local.get $e) (i32.div_u (i32.mul (local.get $g) (local.get $n)) (local.get $G)))
      (i32.store offset=${4 * 26} (local.get $e) (i32.div_u (i32.mul (i32.add (local.get $g) (i32.const 1)) (local.get $n)) (local.get $G)))
      (call $conv_direct_filter (local.get $e))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))
      (br $lu))))`;
}

/** The filter vectors V of the derivative's tiles for K filters (as conv-direct.ts `wideVectors`): the least padding (4V·⌈K/4V⌉ − K), then the most accumulators T·V, then the widest. */
export function wideVectors(k) {
  let best = 5;
  const padded = (v) => 4 * v * Math.ceil(k / (4 * v));
  for (let v = 4; v >= 1; v--) {
    if (padded(v) < padded(best) || (padded(v) === padded(best) && wideTaps(v) * v > wideTaps(best) * best)) best = v;
  }
  return best;
}
