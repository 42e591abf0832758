// Winograd F(m×m, 3×3) convolutions of NHWC images, m = 2 or 4 (Lavin &
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016; the layout
// of NNPACK's and XNNPACK's tile transforms): each m × m block of output
// pixels ("tile" t) comes from the α × α input window (α = m + 2) at
// (m·ty − padTop, m·tx − padLeft) as
//
//     Y_t = Aᵀ [ Σ_c (G g_{c,k} Gᵀ) ⊙ (Bᵀ d_{t,c} B) ] A
//
// with the matrices of `WINOGRAD` below (F(2×2, 3×3): points 0, ±1, ∞;
// F(4×4, 3×3): 0, ±1, ±2, ∞). The sum over channels of each of the α²
// entries ξ of the product is one GEMM, M_ξ = V_ξ·U_ξ (T tiles × C channels
// times C × K filters), run by gemm.wat's sgemm: α²·C·K multiplies per tile
// of m² outputs instead of 9·m²·C·K (16 for 4 outputs, 36 for 16).
//
// The transforms are generated from the matrices (a ±1 coefficient is an
// add or subtract, others a multiply by a splatted constant, zeros dropped)
// and go four channels (or filters) at a time in f32x4 lanes; C and K must
// be multiples of 4 (conv-winograd.ts checks). Layouts (floats): V[ξ][t][c]
// and M[ξ][t][k] (each ξ a row-major T × C or T × K matrix), U[ξ][c][k]
// (built by conv-winograd.ts from G).
//
// A Winograd task block uses the conv task block's words (gemm.wat):
// 0 H  1 W  2 C  5 Ho  6 Wo  9 padTop  10 padLeft  17 K  18 x  19 count
// 20 y  21 U  22 V  23 zeros (C floats of 0)  24 M  25 pa  26 pb  27 tile.

/** Bᵀ (α × α), G (α × 3) and Aᵀ (m × α) of F(m×m, 3×3). */
export const WINOGRAD = {
  2: {
    BT: [
      [1, 0, -1, 0],
      [0, 1, 1, 0],
      [0, -1, 1, 0],
      [0, 1, 0, -1],
    ],
    G: [
      [1, 0, 0],
      [1 / 2, 1 / 2, 1 / 2],
      [1 / 2, -1 / 2, 1 / 2],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 0],
      [0, 1, -1, -1],
    ],
  },
  4: {
    BT: [
      [4, 0, -5, 0, 1, 0],
      [0, -4, -4, 1, 1, 0],
      [0, 4, -4, -1, 1, 0],
      [0, -2, -1, 2, 1, 0],
      [0, 2, -1, -2, 1, 0],
      [0, 4, 0, -5, 0, 1],
    ],
    G: [
      [1 / 4, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6],
      [1 / 24, -1 / 12, 1 / 6],
      [0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 0],
      [0, 1, 1, 4, 4, 0],
      [0, 1, -1, 8, -8, 1],
    ],
  },
};

const range = (n) => Array.from({ length: n }, (_, i) => i);
const lines = (xs) => xs.join('\n');
const get = (name) => `(local.get ${name})`;
const add = (a, b) => `(f32x4.add ${a} ${b})`;
const sub = (a, b) => `(f32x4.sub ${a} ${b})`;

const mul = (c, a) => `(f32x4.mul (v128.const f32x4 ${c} ${c} ${c} ${c}) ${a})`;

/**
 * Σ_l row[l]·v(l) as one WAT expression, terms left to right: a ±1
 * coefficient adds or subtracts, others multiply; a leading negative term is
 * subtracted from the first positive one (so −a + b is b − a, the same bits).
 */
function combine(row, v) {
  const terms = row.map((c, l) => ({ c, l })).filter(({ c }) => c !== 0);
  const first = terms.find(({ c }) => c > 0) ?? terms[0];
  const rest = terms.filter((t) => t !== first);
  const value = ({ c, l }) => (Math.abs(c) === 1 ? v(l) : mul(Math.abs(c), v(l)));
  let e = first.c > 0 ? value(first) : mul(first.c, v(first.l));
  for (const t of rest) e = t.c > 0 ? add(e, value(t)) : sub(e, value(t));
  return e;
}

function inputFields(m) {
  const { BT } = WINOGRAD[m];
  const a = m + 2;
  const dLocals = range(a * a).map((e) => `(local $a${e} i32)`).join(' ');
  const tLocals = range(a)
    .flatMap((i) => range(a).map((j) => `(local $t${i}_${j} v128)`))
    .join(' ');
  const dvLocals = range(a).map((i) => `(local $d${i} v128)`).join(' ');
  const d = (i, j) => `(v128.load (i32.add (local.get $a${a * i + j}) (local.get $cb)))`;
  // Columns first: t(·, j) = Bᵀ·d(·, j), column j's α vectors loaded once each; then V(i, ·) = t(i, ·)·B.
  const setT = lines(
    range(a).flatMap((j) => [
      ...range(a).map((i) => `(local.set $d${i} ${d(i, j)})`),
      ...range(a).map((i) => `(local.set $t${i}_${j} ${combine(BT[i], (l) => get(`$d${l}`))})`),
    ]),
  );
  const entries = range(a).flatMap((i) => range(a).map((j) => combine(BT[j], (l) => get(`$t${i}_${l}`))));
  const stores = lines(entries.flatMap((v, xi) => [`(v128.store (local.get $o) ${v})`, xi < a * a - 1 ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']).filter((x) => x !== ''));
  const setAddr = lines(
    range(a).flatMap((i) =>
      range(a).map(
        (j) => `(local.set $a${a * i + j} (call $wino_pixel (local.get $x) (local.get $zeros) (i32.add (local.get $iy) (i32.const ${i})) (i32.add (local.get $ix) (i32.const ${j})) (local.get $H) (local.get $W) (local.get $C)))`,
      ),
    ),
  );
  const shift = Math.log2(m);
  return `
  ;; V[ξ][t][c] = (Bᵀ d_{t,c} B)_ξ, F(${m}×${m}, 3×3), for every tile t of the image at x (task block d's geometry), into v.
  (func $wino${m}_input (export "winograd${m}_input") (param $d i32) (param $x i32) (param $v i32)
    (local $H i32) (local $W i32) (local $C i32) (local $tilesY i32) (local $tilesX i32) (local $zeros i32)
    (local $ty i32) (local $tx i32) (local $iy i32) (local $ix i32) (local $t i32) (local $cb i32) (local $cend i32)
    (local $plane i32) (local $o i32) ${dLocals}
    ${dvLocals} ${tLocals}
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $zeros (call $ld (local.get $d) (i32.const 23)))
    (memory.fill (local.get $zeros) (i32.const 0) (i32.shl (local.get $C) (i32.const 2)))
    (local.set $tilesY (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 5)) (i32.const ${m - 1})) (i32.const ${shift})))
    (local.set $tilesX (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 6)) (i32.const ${m - 1})) (i32.const ${shift})))
    (local.set $cend (i32.shl (local.get $C) (i32.const 2)))
    ;; Bytes between V_ξ and V_ξ+1: T·C floats.
    (local.set $plane (i32.shl (i32.mul (i32.mul (local.get $tilesY) (local.get $tilesX)) (local.get $C)) (i32.const 2)))
    (block $dty (loop $lty
      (br_if $dty (i32.ge_s (local.get $ty) (local.get $tilesY)))
      (local.set $iy (i32.sub (i32.shl (local.get $ty) (i32.const ${shift})) (call $ld (local.get $d) (i32.const 9))))
      (local.set $tx (i32.const 0))
      (block $dtx (loop $ltx
        (br_if $dtx (i32.ge_s (local.get $tx) (local.get $tilesX)))
        (local.set $ix (i32.sub (i32.shl (local.get $tx) (i32.const ${shift})) (call $ld (local.get $d) (i32.const 10))))
        ${setAddr}
        (local.set $cb (i32.const 0))
        (block $dc (loop $lc
          (br_if $dc (i32.ge_u (local.get $cb) (local.get $cend)))
          ${setT}
          (local.set $o (i32.add (local.get $v) (i32.add (i32.mul (local.get $t) (local.get $cend)) (local.get $cb))))
          ${stores}
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $lc)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
        (br $ltx)))
      (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
      (br $lty))))`;
}

function outputFields(m) {
  const { AT } = WINOGRAD[m];
  const a = m + 2;
  const mLocals = range(a * a).map((e) => `(local $m${e} v128)`).join(' ');
  const loads = lines(range(a * a).flatMap((e) => [`(local.set $m${e} (v128.load (local.get $o)))`, e < a * a - 1 ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']).filter((x) => x !== ''));
  // s(i, j) = (Aᵀ M)(i, j), i < m; y(i, j) = (s A)(i, j).
  const setS = lines(range(m).flatMap((i) => range(a).map((j) => `(local.set $s${i}_${j} ${combine(AT[i], (l) => get(`$m${a * l + j}`))})`)));
  const sLocals = range(m)
    .flatMap((i) => range(a).map((j) => `(local $s${i}_${j} v128)`))
    .join(' ');
  const y = (i, j) => combine(AT[j], (l) => get(`$s${i}_${l}`));
  const store = (i, j) => {
    const at = `(i32.add (local.get $y) (i32.add (i32.shl (i32.mul (i32.add (i32.mul (i32.add (local.get $oy) (i32.const ${i})) (local.get $Wo)) (i32.add (local.get $ox) (i32.const ${j}))) (local.get $K)) (i32.const 2)) (local.get $kb)))`;
    const write = `(local.set $p ${at}) (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) ${y(i, j)}))`;
    if (i === 0 && j === 0) return write;
    return `(if (i32.and (i32.lt_s (i32.add (local.get $oy) (i32.const ${i})) (local.get $Ho)) (i32.lt_s (i32.add (local.get $ox) (i32.const ${j})) (local.get $Wo))) (then ${write}))`;
  };
  const shift = Math.log2(m);
  return `
  ;; y[${m}ty + i, ${m}tx + j, k] += (Aᵀ M_{t,k} A)_(i, j), F(${m}×${m}, 3×3), for every tile t (outputs past Ho, Wo dropped), from M[ξ][t][k] at m.
  (func $wino${m}_output (export "winograd${m}_output") (param $d i32) (param $m i32) (param $y i32)
    (local $Ho i32) (local $Wo i32) (local $K i32) (local $tilesY i32) (local $tilesX i32)
    (local $ty i32) (local $tx i32) (local $oy i32) (local $ox i32) (local $t i32) (local $kb i32) (local $kend i32)
    (local $plane i32) (local $o i32) (local $p i32)
    ${mLocals} ${sLocals}
    (local.set $Ho (call $ld (local.get $d) (i32.const 5)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $tilesY (i32.shr_u (i32.add (local.get $Ho) (i32.const ${m - 1})) (i32.const ${shift})))
    (local.set $tilesX (i32.shr_u (i32.add (local.get $Wo) (i32.const ${m - 1})) (i32.const ${shift})))
    (local.set $kend (i32.shl (local.get $K) (i32.const 2)))
    (local.set $plane (i32.shl (i32.mul (i32.mul (local.get $tilesY) (local.get $tilesX)) (local.get $K)) (i32.const 2)))
    (block $dty (loop $lty
      (br_if $dty (i32.ge_s (local.get $ty) (local.get $tilesY)))
      (local.set $oy (i32.shl (local.get $ty) (i32.const ${shift})))
      (local.set $tx (i32.const 0))
      (block $dtx (loop $ltx
        (br_if $dtx (i32.ge_s (local.get $tx) (local.get $tilesX)))
        (local.set $ox (i32.shl (local.get $tx) (i32.const ${shift})))
        (local.set $kb (i32.const 0))
        (block $dk (loop $lk
          (br_if $dk (i32.ge_u (local.get $kb) (local.get $kend)))
          (local.set $o (i32.add (local.get $m) (i32.add (i32.mul (local.get $t) (local.get $kend)) (local.get $kb))))
          ${loads}
          ${setS}
          ${lines(range(m).flatMap((i) => range(m).map((j) => store(i, j))))}
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $lk)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
        (br $ltx)))
      (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
      (br $lty))))`;
}

function imagesField(m) {
  const a = m + 2;
  const shift = Math.log2(m);
  return `
  ;; y_i += conv(x_i, g) for the task block's d[19] images by Winograd F(${m}×${m}, 3×3): per image, V = input
  ;; transform, M_ξ = V_ξ·U_ξ (${a * a} sgemms, M zeroed first), then y_i += output transform of M.
  (func (export "winograd${m}_images") (param $d i32)
    (local $n i32) (local $xi i32) (local $x i32) (local $y i32) (local $C i32) (local $K i32) (local $T i32)
    (local $v i32) (local $m i32) (local $imageBytes i32) (local $outBytes i32)
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $T (i32.mul (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 5)) (i32.const ${m - 1})) (i32.const ${shift}))
                           (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 6)) (i32.const ${m - 1})) (i32.const ${shift}))))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1))) (local.get $C)) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 5)) (call $ld (local.get $d) (i32.const 6))) (local.get $K)) (i32.const 2)))
    (local.set $v (call $ld (local.get $d) (i32.const 22)))
    (local.set $m (call $ld (local.get $d) (i32.const 24)))
    (local.set $x (call $ld (local.get $d) (i32.const 18)))
    (local.set $y (call $ld (local.get $d) (i32.const 20)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (call $wino${m}_input (local.get $d) (local.get $x) (local.get $v))
      (memory.fill (local.get $m) (i32.const 0) (i32.shl (i32.mul (i32.mul (local.get $T) (local.get $K)) (i32.const ${a * a})) (i32.const 2)))
      (local.set $xi (i32.const 0))
      (block $dxi (loop $lxi
        (br_if $dxi (i32.ge_s (local.get $xi) (i32.const ${a * a})))
        (call $sgemm (local.get $T) (local.get $K) (local.get $C) (f32.const 1)
          (i32.add (local.get $v) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get $T)) (local.get $C)) (i32.const 2))) (local.get $C) (i32.const 0)
          (i32.add (call $ld (local.get $d) (i32.const 21)) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get $C)) (local.get $K)) (i32.const 2))) (local.get $K) (i32.const 0)
          (i32.add (local.get $m) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get $T)) (local.get $K)) (i32.const 2))) (local.get $K)
          (call $ld (local.get $d) (i32.const 25)) (call $ld (local.get $d) (i32.const 26)) (call $ld (local.get $d) (i32.const 27)))
        (local.set $xi (i32.add (local.get $xi) (i32.const 1)))
        (br $lxi)))
      (call $wino${m}_output (local.get $d) (local.get $m) (local.get $y))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))`;
}

/** The module fields of the Winograd F(2×2, 3×3) and F(4×4, 3×3) convolutions (spliced into gemm.wat; they use its $ld and $sgemm). */
export function winogradFields() {
  return `
  ;; ---- generated by scripts/gen-winograd.mjs: Winograd F(2×2, 3×3) and F(4×4, 3×3) convolutions ----
  ;; Byte address of pixel (iy, ix) of the image at x (C channels), or of the zeros outside the image.
  (func $wino_pixel (param $x i32) (param $zeros i32) (param $iy i32) (param $ix i32) (param $H i32) (param $W i32) (param $C i32) (result i32)
    (if (result i32) (i32.and (i32.lt_u (local.get $iy) (local.get $H)) (i32.lt_u (local.get $ix) (local.get $W)))
      (then (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (i32.const 2))))
      (else (local.get $zeros))))
${[2, 4].map((m) => `${inputFields(m)}\n${outputFields(m)}\n${imagesField(m)}\n${filterFields(m)}`).join('\n')}
`;
}

/**
 * The filter derivative's transforms (dg = Σ_t Gᵀ[(A dy_t Aᵀ) ⊙ (Bᵀ d_t B)]G,
 * the adjoint of the forward in g): Ŷ[ξ][t][k] = (A·dy_t·Aᵀ)_ξ, dy_t the m × m
 * block of dy at (m·ty, m·tx) (zeros past Ho, Wo), and a task op building V
 * and Ŷ of each of its images (V_i at d[22] + i·d[29], Ŷ_i at d[24] +
 * i·d[28]); the products Σ_t V_ξᵀ·Ŷ_ξ and the G transform are conv-winograd.ts's.
 */
function filterFields(m) {
  const { AT } = WINOGRAD[m];
  const a = m + 2;
  const A = range(a).map((i) => range(m).map((j) => AT[j][i]));
  const shift = Math.log2(m);
  const pLocals = range(m * m).map((e) => `(local $q${e} i32)`).join(' ');
  const sLocals = range(a)
    .flatMap((i) => range(m).map((j) => `(local $s${i}_${j} v128)`))
    .join(' ');
  const dyv = range(m * m).map((e) => `(local $e${e} v128)`).join(' ');
  const setAddr = lines(
    range(m).flatMap((i) =>
      range(m).map(
        (j) => `(local.set $q${m * i + j} (call $wino_pixel (local.get $dy) (local.get $zeros) (i32.add (local.get $oy) (i32.const ${i})) (i32.add (local.get $ox) (i32.const ${j})) (local.get $Ho) (local.get $Wo) (local.get $K)))`,
      ),
    ),
  );
  const loads = lines(range(m * m).map((e) => `(local.set $e${e} (v128.load (i32.add (local.get $q${e}) (local.get $kb))))`));
  const setS = lines(range(a).flatMap((i) => range(m).map((j) => `(local.set $s${i}_${j} ${combine(A[i], (l) => get(`$e${m * l + j}`))})`)));
  const entries = range(a).flatMap((i) => range(a).map((j) => combine(A[j], (l) => get(`$s${i}_${l}`))));
  const stores = lines(entries.flatMap((v, xi) => [`(v128.store (local.get $o) ${v})`, xi < a * a - 1 ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']).filter((x) => x !== ''));
  return `
  ;; Ŷ[ξ][t][k] = (A dy_t Aᵀ)_ξ, F(${m}×${m}, 3×3), for every tile t of the dy image at dy (Ho × Wo × K), into out.
  (func $wino${m}_dy (export "winograd${m}_dy") (param $d i32) (param $dy i32) (param $out i32)
    (local $Ho i32) (local $Wo i32) (local $K i32) (local $tilesY i32) (local $tilesX i32) (local $zeros i32)
    (local $ty i32) (local $tx i32) (local $oy i32) (local $ox i32) (local $t i32) (local $kb i32) (local $kend i32)
    (local $plane i32) (local $o i32) ${pLocals} ${dyv} ${sLocals}
    (local.set $Ho (call $ld (local.get $d) (i32.const 5)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $zeros (call $ld (local.get $d) (i32.const 23)))
    (memory.fill (local.get $zeros) (i32.const 0) (i32.shl (local.get $K) (i32.const 2)))
    (local.set $tilesY (i32.shr_u (i32.add (local.get $Ho) (i32.const ${m - 1})) (i32.const ${shift})))
    (local.set $tilesX (i32.shr_u (i32.add (local.get $Wo) (i32.const ${m - 1})) (i32.const ${shift})))
    (local.set $kend (i32.shl (local.get $K) (i32.const 2)))
    (local.set $plane (i32.shl (i32.mul (i32.mul (local.get $tilesY) (local.get $tilesX)) (local.get $K)) (i32.const 2)))
    (block $dty (loop $lty
      (br_if $dty (i32.ge_s (local.get $ty) (local.get $tilesY)))
      (local.set $oy (i32.shl (local.get $ty) (i32.const ${shift})))
      (local.set $tx (i32.const 0))
      (block $dtx (loop $ltx
        (br_if $dtx (i32.ge_s (local.get $tx) (local.get $tilesX)))
        (local.set $ox (i32.shl (local.get $tx) (i32.const ${shift})))
        ${setAddr}
        (local.set $kb (i32.const 0))
        (block $dk (loop $lk
          (br_if $dk (i32.ge_u (local.get $kb) (local.get $kend)))
          ${loads}
          ${setS}
          (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $t) (local.get $kend)) (local.get $kb))))
          ${stores}
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $lk)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
        (br $ltx)))
      (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
      (br $lty))))

  ;; V and Ŷ of the task block's d[19] images (x at d[18], dy at d[20]; V_i at d[22] + i·d[29], Ŷ_i at d[24] + i·d[28]).
  (func (export "winograd${m}_filter_images") (param $d i32)
    (local $n i32) (local $x i32) (local $dy i32) (local $imageBytes i32) (local $outBytes i32)
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1))) (call $ld (local.get $d) (i32.const 2))) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 5)) (call $ld (local.get $d) (i32.const 6))) (call $ld (local.get $d) (i32.const 17))) (i32.const 2)))
    (local.set $x (call $ld (local.get $d) (i32.const 18)))
    (local.set $dy (call $ld (local.get $d) (i32.const 20)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (call $wino${m}_input (local.get $d) (local.get $x)
        (i32.add (call $ld (local.get $d) (i32.const 22)) (i32.mul (local.get $n) (call $ld (local.get $d) (i32.const 29)))))
      (call $wino${m}_dy (local.get $d) (local.get $dy)
        (i32.add (call $ld (local.get $d) (i32.const 24)) (i32.mul (local.get $n) (call $ld (local.get $d) (i32.const 28)))))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $dy (i32.add (local.get $dy) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))`;
}
