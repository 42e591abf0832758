// Winograd F(2×2, 3×3) convolution of NHWC images (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016; the layout of
// NNPACK's and XNNPACK's tile transforms): each 2 × 2 block of output pixels
// ("tile" t) comes from the 4 × 4 input window at (2·ty − padTop, 2·tx −
// padLeft) as
//
//     Y_t = Aᵀ [ Σ_c (G g_{c,k} Gᵀ) ⊙ (Bᵀ d_{t,c} B) ] A
//
// with Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½;
// ½ −½ ½; 0 0 1] and Aᵀ = [1 1 1 0; 0 1 −1 −1]. The sum over channels of
// each of the 16 entries ξ of the product is one GEMM, M_ξ = V_ξ·U_ξ (T
// tiles × C channels times C × K filters), run by gemm.wat's sgemm: 16·C·K
// multiplies per tile of 4 outputs instead of 36·C·K.
//
// The input and output transforms go four channels (or filters) at a time
// in f32x4 lanes; C and K must be multiples of 4 (conv-wasm.ts checks).
// Layouts (floats): V[ξ][t][c] and M[ξ][t][k] (each ξ a row-major T × C or
// T × K matrix), U[ξ][c][k] (built by conv-wasm.ts).
//
// A Winograd task block uses the conv task block's words (gemm.wat):
// 0 H  1 W  2 C  5 Ho  6 Wo  9 padTop  10 padLeft  17 K  18 x  19 count
// 20 y  21 U  22 V  23 zeros (C floats of 0)  24 M  25 pa  26 pb  27 tile.

const range = (n) => Array.from({ length: n }, (_, i) => i);
const lines = (xs) => xs.join('\n');
const get = (name) => `(local.get ${name})`;
const add = (a, b) => `(f32x4.add ${a} ${b})`;
const sub = (a, b) => `(f32x4.sub ${a} ${b})`;

/** (t·B)(i, j) for t = Bᵀ·d in the locals $t<i>_<j>: V's 16 entries ξ = 4i + j, in order. */
function inputEntries() {
  const t = (i, j) => get(`$t${i}_${j}`);
  return range(4).flatMap((i) => [sub(t(i, 0), t(i, 2)), add(t(i, 1), t(i, 2)), sub(t(i, 2), t(i, 1)), sub(t(i, 1), t(i, 3))]);
}

function inputFields() {
  const dLocals = range(16).map((e) => `(local $a${e} i32)`).join(' ');
  const tLocals = range(4)
    .flatMap((i) => range(4).map((j) => `(local $t${i}_${j} v128)`))
    .join(' ');
  const d = (i, j) => `(v128.load (i32.add (local.get $a${4 * i + j}) (local.get $cb)))`;
  const setT = lines(
    range(4).flatMap((j) => {
      // t(·, j) = Bᵀ·d(·, j), column j's four vectors loaded once each.
      return [
        ...range(4).map((i) => `(local.set $d${i} ${d(i, j)})`),
        `(local.set $t0_${j} ${sub(get('$d0'), get('$d2'))})`,
        `(local.set $t1_${j} ${add(get('$d1'), get('$d2'))})`,
        `(local.set $t2_${j} ${sub(get('$d2'), get('$d1'))})`,
        `(local.set $t3_${j} ${sub(get('$d1'), get('$d3'))})`,
      ];
    }),
  );
  const stores = lines(inputEntries().flatMap((v, xi) => [`(v128.store (local.get $o) ${v})`, xi < 15 ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']).filter((s) => s !== ''));
  const setAddr = lines(
    range(4).flatMap((i) =>
      range(4).map(
        (j) => `(local.set $a${4 * i + j} (call $wino_pixel (local.get $x) (local.get $zeros) (i32.add (local.get $iy) (i32.const ${i})) (i32.add (local.get $ix) (i32.const ${j})) (local.get $H) (local.get $W) (local.get $C)))`,
      ),
    ),
  );
  return `
  ;; Byte address of pixel (iy, ix) of the image at x (C channels), or of the zeros outside the image.
  (func $wino_pixel (param $x i32) (param $zeros i32) (param $iy i32) (param $ix i32) (param $H i32) (param $W i32) (param $C i32) (result i32)
    (if (result i32) (i32.and (i32.lt_u (local.get $iy) (local.get $H)) (i32.lt_u (local.get $ix) (local.get $W)))
      (then (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (i32.const 2))))
      (else (local.get $zeros))))

  ;; V[ξ][t][c] = (Bᵀ d_{t,c} B)_ξ for every tile t of the image at x (task block d's geometry), into v.
  (func $wino_input (export "winograd_input") (param $d i32) (param $x i32) (param $v i32)
    (local $H i32) (local $W i32) (local $C i32) (local $tilesY i32) (local $tilesX i32) (local $zeros i32)
    (local $ty i32) (local $tx i32) (local $iy i32) (local $ix i32) (local $t i32) (local $cb i32) (local $cend i32)
    (local $plane i32) (local $o i32) ${dLocals}
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) ${tLocals}
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $zeros (call $ld (local.get $d) (i32.const 23)))
    (memory.fill (local.get $zeros) (i32.const 0) (i32.shl (local.get $C) (i32.const 2)))
    (local.set $tilesY (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 5)) (i32.const 1)) (i32.const 1)))
    (local.set $tilesX (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 6)) (i32.const 1)) (i32.const 1)))
    (local.set $cend (i32.shl (local.get $C) (i32.const 2)))
    ;; Bytes between V_ξ and V_ξ+1: T·C floats.
    (local.set $plane (i32.shl (i32.mul (i32.mul (local.get $tilesY) (local.get $tilesX)) (local.get $C)) (i32.const 2)))
    (block $dty (loop $lty
      (br_if $dty (i32.ge_s (local.get $ty) (local.get $tilesY)))
      (local.set $iy (i32.sub (i32.shl (local.get $ty) (i32.const 1)) (call $ld (local.get $d) (i32.const 9))))
      (local.set $tx (i32.const 0))
      (block $dtx (loop $ltx
        (br_if $dtx (i32.ge_s (local.get $tx) (local.get $tilesX)))
        (local.set $ix (i32.sub (i32.shl (local.get $tx) (i32.const 1)) (call $ld (local.get $d) (i32.const 10))))
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

function outputFields() {
  const mLocals = range(16).map((e) => `(local $m${e} v128)`).join(' ');
  const loads = lines(range(16).flatMap((e) => [`(local.set $m${e} (v128.load (local.get $o)))`, e < 15 ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']).filter((s) => s !== ''));
  const m = (i, j) => get(`$m${4 * i + j}`);
  // s(i, j) = (Aᵀ M)(i, j), i < 2; y(i, j) = (s A)(i, j).
  const s = (i, j) => (i === 0 ? add(add(m(0, j), m(1, j)), m(2, j)) : sub(sub(m(1, j), m(2, j)), m(3, j)));
  const setS = lines(range(2).flatMap((i) => range(4).map((j) => `(local.set $s${i}_${j} ${s(i, j)})`)));
  const sv = (i, j) => get(`$s${i}_${j}`);
  const y = (i, j) => (j === 0 ? add(add(sv(i, 0), sv(i, 1)), sv(i, 2)) : sub(sub(sv(i, 1), sv(i, 2)), sv(i, 3)));
  const sLocals = range(2)
    .flatMap((i) => range(4).map((j) => `(local $s${i}_${j} v128)`))
    .join(' ');
  const store = (i, j) => {
    const at = `(i32.add (local.get $y) (i32.add (i32.shl (i32.mul (i32.add (i32.mul (i32.add (local.get $oy) (i32.const ${i})) (local.get $Wo)) (i32.add (local.get $ox) (i32.const ${j}))) (local.get $K)) (i32.const 2)) (local.get $kb)))`;
    const write = `(local.set $p ${at}) (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) ${y(i, j)}))`;
    const inside = [i === 1 ? '(local.get $row1)' : '', j === 1 ? '(local.get $col1)' : ''].filter((c) => c !== '');
    if (inside.length === 0) return write;
    const cond = inside.length === 1 ? inside[0] : `(i32.and ${inside[0]} ${inside[1]})`;
    return `(if ${cond} (then ${write}))`;
  };
  return `
  ;; y[2ty + i, 2tx + j, k] += (Aᵀ M_{t,k} A)_(i, j) for every tile t (outputs past Ho, Wo dropped), from M[ξ][t][k] at m.
  (func $wino_output (export "winograd_output") (param $d i32) (param $m i32) (param $y i32)
    (local $Ho i32) (local $Wo i32) (local $K i32) (local $tilesY i32) (local $tilesX i32)
    (local $ty i32) (local $tx i32) (local $oy i32) (local $ox i32) (local $t i32) (local $kb i32) (local $kend i32)
    (local $row1 i32) (local $col1 i32) (local $plane i32) (local $o i32) (local $p i32)
    ${mLocals} ${sLocals}
    (local.set $Ho (call $ld (local.get $d) (i32.const 5)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $tilesY (i32.shr_u (i32.add (local.get $Ho) (i32.const 1)) (i32.const 1)))
    (local.set $tilesX (i32.shr_u (i32.add (local.get $Wo) (i32.const 1)) (i32.const 1)))
    (local.set $kend (i32.shl (local.get $K) (i32.const 2)))
    (local.set $plane (i32.shl (i32.mul (i32.mul (local.get $tilesY) (local.get $tilesX)) (local.get $K)) (i32.const 2)))
    (block $dty (loop $lty
      (br_if $dty (i32.ge_s (local.get $ty) (local.get $tilesY)))
      (local.set $oy (i32.shl (local.get $ty) (i32.const 1)))
      (local.set $row1 (i32.lt_s (i32.add (local.get $oy) (i32.const 1)) (local.get $Ho)))
      (local.set $tx (i32.const 0))
      (block $dtx (loop $ltx
        (br_if $dtx (i32.ge_s (local.get $tx) (local.get $tilesX)))
        (local.set $ox (i32.shl (local.get $tx) (i32.const 1)))
        (local.set $col1 (i32.lt_s (i32.add (local.get $ox) (i32.const 1)) (local.get $Wo)))
        (local.set $kb (i32.const 0))
        (block $dk (loop $lk
          (br_if $dk (i32.ge_u (local.get $kb) (local.get $kend)))
          (local.set $o (i32.add (local.get $m) (i32.add (i32.mul (local.get $t) (local.get $kend)) (local.get $kb))))
          ${loads}
          ${setS}
          ${store(0, 0)}
          ${store(0, 1)}
          ${store(1, 0)}
          ${store(1, 1)}
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $lk)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
        (br $ltx)))
      (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
      (br $lty))))`;
}

/** The module fields of the Winograd F(2×2, 3×3) convolution (spliced into gemm.wat; uses its $ld and $sgemm). */
export function winogradFields() {
  return `
  ;; ---- generated by scripts/gen-winograd.mjs: Winograd F(2×2, 3×3) convolution ----
${inputFields()}
${outputFields()}

  ;; y_i += conv(x_i, g) for the task block's d[19] images by Winograd F(2×2, 3×3): per image, V = input
  ;; transform, M_ξ = V_ξ·U_ξ (16 sgemms, M zeroed first), then y_i += output transform of M.
  (func (export "winograd_images") (param $d i32)
    (local $n i32) (local $xi i32) (local $x i32) (local $y i32) (local $C i32) (local $K i32) (local $T i32)
    (local $v i32) (local $m i32) (local $u i32) (local $imageBytes i32) (local $outBytes i32)
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $T (i32.mul (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 5)) (i32.const 1)) (i32.const 1))
                           (i32.shr_u (i32.add (call $ld (local.get $d) (i32.const 6)) (i32.const 1)) (i32.const 1))))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1))) (local.get $C)) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 5)) (call $ld (local.get $d) (i32.const 6))) (local.get $K)) (i32.const 2)))
    (local.set $v (call $ld (local.get $d) (i32.const 22)))
    (local.set $m (call $ld (local.get $d) (i32.const 24)))
    (local.set $x (call $ld (local.get $d) (i32.const 18)))
    (local.set $y (call $ld (local.get $d) (i32.const 20)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (call $wino_input (local.get $d) (local.get $x) (local.get $v))
      (memory.fill (local.get $m) (i32.const 0) (i32.shl (i32.mul (i32.mul (local.get $T) (local.get $K)) (i32.const 16)) (i32.const 2)))
      (local.set $xi (i32.const 0))
      (block $dxi (loop $lxi
        (br_if $dxi (i32.ge_s (local.get $xi) (i32.const 16)))
        (call $sgemm (local.get $T) (local.get $K) (local.get $C) (f32.const 1)
          (i32.add (local.get $v) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get $T)) (local.get $C)) (i32.const 2))) (local.get $C) (i32.const 0)
          (i32.add (call $ld (local.get $d) (i32.const 21)) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get $C)) (local.get $K)) (i32.const 2))) (local.get $K) (i32.const 0)
          (i32.add (local.get $m) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get $T)) (local.get $K)) (i32.const 2))) (local.get $K)
          (call $ld (local.get $d) (i32.const 25)) (call $ld (local.get $d) (i32.const 26)) (call $ld (local.get $d) (i32.const 27)))
        (local.set $xi (i32.add (local.get $xi) (i32.const 1)))
        (br $lxi)))
      (call $wino_output (local.get $d) (local.get $m) (local.get $y))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))
`;
}
