// Winograd F(m×m, r×r) convolutions of NHWC images: F(2×2, 3×3),
// F(4×4, 3×3) and F(2×2, 5×5) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016; the layout of NNPACK's and XNNPACK's
// tile transforms): each m × m block of output pixels ("tile" t) comes from
// the α × α input window (α = m + r − 1) at (m·ty − padTop, m·tx − padLeft) as
//
//     Y_t = Aᵀ [ Σ_c (G g_{c,k} Gᵀ) ⊙ (Bᵀ d_{t,c} B) ] A
//
// with the matrices of `WINOGRAD` below (F(2×2, 3×3): points 0, ±1, ∞;
// F(4×4, 3×3) and F(2×2, 5×5): 0, ±1, ±2, ∞, so the same 6 × 6 Bᵀ). The sum
// over channels of each of the α² entries ξ of the product is one GEMM,
// M_ξ = V_ξ·U_ξ (T tiles × C channels times C × K filters), run by
// `$wino_product` on the operands as the transforms lay them out (no
// packing; the sums of gemm.wat's sgemm): α²·C·K multiplies per tile of m²
// outputs instead of r²·m²·C·K (16 for 36 with F(2×2, 3×3), 36 for 144 with F(4×4, 3×3), 36 for 100 with
// F(2×2, 5×5)).
//
// The transforms are generated from the matrices (a ±1 coefficient is an
// add or subtract, others a multiply by a splatted constant, zeros dropped)
// and go four channels (or filters) at a time in f32x4 lanes. A group's
// channels (filters) are padded to a multiple of 4 in V (M, Ŷ): the last
// block's loads are masked (lanes past the group's count read as +0, whatever
// the memory holds) and its stores write only the group's lanes. Layouts
// (floats, cp and kp the group's C and K rounded up to 4): V[ξ][row][cp] and
// M[ξ][row][kp] (each ξ a row-major R × cp or R × kp matrix, R rows: the
// tiles of one or more images), U[g][ξ][c][kp] for the forward and
// U[g][ξ][k][cp] for the data derivative (`_filter_transform_task`, its
// layout in words 24, 30, 31; the padding zero).
//
// A Winograd task block uses the conv task block's words (gemm.wat):
// 0 H  1 W  2 C (all channels: the pixel stride)  5 Ho  6 Wo  9 padTop
// 10 padLeft  14 cg  15 groups  16 kg  17 K (all filters)  18 x  19 count
// 20 y (dy for the filter derivative)  21 U  22 V  23 zeros  24 M (Ŷ)
// 25 pa  26 pb  27 tile, and two of its own: 30 the images per GEMM (forward)
// or R, the rows of V and Ŷ (filter derivative); 31 (filter products) the
// images per product, (forward) the bias's byte address or 0 (y added to).
// The filter products read 13 and 28 as the first and end pair (g, ξ) of
// the task; the filter transform 24, 30, 31 as U's layout.

/** Bᵀ of the points 0, ±1, ±2, ∞ (α = 6): F(4×4, 3×3)'s and F(2×2, 5×5)'s input transform. */
const BT6 = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];

/** Bᵀ of the points 0, ±1, ±2, ±1/2, ∞ (α = 8): F(4×4, 5×5)'s input transform. */
const BT8 = [
  [-1, 0, 21 / 4, 0, -21 / 4, 0, 1, 0],
  [0, 1, 1, -17 / 4, -17 / 4, 1, 1, 0],
  [0, -1, 1, 17 / 4, -17 / 4, -1, 1, 0],
  [0, 1 / 2, 1 / 4, -5 / 2, -5 / 4, 2, 1, 0],
  [0, -1 / 2, 1 / 4, 5 / 2, -5 / 4, -2, 1, 0],
  [0, 2, 4, -5 / 2, -5, 1 / 2, 1, 0],
  [0, -2, 4, 5 / 2, -5, -1 / 2, 1, 0],
  [0, -1, 0, 21 / 4, 0, -21 / 4, 0, 1],
];

/** Bᵀ (α × α), G (α × r) and Aᵀ (m × α) of F(m×m, r×r), keyed `${m}x${r}`. */
export const WINOGRAD = {
  '2x3': {
    m: 2,
    r: 3,
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
  '4x3': {
    m: 4,
    r: 3,
    BT: BT6,
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
  // The points of F(4×4, 3×3): Bᵀ the same; G's rows are s_p·(1, p, …, p⁴) with F(4×4, 3×3)'s s_p, Aᵀ's (1, p).
  '2x5': {
    m: 2,
    r: 5,
    BT: BT6,
    G: [
      [1 / 4, 0, 0, 0, 0],
      [-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6],
      [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
      [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3],
      [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
      [0, 0, 0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 1],
    ],
  },
  // Points 0, ±1, ±2, ±1/2, ∞ (Toom-Cook: G's rows p^k / Π_{q≠p}(p − q), Aᵀ's p^i; Bᵀ solved from the identity).
  '4x5': {
    m: 4,
    r: 5,
    BT: BT8,
    G: [
      [-1, 0, 0, 0, 0],
      [-2 / 9, -2 / 9, -2 / 9, -2 / 9, -2 / 9],
      [-2 / 9, 2 / 9, -2 / 9, 2 / 9, -2 / 9],
      [1 / 90, 1 / 45, 2 / 45, 4 / 45, 8 / 45],
      [1 / 90, -1 / 45, 2 / 45, -4 / 45, 8 / 45],
      [32 / 45, 16 / 45, 8 / 45, 4 / 45, 2 / 45],
      [32 / 45, -16 / 45, 8 / 45, -4 / 45, 2 / 45],
      [0, 0, 0, 0, 1],
    ],
    AT: [
      [1, 1, 1, 1, 1, 1, 1, 0],
      [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 0],
      [0, 1, 1, 4, 4, 1 / 4, 1 / 4, 0],
      [0, 1, -1, 8, -8, 1 / 8, -1 / 8, 1],
    ],
  },
};

/** The export-name stem of F(m×m, r×r): `winograd2`, `winograd4` (3×3 filters), `winograd2x5`. */
export const winogradName = (m, r) => (r === 3 ? `winograd${m}` : `winograd${m}x${r}`);

const range = (n) => Array.from({ length: n }, (_, i) => i);
const lines = (xs) => xs.join('\n');
const get = (name) => `(local.get ${name})`;
const add = (a, b, ty = 'f32x4') => `(${ty}.add ${a} ${b})`;
const sub = (a, b, ty = 'f32x4') => `(${ty}.sub ${a} ${b})`;
const ld = (w) => `(call $ld (local.get $d) (i32.const ${w}))`;
/** `n` rounded up to a multiple of 4. */
const round4 = (n) => `(i32.and (i32.add ${n} (i32.const 3)) (i32.const -4))`;

const mul = (c, a, ty = 'f32x4') => (ty === 'f32x4' ? `(f32x4.mul (v128.const f32x4 ${c} ${c} ${c} ${c}) ${a})` : `(f64x2.mul (v128.const f64x2 ${c} ${c}) ${a})`);

/**
 * `v` with subnormal lanes flushed to +0 (as gen-gemm.mjs's packing flushes the GEMM's operands: a lane
 * whose magnitude bits are at most 0x007fffff becomes +0; normals, ±∞ and NaN pass), with the locals
 * FLUSH_LOCALS set by FLUSH_INIT: the products' operands (V, Ŷ, U) are flushed where they are stored.
 */
const flushVector = (v) => `(v128.and (local.tee $fv ${v}) (i32x4.gt_s (v128.and (local.get $fv) (local.get $fmag)) (local.get $fsub)))`;
const FLUSH_LOCALS = '(local $fv v128) (local $fsub v128) (local $fmag v128)';
const FLUSH_INIT = `(local.set $fsub (v128.const i32x4 0x007fffff 0x007fffff 0x007fffff 0x007fffff))
    (local.set $fmag (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))`;

/**
 * Σ_l row[l]·v(l) as one WAT expression, terms left to right: a ±1
 * coefficient adds or subtracts, others multiply; a leading negative term is
 * subtracted from the first positive one (so −a + b is b − a, the same bits).
 */
function combine(row, v, ty = 'f32x4') {
  const terms = row.map((c, l) => ({ c, l })).filter(({ c }) => c !== 0);
  const first = terms.find(({ c }) => c > 0) ?? terms[0];
  const rest = terms.filter((t) => t !== first);
  const value = ({ c, l }) => (Math.abs(c) === 1 ? v(l) : mul(Math.abs(c), v(l), ty));
  let e = first.c > 0 ? value(first) : mul(first.c, v(first.l), ty);
  for (const t of rest) e = t.c > 0 ? add(e, value(t), ty) : sub(e, value(t), ty);
  return e;
}

/**
 * Σ_t c_t·x_t over `terms` ({ c, x }: coefficient, WAT expression) as one
 * expression, terms of equal |c| summed first and multiplied once
 * (21/4·a − 21/4·b is 21/4·(a − b)), the groups in order of first
 * appearance, ±1 groups not multiplied, an all-negative sum negated once.
 */
function sumOf(terms, ty = 'f32x4') {
  const signed = (ts) => {
    const pos = ts.filter((t) => t.sign > 0);
    const neg = ts.filter((t) => t.sign < 0);
    if (pos.length === 0) return { x: neg.slice(1).reduce((e, t) => add(e, t.x, ty), neg[0].x), sign: -1 };
    return { x: neg.reduce((e, t) => sub(e, t.x, ty), pos.slice(1).reduce((e, t) => add(e, t.x, ty), pos[0].x)), sign: 1 };
  };
  const groups = new Map();
  for (const t of terms) {
    const c = Math.abs(t.c);
    if (!groups.has(c)) groups.set(c, []);
    groups.get(c).push({ x: t.x, sign: Math.sign(t.c) });
  }
  const parts = [...groups].map(([c, ts]) => {
    const g = signed(ts);
    return { x: c === 1 ? g.x : mul(c, g.x, ty), sign: g.sign };
  });
  const total = signed(parts);
  return total.sign > 0 ? total.x : `(${ty}.neg ${total.x})`;
}

/** The temporaries of `linear` (declared in each transform; they hold values only within one `linear`'s code). */
const LINEAR_LOCALS = range(16)
  .map((k) => `(local $lt${k} v128)`)
  .join(' ');

/**
 * The rows of M·v (M's rows over the inputs v(l), WAT expressions) with the
 * matrices' structure used, as NNPACK's and XNNPACK's tile transforms do:
 * columns l1, l2 equal up to sign in every row (Aᵀ's points ±p) enter as
 * v(l1) ± v(l2), computed once; then rows equal up to the signs of some
 * inputs (Bᵀ's and A's rows of ±p) as E ± O, E the sum of the terms of equal
 * sign, O of the others, each computed once. Returns the `sets` of those
 * temporaries (run first) and the rows' expressions.
 */
function linear(M, v, ty = 'f32x4') {
  const sets = [];
  const temp = (x) => {
    const name = `$lt${sets.length}`;
    sets.push(`(local.set ${name} ${x})`);
    return get(name);
  };
  const n = M[0].length;
  const inputs = [];
  const used = new Set();
  for (let l1 = 0; l1 < n; l1++) {
    if (used.has(l1)) continue;
    used.add(l1);
    const l2 = range(n).find((l) => l > l1 && !used.has(l) && M.every((row) => Math.abs(row[l]) === Math.abs(row[l1])) && M.some((row) => row[l1] !== 0));
    if (l2 === undefined) {
      inputs.push({ x: v(l1), c: M.map((row) => row[l1]) });
      continue;
    }
    used.add(l2);
    if (M.some((row) => row[l1] !== 0 && row[l2] === row[l1])) inputs.push({ x: temp(add(v(l1), v(l2), ty)), c: M.map((row) => (row[l2] === row[l1] ? row[l1] : 0)) });
    if (M.some((row) => row[l1] !== 0 && row[l2] === -row[l1])) inputs.push({ x: temp(sub(v(l1), v(l2), ty)), c: M.map((row) => (row[l2] === -row[l1] ? row[l1] : 0)) });
  }
  const rows = new Array(M.length);
  const terms = (i, qs) => qs.map((q) => ({ c: q.c[i], x: q.x }));
  for (let i = 0; i < M.length; i++) {
    if (rows[i] !== undefined) continue;
    const live = inputs.filter((q) => q.c[i] !== 0);
    const i2 = range(M.length).find(
      (j) =>
        j > i &&
        rows[j] === undefined &&
        inputs.every((q) => Math.abs(q.c[j]) === Math.abs(q.c[i])) &&
        live.some((q) => q.c[j] === q.c[i]) &&
        live.some((q) => q.c[j] === -q.c[i]),
    );
    if (i2 === undefined) {
      rows[i] = sumOf(terms(i, live), ty);
      continue;
    }
    const e = temp(sumOf(terms(i, live.filter((q) => q.c[i2] === q.c[i])), ty));
    const o = temp(sumOf(terms(i, live.filter((q) => q.c[i2] === -q.c[i])), ty));
    rows[i] = add(e, o, ty);
    rows[i2] = sub(e, o, ty);
  }
  return { sets, rows };
}

/** Sets $mask to the lanes of the block at byte $cb that are below $cend4 (the group's count·4 bytes). */
const setMask = '(local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.shr_s (i32.sub (local.get $cend4) (local.get $cb)) (i32.const 2)))))';

/**
 * The stores of α² entries, given as `linear` results (`sets`, `rows`) in ξ
 * order, flushed (they are the products' operands), to $o, one plane ($plane
 * bytes) apart.
 */
function planeStores(groups, flush = true) {
  const count = groups.reduce((k, g) => k + g.rows.length, 0);
  let xi = 0;
  return lines(
    groups.flatMap((g) => [
      ...g.sets,
      ...g.rows.flatMap((v) => [`(v128.store (local.get $o) ${flush ? flushVector(v) : v})`, ++xi < count ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']),
    ]).filter((x) => x !== ''),
  );
}

/** The tile loops over tilesY × tilesX (tile t, origin m·ty, m·tx in $oy, $ox) around `body`. */
function tileLoops(m, body) {
  const shift = Math.log2(m);
  return `(block $dty (loop $lty
      (br_if $dty (i32.ge_s (local.get $ty) (local.get $tilesY)))
      (local.set $oy (i32.shl (local.get $ty) (i32.const ${shift})))
      (local.set $tx (i32.const 0))
      (block $dtx (loop $ltx
        (br_if $dtx (i32.ge_s (local.get $tx) (local.get $tilesX)))
        (local.set $ox (i32.shl (local.get $tx) (i32.const ${shift})))
        ${body}
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (local.set $tx (i32.add (local.get $tx) (i32.const 1)))
        (br $ltx)))
      (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
      (br $lty)))`;
}

/**
 * Sets the address locals `${prefix}${n·i + j}` of the n × n pixels from
 * (y0, x0) of the image at `image` (H × W pixels of C floats, WAT
 * expressions): where the window lies inside, from its first pixel by
 * adding the pixel and row strides; else each pixel through `$wino_pixel`
 * (the zeros, or sink, outside).
 */
function windowAddresses(n, prefix, { image, y0, x0, H, W, C }) {
  const inside = `(i32.and (i32.and (i32.ge_s ${y0} (i32.const 0)) (i32.ge_s ${x0} (i32.const 0)))
      (i32.and (i32.le_s (i32.add ${y0} (i32.const ${n})) ${H}) (i32.le_s (i32.add ${x0} (i32.const ${n})) ${W})))`;
  const pix = `(i32.shl ${C} (i32.const 2))`;
  const fast = range(n).flatMap((i) =>
    range(n).map((j) => {
      const at = `(local.set ${prefix}${n * i + j}`;
      if (i === 0 && j === 0) return `${at} (i32.add ${image} (i32.shl (i32.mul (i32.add (i32.mul ${y0} ${W}) ${x0}) ${C}) (i32.const 2))))`;
      if (j === 0) return `${at} (i32.add (local.get ${prefix}${n * (i - 1)}) (i32.mul ${W} ${pix})))`;
      return `${at} (i32.add (local.get ${prefix}${n * i + j - 1}) ${pix}))`;
    }),
  );
  const slow = range(n).flatMap((i) =>
    range(n).map(
      (j) => `(local.set ${prefix}${n * i + j} (call $wino_pixel ${image} (local.get $zeros) (i32.add ${y0} (i32.const ${i})) (i32.add ${x0} (i32.const ${j})) ${H} ${W} ${C}))`,
    ),
  );
  return `(if ${inside}
      (then ${lines(fast)})
      (else ${lines(slow)}))`;
}

/** Sets $tilesY, $tilesX from Ho, Wo (words 5, 6). */
const setTiles = (m) =>
  `(local.set $tilesY (i32.shr_u (i32.add ${ld(5)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)})))
    (local.set $tilesX (i32.shr_u (i32.add ${ld(6)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)})))`;

const TILE_LOCALS = '(local $tilesY i32) (local $tilesX i32) (local $ty i32) (local $tx i32) (local $oy i32) (local $ox i32) (local $t i32)';

function inputFields(w) {
  const { BT, m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const dLocals = range(a * a).map((e) => `(local $a${e} i32)`).join(' ');
  const tLocals = range(a)
    .flatMap((i) => range(a).map((j) => `(local $t${i}_${j} v128)`))
    .join(' ');
  const dvLocals = range(a).map((i) => `(local $d${i} v128)`).join(' ');
  const d = (i, j) => `(v128.and (v128.load (i32.add (local.get $a${a * i + j}) (local.get $cb))) (local.get $mask))`;
  // Columns first: t(·, j) = Bᵀ·d(·, j), column j's α vectors loaded once each; then V(i, ·) = t(i, ·)·B.
  // t goes through the scratch at d[29] (α² vectors), so that few values are live at once.
  const setT = lines(
    range(a).flatMap((j) => {
      const t = linear(BT, (l) => get(`$d${l}`));
      return [...range(a).map((i) => `(local.set $d${i} ${d(i, j)})`), ...t.sets, ...t.rows.map((x, i) => `(v128.store offset=${16 * (a * i + j)} (local.get $sc) ${x})`)];
    }),
  );
  const entries = range(a).map((i) => {
    const e = linear(BT, (l) => get(`$d${l}`));
    return { sets: [...range(a).map((l) => `(local.set $d${l} (v128.load offset=${16 * (a * i + l)} (local.get $sc)))`), ...e.sets], rows: e.rows };
  });
  const setAddr = windowAddresses(a, '$a', { image: '(local.get $x)', y0: '(local.get $iy)', x0: '(local.get $ix)', H: '(local.get $H)', W: '(local.get $W)', C: '(local.get $C)' });
  return `
  ;; V[ξ][t][c] = (Bᵀ d_{t,c} B)_ξ, F(${m}×${m}, ${r}×${r}), for every tile t of the image at x (task block d's geometry;
  ;; the cn channels from x of each pixel of C), into v (planes of rows·round4(cn) floats).
  (func $${name}_input (export "${name}_input") (param $d i32) (param $x i32) (param $v i32) (param $cn i32) (param $rows i32)
    (local $H i32) (local $W i32) (local $C i32) (local $zeros i32) ${TILE_LOCALS}
    (local $iy i32) (local $ix i32) (local $cb i32) (local $cend i32) (local $cend4 i32) (local $mask v128)
    (local $plane i32) (local $o i32) (local $sc i32) ${dLocals} ${FLUSH_LOCALS} ${LINEAR_LOCALS}
    ${dvLocals} ${tLocals}
    ${FLUSH_INIT}
    (local.set $sc ${ld(29)})
    (local.set $H ${ld(0)})
    (local.set $W ${ld(1)})
    (local.set $C ${ld(2)})
    (local.set $zeros ${ld(23)})
    (local.set $cend4 (i32.shl (local.get $cn) (i32.const 2)))
    (local.set $cend (i32.shl ${round4('(local.get $cn)')} (i32.const 2)))
    (memory.fill (local.get $zeros) (i32.const 0) (local.get $cend))
    ${setTiles(m)}
    ;; Bytes between V_ξ and V_ξ+1.
    (local.set $plane (call $wino_plane (local.get $rows) (local.get $cend)))
    ${tileLoops(
      m,
      `(local.set $iy (i32.sub (local.get $oy) ${ld(9)}))
        (local.set $ix (i32.sub (local.get $ox) ${ld(10)}))
        ${setAddr}
        (local.set $cb (i32.const 0))
        (block $dc (loop $lc
          (br_if $dc (i32.ge_u (local.get $cb) (local.get $cend)))
          ${setMask}
          ${setT}
          (local.set $o (i32.add (local.get $v) (i32.add (i32.mul (local.get $t) (local.get $cend)) (local.get $cb))))
          ${planeStores(entries)}
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $lc)))`,
    )})`;
}

function outputFields(w) {
  const { AT, m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const mLocals = `${range(a)
    .map((l) => `(local $m${l} v128) (local $pr${l} i32)`)
    .join(' ')} (local $aplane i32)`;
  const loads = lines(range(a).map((l) => `(local.set $pr${l} ${l === 0 ? '(local.get $o)' : `(i32.add (local.get $pr${l - 1}) (local.get $aplane))`})`));
  // s(i, j) = (Aᵀ M)(i, j), i < m; y(i, j) = (s A)(i, j).
  // Column j's α loads next to its arithmetic (V8 keeps loads in program order: hoisting all α² keeps them live),
  // from the row pointers $p0… (row l at plane α·l, advanced a plane per column).
  const setS = lines(
    range(a).flatMap((j) => {
      const t = linear(AT, (l) => get(`$m${l}`));
      const load = range(a).flatMap((l) => [`(local.set $m${l} (v128.load (local.get $pr${l})))`, j < a - 1 ? `(local.set $pr${l} (i32.add (local.get $pr${l}) (local.get $plane)))` : '']);
      return [...load, ...t.sets, ...t.rows.map((x, i) => `(v128.store offset=${16 * (a * i + j)} (local.get $sc) ${x})`)];
    }),
  );
  const sLocals = range(m)
    .flatMap((i) => range(a).map((j) => `(local $s${i}_${j} v128)`))
    .join(' ');
  // y = bias + r (the bias block in $bv), or y + r, at pixel (i, j)'s address (the sink past Ho, Wo); the lanes past kn of a last block are not stored.
  const store = (i, j, y) => `(local.set $p (i32.add (local.get $q${m * i + j}) (local.get $kb)))
            (local.set $r (f32x4.add (if (result v128) (local.get $bias) (then (local.get $bv)) (else (v128.load (local.get $p)))) ${y}))
            (if (local.get $whole) (then (v128.store (local.get $p) (local.get $r)))
              (else (call $wino_lanes (local.get $p) (local.get $r) (i32.shr_s (i32.sub (local.get $kend4) (local.get $kb)) (i32.const 2)))))`;
  const setAddr = windowAddresses(m, '$q', { image: '(local.get $y)', y0: '(local.get $oy)', x0: '(local.get $ox)', H: '(local.get $Ho)', W: '(local.get $Wo)', C: '(local.get $K)' });
  return `
  ;; y[${m}ty + i, ${m}tx + j, k] = bias[k] + (Aᵀ M_{t,k} A)_(i, j) (bias: byte address of kn floats; 0: y[…] += …), F(${m}×${m}, ${r}×${r}),
  ;; for every tile t (outputs past Ho, Wo go to the zeros d[23], which the next input transform clears), from M[ξ][t][k]
  ;; at m (planes of rows·round4(kn) floats), into the kn filters from y of each pixel of K.
  (func $${name}_output (export "${name}_output") (param $d i32) (param $m i32) (param $y i32) (param $kn i32) (param $rows i32) (param $bias i32)
    (local $Ho i32) (local $Wo i32) (local $K i32) (local $zeros i32) ${TILE_LOCALS} ${range(m * m).map((e) => `(local $q${e} i32)`).join(' ')}
    (local $kb i32) (local $kend i32) (local $kend4 i32) (local $whole i32) (local $r v128) (local $bv v128)
    (local $plane i32) (local $o i32) (local $p i32) (local $sc i32)
    ${mLocals} ${sLocals} ${LINEAR_LOCALS}
    (local.set $sc ${ld(29)})
    (local.set $Ho ${ld(5)})
    (local.set $Wo ${ld(6)})
    (local.set $K ${ld(17)})
    (local.set $zeros ${ld(23)})
    ${setTiles(m)}
    (local.set $kend4 (i32.shl (local.get $kn) (i32.const 2)))
    (local.set $kend (i32.shl ${round4('(local.get $kn)')} (i32.const 2)))
    (local.set $plane (call $wino_plane (local.get $rows) (local.get $kend)))
    (local.set $aplane (i32.mul (local.get $plane) (i32.const ${a})))
    ${tileLoops(
      m,
      `${setAddr}
        (local.set $kb (i32.const 0))
        (block $dk (loop $lk
          (br_if $dk (i32.ge_u (local.get $kb) (local.get $kend)))
          (local.set $whole (i32.le_s (i32.add (local.get $kb) (i32.const 16)) (local.get $kend4)))
          (if (local.get $bias) (then (local.set $bv (v128.load (i32.add (local.get $bias) (local.get $kb))))))
          (local.set $o (i32.add (local.get $m) (i32.add (i32.mul (local.get $t) (local.get $kend)) (local.get $kb))))
          ${loads}
          ${setS}
          ${lines(
            range(m).flatMap((i) => {
              const y = linear(AT, (l) => get(`$s${i}_${l}`));
              return [...range(a).map((l) => `(local.set $s${i}_${l} (v128.load offset=${16 * (a * i + l)} (local.get $sc)))`), ...y.sets, ...y.rows.map((x, j) => store(i, j, x))];
            }),
          )}
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $lk)))`,
    )})`;
}

/**
 * The products' kernels: C[i][0:cols] = (or +=, with `add`) Σ_{d < depth}
 * A(i, d)·B(d, 0:cols) for i < rows, B(d, j) at byte b + d·bd + 4j, C(i, j)
 * at c + i·cs + 4j, cols a multiple of 4, on the operands where the
 * transforms leave them (no packing): `$wino_product_rows` (forward and data
 * derivative) with A(i, d) at a + i·as + 4d (V or Ŷ, a row per tile),
 * `$wino_product_cols` (filter derivative) with A(i, d) at a + 4i + d·ad
 * (V's channels: one pointer for the 4 rows). Blocks of 4 rows × 8 columns
 * in 8 f32x4 accumulators (per step of d, 4 splat loads of A and 2 vector
 * loads of B; unrolling measured slower: V8 hoists the loads, so more
 * values are live), then single rows and a last 4-column panel. Each
 * element is the sum over d in order from +0, split at KC (256) steps as
 * gemm.wat's sgemm splits it (each slice's sum added to C), so these
 * products give sgemm's bits (the transforms flush subnormal operands to
 * +0, as its packing does).
 */
const KC = 256;
function productBlock(rows, vecs, mode) {
  const acc = (q, v) => `$c${q}_${v}`;
  const zero = '(v128.const i32x4 0 0 0 0)';
  const byRows = mode === 'rows';
  const step = lines([
    ...range(vecs).map((v) => `(local.set $b${v} (v128.load offset=${16 * v} (local.get $pb)))`),
    ...range(rows).flatMap((q) => [
      byRows ? `(local.set $av (v128.load32_splat (local.get $r${q})))` : `(local.set $av (v128.load32_splat offset=${4 * q} (local.get $r0)))`,
      ...range(vecs).map((v) => `(local.set ${acc(q, v)} (f32x4.add (local.get ${acc(q, v)}) (f32x4.mul (local.get $av) (local.get $b${v}))))`),
      byRows ? `(local.set $r${q} (i32.add (local.get $r${q}) (i32.const 4)))` : '',
    ]),
    byRows ? '' : '(local.set $r0 (i32.add (local.get $r0) (local.get $ad)))',
    '(local.set $pb (i32.add (local.get $pb) (local.get $bd)))',
  ]);
  const store = lines(
    range(rows).flatMap((q) => [
      `(local.set $cr (i32.add (local.get $c) (i32.add (i32.mul (i32.add (local.get $i) (i32.const ${q})) (local.get $cs)) (i32.shl (local.get $j) (i32.const 2)))))`,
      ...range(vecs).map(
        (v) => `(v128.store offset=${16 * v} (local.get $cr) (if (result v128) (local.get $sum) (then (f32x4.add (v128.load offset=${16 * v} (local.get $cr)) (local.get ${acc(q, v)}))) (else (local.get ${acc(q, v)}))))`,
      ),
    ]),
  );
  const start = byRows
    ? range(rows).map((q) => `(local.set $r${q} (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (i32.const ${q})) (local.get $as))))`)
    : ['(local.set $r0 (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))'];
  return `(local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        ${lines(start)}
        (local.set $sum (local.get $add))
        (local.set $d0 (i32.const 0))
        (loop $lk
          ${lines(range(rows).flatMap((q) => range(vecs).map((v) => `(local.set ${acc(q, v)} ${zero})`)))}
          (local.set $end (i32.add (local.get $pb) (i32.mul (call $min (i32.const ${KC}) (i32.sub (local.get $depth) (local.get $d0))) (local.get $bd))))
          (block $dz (loop $lz
            (br_if $dz (i32.ge_s (local.get $pb) (local.get $end)))
            ${step}
            (br $lz)))
          ${store}
          (local.set $sum (i32.const 1))
          (local.set $d0 (i32.add (local.get $d0) (i32.const ${KC})))
          (br_if $lk (i32.lt_s (local.get $d0) (local.get $depth))))`;
}

/** The panels of `vecs` vectors: `rows`-row blocks, then single rows. */
function productPanel(vecs, mode, rows) {
  return `(local.set $i (i32.const 0))
      (block $d4 (loop $l4
        (br_if $d4 (i32.gt_s (i32.add (local.get $i) (i32.const ${rows})) (local.get $rows)))
        ${productBlock(rows, vecs, mode)}
        (local.set $i (i32.add (local.get $i) (i32.const ${rows})))
        (br $l4)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_s (local.get $i) (local.get $rows)))
        ${productBlock(1, vecs, mode)}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l1)))`;
}

/** The blocks (rows × vectors of 4 columns) of each kernel. */
const PRODUCT_BLOCKS = { rows: [4, 2], cols: [4, 2] };

/** The kernel `$wino_product_${mode}` with blocks of `rows` × `vecs` (benchmarks compare blocks under other names). */
export const productFunction = (mode, [rows, vecs] = PRODUCT_BLOCKS[mode], name = `wino_product_${mode}`) => {
  return `
  ;; C[i][0:cols] (+)= Σ_d A(i, d)·B(d, 0:cols), A by ${mode} (see productBlock in gen-winograd.mjs); byte strides.
  (func $${name} (export "${name}") (param $a i32) (param $as i32) (param $ad i32) (param $b i32) (param $bd i32) (param $c i32) (param $cs i32)
    (param $rows i32) (param $cols i32) (param $depth i32) (param $add i32)
    (local $i i32) (local $j i32) (local $d0 i32) (local $pb i32) (local $end i32) (local $cr i32) (local $sum i32) (local $av v128)
    ${range(rows)
      .map((q) => `(local $r${q} i32)`)
      .join(' ')} ${range(vecs)
      .map((v) => `(local $b${v} v128)`)
      .join(' ')}
    ${range(rows)
      .flatMap((q) => range(vecs).map((v) => `(local $c${q}_${v} v128)`))
      .join(' ')}
    (block $d8 (loop $l8
      (br_if $d8 (i32.gt_s (i32.add (local.get $j) (i32.const ${4 * vecs})) (local.get $cols)))
      ${productPanel(vecs, mode, rows)}
      (local.set $j (i32.add (local.get $j) (i32.const ${4 * vecs})))
      (br $l8)))
    (block $dv (loop $lv
      (br_if $dv (i32.ge_s (local.get $j) (local.get $cols)))
      ${productPanel(1, mode, rows)}
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $lv))))`;
};

const productField = () => `${productFunction('rows')}
${productFunction('cols')}`;

/** The call of `$wino_product_${mode}` (byte addresses and strides as WAT expressions; `rows` mode ignores ad: 4). */
const product = (mode, { a, as, ad, b, bd, c, cs, rows, cols, depth, add }) =>
  `(call $wino_product_${mode} ${a} ${as} ${ad} ${b} ${bd} ${c} ${cs} ${rows} ${cols} ${depth} ${typeof add === 'number' ? `(i32.const ${add})` : add})`;

/**
 * The two sides of a batch of images in the task block: the images x or dx
 * (d[18]; cg channels a group, their tiles' α² planes at V = d[22], rows of
 * round4(cg)) and the outputs y or dy (d[20]; kg filters a group, planes at
 * M = d[24], rows of round4(kg)).
 */
const IMAGE_SIDE = { bytes: '$imageBytes', chans: '$cg', buf: '$v', pad: '$cp' };
const OUTPUT_SIDE = { bytes: '$outBytes', chans: '$kg', buf: '$m', pad: '$kp' };

/**
 * A task op over the task block's d[19] images, d[30] at a time, per group:
 * `read` (one image's side into its planes, per image), the α² products
 * stored into the other side's planes (U_ξ at d[21] in the layout of this op,
 * see `filterLayout` in conv-winograd.ts), then `write` (per image, from
 * those planes into the other side, with `writeBias` its last argument). The forward reads the images and writes the outputs; the data
 * derivative the other way round.
 */
function imagesLoopField(w, { exportName, comment, locals, from, read, write, writeBias }) {
  const { m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const [src, dst] = from === 'images' ? [IMAGE_SIDE, OUTPUT_SIDE] : [OUTPUT_SIDE, IMAGE_SIDE];
  const ptr = (side) => (side === IMAGE_SIDE ? locals[0] : locals[1]);
  const image = (side) => `(i32.add (i32.add (local.get ${ptr(side)}) (i32.mul (local.get $j) (local.get ${side.bytes}))) (i32.shl (i32.mul (local.get $g) (local.get ${side.chans})) (i32.const 2)))`;
  const planes = (side) => `(i32.add (local.get ${side.buf}) (i32.shl (i32.mul (i32.mul (local.get $j) (local.get $T)) (local.get ${side.pad})) (i32.const 2)))`;
  const plane = (side) => `(i32.add (local.get ${side.buf}) (i32.mul (local.get $xi) (call $wino_plane (local.get $rows) (i32.shl (local.get ${side.pad}) (i32.const 2)))))`;
  return `
${comment}
  (func (export "${name}_${exportName}") (param $d i32)
    (local $n i32) (local $b i32) (local $j i32) (local $g i32) (local $xi i32) (local ${locals[0]} i32) (local ${locals[1]} i32)
    (local $cg i32) (local $kg i32) (local $cp i32) (local $kp i32) (local $T i32) (local $rows i32)
    (local $v i32) (local $m i32) (local $u i32) (local $us i32) (local $imageBytes i32) (local $outBytes i32)
    (local.set $cg ${ld(14)})
    (local.set $kg ${ld(16)})
    (local.set $cp ${round4('(local.get $cg)')})
    (local.set $kp ${round4('(local.get $kg)')})
    (local.set $T (i32.mul (i32.shr_u (i32.add ${ld(5)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)}))
                           (i32.shr_u (i32.add ${ld(6)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)}))))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul ${ld(0)} ${ld(1)}) ${ld(2)}) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (i32.mul ${ld(5)} ${ld(6)}) ${ld(17)}) (i32.const 2)))
    (local.set $v ${ld(22)})
    (local.set $m ${ld(24)})
    (local.set ${locals[0]} ${ld(18)})
    (local.set ${locals[1]} ${ld(20)})
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) ${ld(19)}))
      (local.set $b (call $min ${ld(30)} (i32.sub ${ld(19)} (local.get $n))))
      (local.set $rows (i32.mul (local.get $b) (local.get $T)))
      (local.set $g (i32.const 0))
      (block $dg (loop $lg
        (br_if $dg (i32.ge_s (local.get $g) ${ld(15)}))
        (local.set $j (i32.const 0))
        (block $dj (loop $lj
          (br_if $dj (i32.ge_s (local.get $j) (local.get $b)))
          (call $${name}_${read} (local.get $d) ${image(src)} ${planes(src)} (local.get ${src.chans}) (local.get $rows))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $lj)))
        ;; U_{g,ξ} (src.chans rows of $us floats: conv-winograd.ts's layout for this op).
        (local.set $us (call $wino_row (local.get ${dst.pad})))
        (local.set $u (i32.add ${ld(21)} (i32.shl (i32.mul (i32.mul (i32.mul (local.get $g) (i32.const ${a * a})) (local.get ${src.chans})) (local.get $us)) (i32.const 2))))
        (local.set $xi (i32.const 0))
        (block $dxi (loop $lxi
          (br_if $dxi (i32.ge_s (local.get $xi) (i32.const ${a * a})))
          ${product('rows', {
            a: plane(src),
            as: `(i32.shl (local.get ${src.pad}) (i32.const 2))`,
            ad: '(i32.const 4)',
            b: `(i32.add (local.get $u) (i32.shl (i32.mul (i32.mul (local.get $xi) (local.get ${src.chans})) (local.get $us)) (i32.const 2)))`,
            bd: '(i32.shl (local.get $us) (i32.const 2))',
            c: plane(dst),
            cs: `(i32.shl (local.get ${dst.pad}) (i32.const 2))`,
            rows: '(local.get $rows)',
            cols: `(local.get ${dst.pad})`,
            depth: `(local.get ${src.chans})`,
            add: 0,
          })}
          (local.set $xi (i32.add (local.get $xi) (i32.const 1)))
          (br $lxi)))
        (local.set $j (i32.const 0))
        (block $dj2 (loop $lj2
          (br_if $dj2 (i32.ge_s (local.get $j) (local.get $b)))
          (call $${name}_${write} (local.get $d) ${planes(dst)} ${image(dst)} (local.get ${dst.chans}) (local.get $rows)${writeBias ? ` ${writeBias}` : ''})
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $lj2)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $lg)))
      (local.set ${locals[0]} (i32.add (local.get ${locals[0]}) (i32.mul (local.get $b) (local.get $imageBytes))))
      (local.set ${locals[1]} (i32.add (local.get ${locals[1]}) (i32.mul (local.get $b) (local.get $outBytes))))
      (local.set $n (i32.add (local.get $n) (local.get $b)))
      (br $ln))))`;
}

function imagesField(w) {
  const { m, r } = w;
  const a = m + r - 1;
  return imagesLoopField(w, {
    exportName: 'images',
    comment: `  ;; y_i += conv(x_i, g) for the task block's d[19] images by Winograd F(${m}×${m}, ${r}×${r}), d[30] images at a time: per
  ;; group, V = input transform of those images (their tiles one after another), M_ξ = V_ξ·U_ξ (${a * a} products),
  ;; then each image's y_i = bias + (or y_i +=) output transform of its rows of M.`,
    locals: ['$x', '$y'],
    from: 'images',
    read: 'input',
    write: 'output',
    // The bias (d[31], byte address) for group g's filters, or 0 (y added to).
    writeBias: `(if (result i32) ${ld(31)} (then (i32.add ${ld(31)} (i32.shl (i32.mul (local.get $g) (local.get $kg)) (i32.const 2)))) (else (i32.const 0)))`,
  });
}

/** The module fields of the Winograd convolutions of `WINOGRAD` (spliced into gemm.wat; they use its $ld and $min). */
export function winogradFields() {
  return `
  ;; ---- generated by scripts/gen-winograd.mjs: Winograd F(2×2, 3×3), F(4×4, 3×3) and F(2×2, 5×5) convolutions ----
  ;; Byte address of pixel (iy, ix) of the image at x (C channels), or of the zeros outside the image.
  (func $wino_pixel (param $x i32) (param $zeros i32) (param $iy i32) (param $ix i32) (param $H i32) (param $W i32) (param $C i32) (result i32)
    (if (result i32) (i32.and (i32.lt_u (local.get $iy) (local.get $H)) (i32.lt_u (local.get $ix) (local.get $W)))
      (then (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (i32.const 2))))
      (else (local.get $zeros))))
${productField()}
  ;; Bytes from one plane ξ of V, M or Ŷ to the next for rows rows of rowBytes: rounded up to an odd number of
  ;; 64-byte lines, so that the α² planes' vectors of one tile fall in different L1 sets (at rows·rowBytes, a multiple or
  ;; near-multiple of 4 KiB, the 64 stores of a tile shared 4 sets: LeNet's conv2 transforms ran up to 2.3× slower).
  (func $wino_plane (param $rows i32) (param $rowBytes i32) (result i32)
    (i32.shl (i32.or (i32.shr_u (i32.add (i32.mul (local.get $rows) (local.get $rowBytes)) (i32.const 63)) (i32.const 6)) (i32.const 1)) (i32.const 6)))
  ;; Floats per row of the forward's U (n = round4(kg)) or the data derivative's Uᵀ (n = round4(cg)), the products' B:
  ;; 16 more where 4n is a multiple of 128 bytes, so that B's rows (read a column panel at a time) do not share a few
  ;; L1 sets (AlexNet's 192: rows 12 lines apart fell in 16 sets).
  (func $wino_row (param $n i32) (result i32)
    (i32.add (local.get $n) (select (i32.const 16) (i32.const 0) (i32.eqz (i32.and (local.get $n) (i32.const 31))))))
  ;; p[l] = r[l] for the lanes l < n (n < 4) of a last block.
  (func $wino_lanes (param $p i32) (param $r v128) (param $n i32)
    (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $r)))
    (if (i32.gt_s (local.get $n) (i32.const 1)) (then (f32.store offset=4 (local.get $p) (f32x4.extract_lane 1 (local.get $r)))))
    (if (i32.gt_s (local.get $n) (i32.const 2)) (then (f32.store offset=8 (local.get $p) (f32x4.extract_lane 2 (local.get $r))))))
  ;; The filter derivative's products: for the task's pairs e = g·α² + ξ in [d[13], d[28]),
  ;; Û_e += V_eᵀ·Ŷ_e (cg × round4(kg), rows of round4(kg)) over the d[19] images of R = d[30] rows (T = R / d[19] each),
  ;; d[31] images per sum.
  (func (export "winograd_filter_products_task") (param $d i32)
    (call $winograd_filter_products (local.get $d) (i32.const 1)))
  ;; S = Σ_{p < d[19]} P_p at d[21], or S += that where d[31] is 1, the sum from +0 (or S) adding P_0, P_1, … in order,
  ;; for the floats [4·d[13], 4·d[28]) of the partials P_p at d[22] + p·d[27] bytes (the filter
  ;; derivatives' per-batch sums: \`<name>_filter_batches_task\`, \`conv_direct_filter_batches_task\`): the bits of
  ;; adding each batch's sum into S in turn.
  (func (export "partials_sum_task") (param $d i32)
    (local $i i32) (local $end i32) (local $p i32) (local $n i32) (local $q i32) (local $u i32) (local $stride i32) (local $acc v128)
    (local.set $i (i32.shl ${ld(13)} (i32.const 4)))
    (local.set $end (i32.shl ${ld(28)} (i32.const 4)))
    (local.set $n ${ld(19)})
    (local.set $stride ${ld(27)})
    (block $di (loop $li
      (br_if $di (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $u (i32.add ${ld(21)} (local.get $i)))
      (local.set $acc (if (result v128) ${ld(31)} (then (v128.load (local.get $u))) (else (v128.const i32x4 0 0 0 0))))
      (local.set $q (i32.add ${ld(22)} (local.get $i)))
      (local.set $p (i32.const 0))
      (block $dp (loop $lp
        (br_if $dp (i32.ge_s (local.get $p) (local.get $n)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $q))))
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $lp)))
      (v128.store (local.get $u) (local.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $li))))
  ;; \`winograd_filter_products_task\`, storing each pair's first sum where add is 0 (else adding into Û).
  (func $winograd_filter_products (param $d i32) (param $add i32)
    (local $e i32) (local $more i32) (local $cg i32) (local $kg i32) (local $cp i32) (local $kp i32) (local $R i32) (local $T i32)
    (local $n i32) (local $b i32) (local $pv i32) (local $pm i32)
    (local.set $cg ${ld(14)})
    (local.set $kg ${ld(16)})
    (local.set $cp ${round4('(local.get $cg)')})
    (local.set $kp ${round4('(local.get $kg)')})
    (local.set $R ${ld(30)})
    (local.set $T (i32.div_u (local.get $R) ${ld(19)}))
    (local.set $pv (call $wino_plane (local.get $R) (i32.shl (local.get $cp) (i32.const 2))))
    (local.set $pm (call $wino_plane (local.get $R) (i32.shl (local.get $kp) (i32.const 2))))
    (local.set $e ${ld(13)})
    (block $de (loop $le
      (br_if $de (i32.ge_s (local.get $e) ${ld(28)}))
      (local.set $n (i32.const 0))
      (local.set $more (local.get $add))
      (block $dn (loop $ln
        (br_if $dn (i32.ge_s (local.get $n) ${ld(19)}))
        (local.set $b (call $min ${ld(31)} (i32.sub ${ld(19)} (local.get $n))))
        ${product('cols', {
          a: `(i32.add (i32.add ${ld(22)} (i32.mul (local.get $e) (local.get $pv))) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $T)) (local.get $cp)) (i32.const 2)))`,
          as: '(i32.const 4)',
          ad: '(i32.shl (local.get $cp) (i32.const 2))',
          b: `(i32.add (i32.add ${ld(24)} (i32.mul (local.get $e) (local.get $pm))) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $T)) (local.get $kp)) (i32.const 2)))`,
          bd: '(i32.shl (local.get $kp) (i32.const 2))',
          c: `(i32.add ${ld(21)} (i32.shl (i32.mul (i32.mul (local.get $e) (local.get $cg)) (local.get $kp)) (i32.const 2)))`,
          cs: '(i32.shl (local.get $kp) (i32.const 2))',
          rows: '(local.get $cg)',
          cols: '(local.get $kp)',
          depth: '(i32.mul (local.get $b) (local.get $T))',
          add: '(local.get $more)',
        })}
        (local.set $more (i32.const 1))
        (local.set $n (i32.add (local.get $n) (local.get $b)))
        (br $ln)))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $le))))
${Object.values(WINOGRAD)
  .map((w) => `${inputFields(w)}\n${outputFields(w)}\n${imagesField(w)}\n${filterFields(w)}\n${dataFields(w)}\n${filterTransformField(w)}\n${filterAdjointField(w)}`)
  .join('\n')}
`;
}

/**
 * The filter derivative's transforms (dg = Σ_t Gᵀ[(A dy_t Aᵀ) ⊙ (Bᵀ d_t B)]G,
 * the adjoint of the forward in g): Ŷ[ξ][t][k] = (A·dy_t·Aᵀ)_ξ, dy_t the m × m
 * block of dy at (m·ty, m·tx) (zeros past Ho, Wo), and a task op building V
 * and Ŷ of each of its images and groups (V[g][ξ][row][cp] and Ŷ[g][ξ][row][kp],
 * R = d[30] rows in all, the task's first image at row 0 of d[22] and d[24]); the
 * products (`winograd_filter_products_task`) and the G transform are conv-winograd.ts's.
 */
function filterFields(w) {
  const { AT, m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const A = range(a).map((i) => range(m).map((j) => AT[j][i]));
  const pLocals = range(m * m).map((e) => `(local $q${e} i32)`).join(' ');
  const sLocals = range(a)
    .flatMap((i) => range(m).map((j) => `(local $s${i}_${j} v128)`))
    .join(' ');
  const dyv = range(m * m).map((e) => `(local $e${e} v128)`).join(' ');
  const setAddr = windowAddresses(m, '$q', { image: '(local.get $dy)', y0: '(local.get $oy)', x0: '(local.get $ox)', H: '(local.get $Ho)', W: '(local.get $Wo)', C: '(local.get $K)' });
  // dy's subnormals flushed as it is loaded (16 vectors a tile, not Ŷ's 64: Ŷ is subnormal only where dy is within some 20 binades of them).
  const loads = lines(range(m * m).map((e) => `(local.set $e${e} ${flushVector(`(v128.and (v128.load (i32.add (local.get $q${e}) (local.get $cb))) (local.get $mask))`)})`));
  const setS = lines(
    range(m).flatMap((j) => {
      const t = linear(A, (l) => get(`$e${m * l + j}`));
      return [...t.sets, ...t.rows.map((x, i) => `(v128.store offset=${16 * (m * i + j)} (local.get $sc) ${x})`)];
    }),
  );
  // s goes through the scratch at d[29] (α·m vectors), so that few values are live at once.
  const entries = range(a).map((i) => {
    const e = linear(A, (l) => get(`$s${i}_${l}`));
    return { sets: [...range(m).map((l) => `(local.set $s${i}_${l} (v128.load offset=${16 * (m * i + l)} (local.get $sc)))`), ...e.sets], rows: e.rows };
  });
  return `
  ;; Ŷ[ξ][t][k] = (A dy_t Aᵀ)_ξ, F(${m}×${m}, ${r}×${r}), for every tile t of the dy image at dy (Ho × Wo, the kn filters from dy
  ;; of each pixel of K), into out (planes of rows·round4(kn) floats).
  (func $${name}_dy (export "${name}_dy") (param $d i32) (param $dy i32) (param $out i32) (param $kn i32) (param $rows i32)
    (local $Ho i32) (local $Wo i32) (local $K i32) (local $zeros i32) ${TILE_LOCALS}
    (local $cb i32) (local $cend i32) (local $cend4 i32) (local $mask v128)
    (local $plane i32) (local $o i32) (local $sc i32) ${pLocals} ${dyv} ${sLocals} ${FLUSH_LOCALS} ${LINEAR_LOCALS}
    ${FLUSH_INIT}
    (local.set $sc ${ld(29)})
    (local.set $Ho ${ld(5)})
    (local.set $Wo ${ld(6)})
    (local.set $K ${ld(17)})
    (local.set $zeros ${ld(23)})
    (local.set $cend4 (i32.shl (local.get $kn) (i32.const 2)))
    (local.set $cend (i32.shl ${round4('(local.get $kn)')} (i32.const 2)))
    (memory.fill (local.get $zeros) (i32.const 0) (local.get $cend))
    ${setTiles(m)}
    (local.set $plane (call $wino_plane (local.get $rows) (local.get $cend)))
    ${tileLoops(
      m,
      `${setAddr}
        (local.set $cb (i32.const 0))
        (block $dk (loop $lk
          (br_if $dk (i32.ge_u (local.get $cb) (local.get $cend)))
          ${setMask}
          ${loads}
          ${setS}
          (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $t) (local.get $cend)) (local.get $cb))))
          ${planeStores(entries, false)}
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $lk)))`,
    )})

  ;; V and Ŷ of the task block's d[19] images (x at d[18], dy at d[20]) and every group, into d[22] and d[24].
  (func $${name}_filter_images (export "${name}_filter_images") (param $d i32)
    (local $n i32) (local $g i32) (local $x i32) (local $dy i32) (local $imageBytes i32) (local $outBytes i32)
    (local $cg i32) (local $kg i32) (local $cp i32) (local $kp i32) (local $T i32) (local $R i32) (local $pv i32) (local $pm i32)
    (local.set $cg ${ld(14)})
    (local.set $kg ${ld(16)})
    (local.set $cp ${round4('(local.get $cg)')})
    (local.set $kp ${round4('(local.get $kg)')})
    (local.set $R ${ld(30)})
    (local.set $T (i32.mul (i32.shr_u (i32.add ${ld(5)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)}))
                           (i32.shr_u (i32.add ${ld(6)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)}))))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul ${ld(0)} ${ld(1)}) ${ld(2)}) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (i32.mul ${ld(5)} ${ld(6)}) ${ld(17)}) (i32.const 2)))
    (local.set $pv (call $wino_plane (local.get $R) (i32.shl (local.get $cp) (i32.const 2))))
    (local.set $pm (call $wino_plane (local.get $R) (i32.shl (local.get $kp) (i32.const 2))))
    (local.set $x ${ld(18)})
    (local.set $dy ${ld(20)})
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) ${ld(19)}))
      (local.set $g (i32.const 0))
      (block $dg (loop $lg
        (br_if $dg (i32.ge_s (local.get $g) ${ld(15)}))
        ;; This image's first tile (row n·T) in group g's first plane (planes g·α² on).
        (call $${name}_input (local.get $d) (i32.add (local.get $x) (i32.shl (i32.mul (local.get $g) (local.get $cg)) (i32.const 2)))
          (i32.add (i32.add ${ld(22)} (i32.mul (i32.mul (local.get $g) (i32.const ${a * a})) (local.get $pv))) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $T)) (local.get $cp)) (i32.const 2)))
          (local.get $cg) (local.get $R))
        (call $${name}_dy (local.get $d) (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $g) (local.get $kg)) (i32.const 2)))
          (i32.add (i32.add ${ld(24)} (i32.mul (i32.mul (local.get $g) (i32.const ${a * a})) (local.get $pm))) (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $T)) (local.get $kp)) (i32.const 2)))
          (local.get $kg) (local.get $R))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $lg)))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $dy (i32.add (local.get $dy) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  ;; Batches [d[13], d[28]) of d[30] images each (of the d[26] images from x at d[18], dy at d[20]): per batch, its V and
  ;; Ŷ (\`_filter_images\` into this thread's d[22], d[24]) and its partial P_u = Σ over its tiles of V_eᵀ·Ŷ_e for every
  ;; pair e (stored, not added: P_u at d[21] + u·d[27] bytes), through a copy of the block at d[25].
  (func (export "${name}_filter_batches_task") (param $d i32)
    (local $u i32) (local $e i32) (local $b i32) (local $B i32) (local $T i32) (local $imageBytes i32) (local $outBytes i32)
    (local.set $e ${ld(25)})
    (local.set $B ${ld(30)})
    (local.set $T (i32.mul (i32.shr_u (i32.add ${ld(5)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)}))
                           (i32.shr_u (i32.add ${ld(6)} (i32.const ${m - 1})) (i32.const ${Math.log2(m)}))))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul ${ld(0)} ${ld(1)}) ${ld(2)}) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (i32.mul ${ld(5)} ${ld(6)}) ${ld(17)}) (i32.const 2)))
    (local.set $u ${ld(13)})
    (block $du (loop $lu
      (br_if $du (i32.ge_s (local.get $u) ${ld(28)}))
      (local.set $b (call $min (local.get $B) (i32.sub ${ld(26)} (i32.mul (local.get $u) (local.get $B)))))
      (memory.copy (local.get $e) (local.get $d) (i32.const ${4 * 32}))
      (i32.store offset=${4 * 18} (local.get $e) (i32.add ${ld(18)} (i32.mul (i32.mul (local.get $u) (local.get $B)) (local.get $imageBytes))))
      (i32.store offset=${4 * 20} (local.get $e) (i32.add ${ld(20)} (i32.mul (i32.mul (local.get $u) (local.get $B)) (local.get $outBytes))))
      (i32.store offset=${4 * 19} (local.get $e) (local.get $b))
      (i32.store offset=${4 * 30} (local.get $e) (i32.mul (local.get $b) (local.get $T)))
      (call $${name}_filter_images (local.get $e))
      (i32.store offset=${4 * 13} (local.get $e) (i32.const 0))
      (i32.store offset=${4 * 28} (local.get $e) (i32.mul ${ld(15)} (i32.const ${a * a})))
      (i32.store offset=${4 * 21} (local.get $e) (i32.add ${ld(21)} (i32.mul (local.get $u) ${ld(27)})))
      (i32.store offset=${4 * 31} (local.get $e) (local.get $b))
      (call $winograd_filter_products (local.get $e) (i32.const 0))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))
      (br $lu))))`;
}

/**
 * The data derivative as the forward's adjoint in d: dd_t = B·[Σ_k U_{c,k} ⊙
 * (A dy_t Aᵀ)]·Bᵀ, each α × α window added into dx where it lies inside the
 * image (overlapping windows in tile order). Ŷ is the filter derivative's
 * transform (`_dy`); the sums over filters W_ξ = Ŷ_ξ·U_ξᵀ are α² products.
 */
function dataFields(w) {
  const { BT, m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const wLocals = range(a).map((e) => `(local $w${e} v128)`).join(' ');
  const sLocals = range(a)
    .flatMap((i) => range(a).map((j) => `(local $s${i}_${j} v128)`))
    .join(' ');
  const aLocals = range(a * a).map((e) => `(local $a${e} i32)`).join(' ');
  const col = (j) => range(a).map((q) => BT[q][j]);
  // s(p, j) = (W B)(p, j) = Σ_q W(p, q)·Bᵀ[q][j]; dd(i, j) = (B s)(i, j) = Σ_p Bᵀ[p][i]·s(p, j).
  const B = range(a).map(col);
  const setS = lines(
    range(a).flatMap((p) => {
      // Row p's α loads (in plane order) next to its arithmetic, as in the output transform.
      const t = linear(B, (q) => get(`$w${q}`));
      const load = range(a).flatMap((q) => [`(local.set $w${q} (v128.load (local.get $o)))`, a * p + q < a * a - 1 ? '(local.set $o (i32.add (local.get $o) (local.get $plane)))' : '']);
      return [...load, ...t.sets, ...t.rows.map((x, j) => `(v128.store offset=${16 * (a * j + p)} (local.get $sc) ${x})`)];
    }),
  );
  const setAddr = windowAddresses(a, '$a', { image: '(local.get $dx)', y0: '(local.get $iy)', x0: '(local.get $ix)', H: '(local.get $H)', W: '(local.get $W)', C: '(local.get $C)' });
  const adds = lines(
    range(a).flatMap((j) => {
      const dd = linear(B, (q) => get(`$s${q}_${j}`));
      return [
        ...range(a).map((q) => `(local.set $s${q}_${j} (v128.load offset=${16 * (a * j + q)} (local.get $sc)))`),
        ...dd.sets,
        ...dd.rows.map((x, i) => {
          // The first window holding pixel (i, j) of this one is this one (rows past the previous tile's window, or the first tile row;
          // columns alike): dx = +0 + r there (dx is not zeroed first), else dx += r.
          const first = [i < a - m ? '(local.get $fy)' : '', j < a - m ? '(local.get $fx)' : ''].filter((c) => c !== '');
          const zero = '(v128.const i32x4 0 0 0 0)';
          const base =
            first.length === 0 ? zero : `(if (result v128) ${first.length === 2 ? `(i32.and ${first[0]} ${first[1]})` : first[0]} (then ${zero}) (else (v128.load (local.get $p))))`;
          return `(local.set $p (i32.add (local.get $a${a * i + j}) (local.get $cb))) (local.set $r (f32x4.add ${base} ${x}))
          (if (local.get $whole) (then (v128.store (local.get $p) (local.get $r)))
            (else (call $wino_lanes (local.get $p) (local.get $r) (i32.shr_s (i32.sub (local.get $cend4) (local.get $cb)) (i32.const 2)))))`;
        }),
      ];
    }),
  );
  return `
  ;; dx[window of t] += (B W_{t,c} Bᵀ), F(${m}×${m}, ${r}×${r}), for every tile t in order, each pixel's first window storing
  ;; +0 + … (dx needs no zeroing: the windows cover the image), pixels outside the image to the zeros, which the next
  ;; transform clears; from W[ξ][t][c] at w (planes of rows·round4(cn) floats), into the cn channels from dx of each pixel of C.
  (func $${name}_input_adjoint (export "${name}_input_adjoint") (param $d i32) (param $w i32) (param $dx i32) (param $cn i32) (param $rows i32)
    (local $H i32) (local $W i32) (local $C i32) (local $zeros i32) ${TILE_LOCALS}
    (local $iy i32) (local $ix i32) (local $cb i32) (local $cend i32) (local $cend4 i32) (local $whole i32) (local $r v128)
    (local $plane i32) (local $o i32) (local $p i32) (local $sc i32) (local $fy i32) (local $fx i32) ${aLocals}
    ${wLocals} ${sLocals} ${LINEAR_LOCALS}
    (local.set $sc ${ld(29)})
    (local.set $H ${ld(0)})
    (local.set $W ${ld(1)})
    (local.set $C ${ld(2)})
    (local.set $zeros ${ld(23)})
    (local.set $cend4 (i32.shl (local.get $cn) (i32.const 2)))
    (local.set $cend (i32.shl ${round4('(local.get $cn)')} (i32.const 2)))
    ${setTiles(m)}
    (local.set $plane (call $wino_plane (local.get $rows) (local.get $cend)))
    ${tileLoops(
      m,
      `(local.set $iy (i32.sub (local.get $oy) ${ld(9)}))
        (local.set $ix (i32.sub (local.get $ox) ${ld(10)}))
        (local.set $fy (i32.eqz (local.get $ty)))
        (local.set $fx (i32.eqz (local.get $tx)))
        ${setAddr}
        (local.set $cb (i32.const 0))
        (block $dc (loop $lc
          (br_if $dc (i32.ge_u (local.get $cb) (local.get $cend)))
          (local.set $whole (i32.le_s (i32.add (local.get $cb) (i32.const 16)) (local.get $cend4)))
          (local.set $o (i32.add (local.get $w) (i32.add (i32.mul (local.get $t) (local.get $cend)) (local.get $cb))))
          ${setS}
          ${adds}
          (local.set $cb (i32.add (local.get $cb) (i32.const 16)))
          (br $lc)))`,
    )})

  ${imagesLoopField(w, {
    exportName: 'data_images',
    comment: `  ;; dx_i += the data derivative of the task block's d[19] images by Winograd F(${m}×${m}, ${r}×${r}) (dx at d[18], dy at d[20]),
  ;; d[30] images at a time: per group, Ŷ = A dy Aᵀ of those images, W_ξ = Ŷ_ξ·U_ξᵀ (${a * a} products into d[22]),
  ;; then each image's dx_i += its windows B W Bᵀ.`,
    locals: ['$dx', '$dy'],
    from: 'outputs',
    read: 'dy',
    write: 'input_adjoint',
  })}`;
}

/**
 * The filters' transform U = G·g·Gᵀ in float64 (f64x2, two filters at a
 * time, rounded once to float32), as a task over channels: U[g][ξ][c][k] for
 * c in [d[13], d[28]) of the `[r, r, cg, K]` float32 filters at d[18] (group
 * g's filters the columns from g·kg), into d[21]. Reads one float past an
 * odd K's last filter; a lane past K is stored to d[23].
 */
function filterTransformField(w) {
  const { G, m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const fLocals = range(r * r).map((e) => `(local $f${e} v128)`).join(' ');
  const tLocals = range(a * r).map((e) => `(local $t${e} v128)`).join(' ');
  const loads = lines(range(r * r).flatMap((e) => [`(local.set $f${e} (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))`, e < r * r - 1 ? '(local.set $p (i32.add (local.get $p) (local.get $tap)))' : '']).filter((x) => x !== ''));
  // t(i, x) = Σ_y G[i][y]·f(y, x); U(i, j) = Σ_x G[j][x]·t(i, x).
  const setT = lines(range(a).flatMap((i) => range(r).map((x) => `(local.set $t${r * i + x} ${combine(G[i], (y) => get(`$f${r * y + x}`), 'f64x2')})`)));
  const stores = lines(
    range(a).flatMap((i) =>
      range(a).map((j) => {
        const xi = a * i + j;
        const at = (b, plane) => `(i32.add (local.get ${b}) (i32.mul (local.get ${plane}) (i32.const ${xi})))`;
        return `(local.set $v ${flushVector(`(f32x4.demote_f64x2_zero ${combine(G[j], (x) => get(`$t${r * i + x}`), 'f64x2')})`)})
          (v128.store32_lane 0 ${at('$b0', '$plane')} (local.get $v)) (v128.store32_lane 1 ${at('$b1', '$plane1')} (local.get $v))`;
      }),
    ),
  );
  // Element (g, ξ, c, o) of the task's layout at u + 4·((g·α² + ξ)·P + c·sc + o·so): P, sc, so = d[24], d[30], d[31].
  const laneBase = (o, b) => `(local.set $g (i32.div_u ${o} (local.get $kg)))
        (local.set ${b} (i32.add (local.get $u) (i32.shl (i32.add (i32.mul (i32.mul (local.get $g) (i32.const ${a * a})) ${ld(24)})
          (i32.add (i32.mul (local.get $c) ${ld(30)}) (i32.mul (i32.sub ${o} (i32.mul (local.get $g) (local.get $kg))) ${ld(31)}))) (i32.const 2))))`;
  return `
  ;; U = G g Gᵀ of F(${m}×${m}, ${r}×${r}) in float64 for the task's channels [d[13], d[28]), or with d[19] = 1 for every
  ;; channel and the task's filter pairs [d[13], d[28]) (see filterTransformField in gen-winograd.mjs).
  (func (export "${name}_filter_transform_task") (param $d i32)
    (local $c i32) (local $cEnd i32) (local $o0 i32) (local $oEnd i32)
    (local $o i32) (local $K i32) (local $cg i32) (local $kg i32) (local $u i32) (local $g i32)
    (local $tap i32) (local $plane i32) (local $plane1 i32) (local $p i32) (local $b0 i32) (local $b1 i32) (local $v v128) ${FLUSH_LOCALS} ${fLocals} ${tLocals}
    (local.set $K ${ld(17)})
    (local.set $cg ${ld(14)})
    (local.set $kg ${ld(16)})
    (local.set $u ${ld(21)})
    (local.set $tap (i32.shl (i32.mul (local.get $cg) (local.get $K)) (i32.const 2)))
    (local.set $plane (i32.shl ${ld(24)} (i32.const 2)))
    ${FLUSH_INIT}
    (if ${ld(19)}
      (then
        (local.set $cEnd (local.get $cg))
        (local.set $o0 (i32.shl ${ld(13)} (i32.const 1)))
        (local.set $oEnd (call $min (local.get $K) (i32.shl ${ld(28)} (i32.const 1)))))
      (else
        (local.set $c ${ld(13)})
        (local.set $cEnd ${ld(28)})
        (local.set $oEnd (local.get $K))))
    (block $dc (loop $lc
      (br_if $dc (i32.ge_s (local.get $c) (local.get $cEnd)))
      (local.set $o (local.get $o0))
      (block $do (loop $lo
        (br_if $do (i32.ge_s (local.get $o) (local.get $oEnd)))
        (local.set $p (i32.add ${ld(18)} (i32.shl (i32.add (i32.mul (local.get $c) (local.get $K)) (local.get $o)) (i32.const 2))))
        ${loads}
        ${setT}
        ${laneBase('(local.get $o)', '$b0')}
        (if (i32.lt_s (i32.add (local.get $o) (i32.const 1)) (local.get $K))
          (then ${laneBase('(i32.add (local.get $o) (i32.const 1))', '$b1')} (local.set $plane1 (local.get $plane)))
          ;; Past K: every store of lane 1 goes to the sink.
          (else (local.set $b1 ${ld(23)}) (local.set $plane1 (i32.const 0))))
        ${stores}
        (local.set $o (i32.add (local.get $o) (i32.const 2)))
        (br $lo)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $lc))))`;
}

/**
 * The filter derivative's last step, df = Gᵀ·Û·G in float64 (f64x2, two
 * filters of a group at a time, rounded once to float32), as a task over
 * channels: df[y][x][c][g·kg + o] = Σ_i G[i][y]·Σ_j G[j][x]·Û[g][αi + j][c][o]
 * for c in [d[13], d[28]), Û at d[21] (float32 Û[g][ξ][c][o], rows of round4(kg)), df
 * (`[r, r, cg, K]`) at d[18].
 */
function filterAdjointField(w) {
  const { G, m, r } = w;
  const a = m + r - 1;
  const name = winogradName(m, r);
  const col = (x) => G.map((row) => row[x]);
  const mLocals = range(a * a).map((e) => `(local $m${e} v128)`).join(' ');
  const sLocals = range(a * r).map((e) => `(local $s${e} v128)`).join(' ');
  const loads = lines(range(a * a).flatMap((e) => [`(local.set $m${e} (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $p))))`, e < a * a - 1 ? '(local.set $p (i32.add (local.get $p) (local.get $plane)))' : '']).filter((x) => x !== ''));
  // s(i, x) = Σ_j Û(i, j)·G[j][x]; df(y, x) = Σ_i G[i][y]·s(i, x).
  const setS = lines(range(a).flatMap((i) => range(r).map((x) => `(local.set $s${r * i + x} ${combine(col(x), (j) => get(`$m${a * i + j}`), 'f64x2')})`)));
  const stores = lines(
    range(r).flatMap((y) =>
      range(r).map(
        (x) => `(local.set $v (f32x4.demote_f64x2_zero ${combine(col(y), (i) => get(`$s${r * i + x}`), 'f64x2')}))
          (local.set $q (i32.add (local.get $out) (i32.mul (local.get $tap) (i32.const ${r * y + x}))))
          (if (local.get $pair) (then (v128.store64_lane 0 (local.get $q) (local.get $v))) (else (v128.store32_lane 0 (local.get $q) (local.get $v))))`,
      ),
    ),
  );
  return `
  ;; df = Gᵀ Û G of F(${m}×${m}, ${r}×${r}) in float64 for the task's channels (see filterAdjointField in gen-winograd.mjs).
  (func (export "${name}_filter_adjoint_task") (param $d i32)
    (local $g i32) (local $c i32) (local $o i32) (local $K i32) (local $cg i32) (local $kg i32) (local $kp i32) (local $pair i32)
    (local $tap i32) (local $plane i32) (local $p i32) (local $q i32) (local $out i32) (local $v v128) ${mLocals} ${sLocals}
    (local.set $K ${ld(17)})
    (local.set $cg ${ld(14)})
    (local.set $kg ${ld(16)})
    (local.set $tap (i32.shl (i32.mul (local.get $cg) (local.get $K)) (i32.const 2)))
    (local.set $kp ${round4('(local.get $kg)')})
    (local.set $plane (i32.shl (i32.mul (local.get $cg) (local.get $kp)) (i32.const 2)))
    (block $dg (loop $lg
      (br_if $dg (i32.ge_s (local.get $g) ${ld(15)}))
      (local.set $c ${ld(13)})
      (block $dc (loop $lc
        (br_if $dc (i32.ge_s (local.get $c) ${ld(28)}))
        (local.set $o (i32.const 0))
        (block $do (loop $lo
          (br_if $do (i32.ge_s (local.get $o) (local.get $kg)))
          (local.set $pair (i32.lt_s (i32.add (local.get $o) (i32.const 1)) (local.get $kg)))
          (local.set $p (i32.add ${ld(21)} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.mul (local.get $g) (i32.const ${a * a})) (local.get $cg)) (local.get $c)) (local.get $kp)) (local.get $o)) (i32.const 2))))
          ${loads}
          ${setS}
          (local.set $out (i32.add ${ld(18)} (i32.shl (i32.add (i32.add (i32.mul (local.get $c) (local.get $K)) (i32.mul (local.get $g) (local.get $kg))) (local.get $o)) (i32.const 2))))
          ${stores}
          (local.set $o (i32.add (local.get $o) (i32.const 2)))
          (br $lo)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $lc)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $lg))))`;
}
