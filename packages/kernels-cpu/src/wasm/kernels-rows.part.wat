  ;; ---- the non-GEMM float32 kernels, task ops run by the worker pool ----
  ;;
  ;; Each op reads one task block `d` (int32 words; float64 attributes at byte
  ;; offsets 32 and 40) and handles its own share of the rows or images, so a
  ;; kernel split over threads computes every output with the same operations
  ;; in the same order as one thread. Where kernels/*.ts compute in float64
  ;; and round once at the store (leaky ReLU, Axpby, average pooling's
  ;; scaling, batch normalisation), the ops here do the same float64
  ;; operations (f64x2) and demote once, so the values are those of the loops.

  ;; Float64 lanes: `f64x2.promote_low_f32x4` of v gives its lanes 0, 1; of
  ;; `i8x16.shuffle 8…15 0…7` of v, its lanes 2, 3; two `f32x4.demote_f64x2_zero`
  ;; joined by `i8x16.shuffle 0…7 16…23` give the four back, each rounded once.
  ;; They are written out in every loop: V8 does not inline small functions here
  ;; (calls made leaky ReLU 4× slower).

  ;; Element-wise maps. Block: 0 op  1 n  2 x  3 y  4 out (byte addresses), f64 a at byte 32, b at 40.
  ;; op 0: out = x > 0 ? y : +0 (ReLU and its derivative, leak 0: NaN, −0 and negatives give +0)
  ;; op 1: out = x > 0 ? y : fround(a·y) (leaky ReLU and its derivative)
  ;; op 2: out = fround(a·x + b·y) (Axpby)
  (func (export "rows_map_task") (param $d i32)
    (local $op i32) (local $end i32) (local $end4 i32) (local $i i32) (local $x i32) (local $y i32) (local $o i32)
    (local $a f64) (local $b f64) (local $av v128) (local $bv v128) (local $xv v128) (local $yv v128)
    (local $xs f32) (local $ys f32)
    (local.set $op (call $ld (local.get $d) (i32.const 0)))
    (local.set $end (i32.shl (call $ld (local.get $d) (i32.const 1)) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (local.set $x (call $ld (local.get $d) (i32.const 2)))
    (local.set $y (call $ld (local.get $d) (i32.const 3)))
    (local.set $o (call $ld (local.get $d) (i32.const 4)))
    (local.set $a (f64.load offset=32 (local.get $d)))
    (local.set $b (f64.load offset=40 (local.get $d)))
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $bv (f64x2.splat (local.get $b)))
    ;; One loop per op (a branch per vector cost Axpby a fifth); Axpby with a = 1 adds x itself (1·x is x exactly).
    (if (i32.eqz (local.get $op)) (then
      (block $dr (loop $lr
        (br_if $dr (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $yv (v128.load (i32.add (local.get $y) (local.get $i))))
        (v128.store (i32.add (local.get $o) (local.get $i))
          (v128.and (local.get $yv) (f32x4.gt (local.get $xv) (f32x4.splat (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $lr))))
    (else (if (i32.eq (local.get $op) (i32.const 1)) (then
      (block $dk (loop $lk
        (br_if $dk (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $yv (v128.load (i32.add (local.get $y) (local.get $i))))
        (v128.store (i32.add (local.get $o) (local.get $i))
          (v128.bitselect (local.get $yv)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $yv)) (local.get $av)))
            (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $yv) (local.get $yv))) (local.get $av))))
            (f32x4.gt (local.get $xv) (f32x4.splat (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $lk))))
    ;; Axpby two lanes at a time (8-byte loads and stores: no shuffles, which cost it half its time).
    (else (if (f64.eq (local.get $a) (f64.const 1)) (then
      (block $du (loop $lu
        (br_if $du (i32.ge_u (local.get $i) (local.get $end4)))
        (v128.store64_lane 0 (i32.add (local.get $o) (local.get $i))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (i32.add (local.get $x) (local.get $i)))) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (i32.add (local.get $y) (local.get $i)))) (local.get $bv)))))
        (v128.store64_lane offset=8 0 (i32.add (local.get $o) (local.get $i))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $x) (local.get $i)))) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $y) (local.get $i)))) (local.get $bv)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $lu))))
    (else
      (block $da (loop $la
        (br_if $da (i32.ge_u (local.get $i) (local.get $end4)))
        (v128.store64_lane 0 (i32.add (local.get $o) (local.get $i))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (i32.add (local.get $x) (local.get $i)))) (local.get $av)) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=0 (i32.add (local.get $y) (local.get $i)))) (local.get $bv)))))
        (v128.store64_lane offset=8 0 (i32.add (local.get $o) (local.get $i))
          (f32x4.demote_f64x2_zero (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $x) (local.get $i)))) (local.get $av)) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (i32.add (local.get $y) (local.get $i)))) (local.get $bv)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $la)))))))))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $xs (f32.load (i32.add (local.get $x) (local.get $i))))
      (local.set $ys (f32.load (i32.add (local.get $y) (local.get $i))))
      (f32.store (i32.add (local.get $o) (local.get $i))
        (if (result f32) (i32.eqz (local.get $op))
          (then (select (local.get $ys) (f32.const 0) (f32.gt (local.get $xs) (f32.const 0))))
          (else (if (result f32) (i32.eq (local.get $op) (i32.const 1))
            (then (select (local.get $ys) (f32.demote_f64 (f64.mul (local.get $a) (f64.promote_f32 (local.get $ys))))
                          (f32.gt (local.get $xs) (f32.const 0))))
            (else (f32.demote_f64 (f64.add (f64.mul (local.get $a) (f64.promote_f32 (local.get $xs)))
                                           (f64.mul (local.get $b) (f64.promote_f32 (local.get $ys))))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1))))

  ;; Per-channel sums of rows in blocks. Block: 0 rows  1 C  2 x  3 rows per block  4 out.
  ;; For each block of rows (the last may be short), out gets C float32 sums of
  ;; its rows, each from +0 adding the rows in order; blocks one after another.
  ;; From 4 channels, up to 32 at a time (a sum per 4 channels: up to eight in
  ;; flight a row, so an add's latency is shared), the chunks from channel 0;
  ;; where fewer than 32 are left, the last chunk's vectors end at channel C
  ;; (those overlapping the chunk before summed again: the same sums stored);
  ;; fewer than 4 channels one by one.
  (func (export "channel_sums_task") (param $d i32)
    (local $rows i32) (local $C i32) (local $C4 i32) (local $x i32) (local $per i32) (local $out i32)
    (local $b0 i32) (local $b1 i32) (local $r i32) (local $k i32) (local $p i32) (local $step i32)
    (local $acc v128) (local $s f32) (local $bi i32) (local $first i32) (local $kk i32) (local $pEnd i32) (local $nv i32) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $rows (call $ld (local.get $d) (i32.const 0)))
    (local.set $C (call $ld (local.get $d) (i32.const 1)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $x (call $ld (local.get $d) (i32.const 2)))
    (local.set $per (call $ld (local.get $d) (i32.const 3)))
    (local.set $out (call $ld (local.get $d) (i32.const 4)))
    (local.set $step (i32.shl (local.get $C) (i32.const 2)))
    ;; The blocks from the last (each has its own sums: the order does not change them): the end of x,
    ;; written last, is the part still in cache.
    (local.set $first (local.get $out))
    (local.set $bi (i32.div_s (i32.sub (i32.add (local.get $rows) (local.get $per)) (i32.const 1)) (local.get $per)))
    (block $db (loop $lb
      (br_if $db (i32.le_s (local.get $bi) (i32.const 0)))
      (local.set $bi (i32.sub (local.get $bi) (i32.const 1)))
      (local.set $b0 (i32.mul (local.get $bi) (local.get $per)))
      (local.set $out (i32.add (local.get $first) (i32.mul (local.get $bi) (local.get $step))))
      (local.set $b1 (i32.add (local.get $b0) (local.get $per)))
      (if (i32.gt_s (local.get $b1) (local.get $rows)) (then (local.set $b1 (local.get $rows))))
      (local.set $k (i32.const 0))
      (if (i32.ge_s (local.get $C) (i32.const 4)) (then
        (loop $lch
          ;; The chunk: nv vectors from channel kk.
          (local.set $nv (i32.shr_u (i32.add (i32.sub (local.get $C) (local.get $k)) (i32.const 3)) (i32.const 2)))
          (local.set $kk (local.get $k))
          (if (i32.gt_u (local.get $nv) (i32.const 8)) (then (local.set $nv (i32.const 8)))
            (else (local.set $kk (i32.sub (local.get $C) (i32.shl (local.get $nv) (i32.const 2))))))
          (if (i32.lt_s (local.get $kk) (i32.const 0)) (then
            (local.set $nv (i32.shr_u (local.get $C) (i32.const 2)))
            (local.set $kk (i32.const 0))))
          (local.set $acc (f32x4.splat (f32.const 0)))
          (local.set $a1 (local.get $acc)) (local.set $a2 (local.get $acc)) (local.set $a3 (local.get $acc))
          (local.set $a4 (local.get $acc)) (local.set $a5 (local.get $acc)) (local.set $a6 (local.get $acc)) (local.set $a7 (local.get $acc))
          (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $b0) (local.get $C)) (local.get $kk)) (i32.const 2))))
          (local.set $pEnd (i32.add (local.get $p) (i32.mul (i32.sub (local.get $b1) (local.get $b0)) (local.get $step))))
          (block $drc (loop $lrc
            (br_if $drc (i32.ge_u (local.get $p) (local.get $pEnd)))
            ;; Adds for vectors nv − 1 … 0 (the table jumps past the others).
            (block $i0 (block $i1 (block $i2 (block $i3 (block $i4 (block $i5 (block $i6 (block $i7 (br_table $i0 $i1 $i2 $i3 $i4 $i5 $i6 $i7 (i32.sub (local.get $nv) (i32.const 1))))
              (local.set $a7 (f32x4.add (local.get $a7) (v128.load offset=112 (local.get $p)))))
              (local.set $a6 (f32x4.add (local.get $a6) (v128.load offset=96 (local.get $p)))))
              (local.set $a5 (f32x4.add (local.get $a5) (v128.load offset=80 (local.get $p)))))
              (local.set $a4 (f32x4.add (local.get $a4) (v128.load offset=64 (local.get $p)))))
              (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p)))))
              (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p)))))
              (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p)))))
              (local.set $acc (f32x4.add (local.get $acc) (v128.load offset=0 (local.get $p))))
            (local.set $p (i32.add (local.get $p) (local.get $step)))
            (br $lrc)))
          (local.set $p (i32.add (local.get $out) (i32.shl (local.get $kk) (i32.const 2))))
          (block $i0 (block $i1 (block $i2 (block $i3 (block $i4 (block $i5 (block $i6 (block $i7 (br_table $i0 $i1 $i2 $i3 $i4 $i5 $i6 $i7 (i32.sub (local.get $nv) (i32.const 1))))
              (v128.store offset=112 (local.get $p) (local.get $a7)))
              (v128.store offset=96 (local.get $p) (local.get $a6)))
              (v128.store offset=80 (local.get $p) (local.get $a5)))
              (v128.store offset=64 (local.get $p) (local.get $a4)))
              (v128.store offset=48 (local.get $p) (local.get $a3)))
              (v128.store offset=32 (local.get $p) (local.get $a2)))
              (v128.store offset=16 (local.get $p) (local.get $a1)))
              (v128.store offset=0 (local.get $p) (local.get $acc))
          (local.set $k (i32.add (local.get $kk) (i32.shl (local.get $nv) (i32.const 2))))
          (br_if $lch (i32.lt_s (local.get $k) (local.get $C))))))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_s (local.get $k) (local.get $C4)))
        (local.set $acc (f32x4.splat (f32.const 0)))
        (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $b0) (local.get $C)) (local.get $k)) (i32.const 2))))
        (local.set $r (local.get $b0))
        (block $dr (loop $lr
          (br_if $dr (i32.ge_s (local.get $r) (local.get $b1)))
          (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $step)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (local.get $acc))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $lk)))
      (block $dk1 (loop $lk1
        (br_if $dk1 (i32.ge_s (local.get $k) (local.get $C)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $b0) (local.get $C)) (local.get $k)) (i32.const 2))))
        (local.set $r (local.get $b0))
        (block $dr1 (loop $lr1
          (br_if $dr1 (i32.ge_s (local.get $r) (local.get $b1)))
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $step)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr1)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (local.get $s))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $lk1)))
      (br $lb))))

  ;; Per-channel affine maps of rows in float64, rounded once. Block: 0 op  1 rows  2 C
  ;; 3 x  4 dy  5 out  6 coefficients (C float64 each, one array after another).
  ;; op 0 (batch-norm forward), arrays mu, scale, b:   out = fround(scale·(x − mu) + b)
  ;; op 1 (batch-norm derivative), arrays mu, a, s, t: out = fround(a·dy + s·(x − mu) + t)
  ;; Channels two at a time (f64x2), then the odd one.
  (func (export "channel_affine_task") (param $d i32)
    (local $op i32) (local $rows i32) (local $C i32) (local $C2 i32) (local $x i32) (local $dy i32) (local $out i32)
    (local $cf i32) (local $r i32) (local $k i32) (local $q i32) (local $cb i32) (local $row i32) (local $e i32)
    (local $xv v128) (local $dv v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $xs f64) (local $ds f64) (local $c0 f64) (local $c1 f64) (local $c2 f64) (local $c3 f64)
    (local.set $op (call $ld (local.get $d) (i32.const 0)))
    (local.set $rows (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $C2 (i32.and (local.get $C) (i32.const -2)))
    (local.set $x (call $ld (local.get $d) (i32.const 3)))
    (local.set $dy (call $ld (local.get $d) (i32.const 4)))
    (local.set $out (call $ld (local.get $d) (i32.const 5)))
    (local.set $cf (call $ld (local.get $d) (i32.const 6)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 3)))
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $k (i32.const 0))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_s (local.get $k) (local.get $C2)))
        (local.set $q (i32.add (local.get $cf) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $e (i32.shl (local.get $k) (i32.const 2)))
        (local.set $v0 (v128.load (local.get $q)))
        (local.set $v1 (v128.load (i32.add (local.get $q) (local.get $cb))))
        (local.set $v2 (v128.load (i32.add (local.get $q) (i32.shl (local.get $cb) (i32.const 1)))))
        (local.set $xv (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $e)))) (local.get $v0)))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $e))
          (f32x4.demote_f64x2_zero (if (result v128) (i32.eqz (local.get $op))
            (then (f64x2.add (f64x2.mul (local.get $v1) (local.get $xv)) (local.get $v2)))
            (else
              (local.set $v3 (v128.load (i32.add (local.get $q) (i32.mul (local.get $cb) (i32.const 3)))))
              (local.set $dv (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $dy) (local.get $e)))))
              (f64x2.add (f64x2.add (f64x2.mul (local.get $v1) (local.get $dv)) (f64x2.mul (local.get $v2) (local.get $xv)))
                         (local.get $v3))))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $lk)))
      (if (i32.lt_s (local.get $k) (local.get $C)) (then
        (local.set $q (i32.add (local.get $cf) (i32.shl (local.get $k) (i32.const 3))))
        (local.set $c0 (f64.load (local.get $q)))
        (local.set $c1 (f64.load (i32.add (local.get $q) (local.get $cb))))
        (local.set $c2 (f64.load (i32.add (local.get $q) (i32.shl (local.get $cb) (i32.const 1)))))
        (local.set $xs (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 2))))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
          (f32.demote_f64 (if (result f64) (i32.eqz (local.get $op))
            (then (f64.add (f64.mul (local.get $c1) (f64.sub (local.get $xs) (local.get $c0))) (local.get $c2)))
            (else
              (local.set $c3 (f64.load (i32.add (local.get $q) (i32.mul (local.get $cb) (i32.const 3)))))
              (local.set $ds (f64.promote_f32 (f32.load (i32.add (local.get $dy) (i32.shl (local.get $k) (i32.const 2))))))
              (f64.add (f64.add (f64.mul (local.get $c1) (local.get $ds))
                                (f64.mul (local.get $c2) (f64.sub (local.get $xs) (local.get $c0))))
                       (local.get $c3))))))))
      (local.set $x (i32.add (local.get $x) (local.get $row)))
      (local.set $dy (i32.add (local.get $dy) (local.get $row)))
      (local.set $out (i32.add (local.get $out) (local.get $row)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  ;; Average pooling of the pool task block's images (pool-max.part.wat's layout: 0 H  1 W  2 C  3 Ho  4 Wo
  ;; 5 Ph  6 Pw  7 strideY  8 strideX  9 padTop  10 padLeft  11 x  12 count  13 y  14 unused).
  ;; Windows clipped to the image; y = fround(fround(Σ x, row-major window order, float32) · (1/valid)),
  ;; the scaling in float64 (kernels/pool.ts's avgForward).
  (func (export "pool_avg_images") (param $d i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Ho i32) (local $Wo i32) (local $C4 i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $y1 i32) (local $y2 i32) (local $x1 i32) (local $x2 i32)
    (local $iy i32) (local $ix i32) (local $k i32) (local $x i32) (local $out i32) (local $p i32)
    (local $acc v128) (local $s f32) (local $scale f64) (local $sv v128)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Ho (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $x (call $ld (local.get $d) (i32.const 11)))
    (local.set $out (call $ld (local.get $d) (i32.const 13)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 12))))
      (local.set $oy (i32.const 0))
      (block $doy (loop $loy
        (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
        (local.set $y1 (call $win_start (local.get $oy) (call $ld (local.get $d) (i32.const 7)) (call $ld (local.get $d) (i32.const 9))))
        (local.set $y2 (call $win_end (local.get $oy) (call $ld (local.get $d) (i32.const 7)) (call $ld (local.get $d) (i32.const 9))
                                      (call $ld (local.get $d) (i32.const 5)) (local.get $H)))
        (local.set $ox (i32.const 0))
        (block $dox (loop $lox
          (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
          (local.set $x1 (call $win_start (local.get $ox) (call $ld (local.get $d) (i32.const 8)) (call $ld (local.get $d) (i32.const 10))))
          (local.set $x2 (call $win_end (local.get $ox) (call $ld (local.get $d) (i32.const 8)) (call $ld (local.get $d) (i32.const 10))
                                        (call $ld (local.get $d) (i32.const 6)) (local.get $W)))
          (local.set $scale (f64.div (f64.const 1)
            (f64.convert_i32_s (i32.mul (i32.sub (local.get $y2) (local.get $y1)) (i32.sub (local.get $x2) (local.get $x1))))))
          (local.set $sv (f64x2.splat (local.get $scale)))
          (local.set $k (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_s (local.get $k) (local.get $C4)))
            (local.set $acc (f32x4.splat (f32.const 0)))
            (local.set $iy (local.get $y1))
            (block $diy (loop $liy
              (br_if $diy (i32.ge_s (local.get $iy) (local.get $y2)))
              (local.set $p (i32.add (local.get $x) (i32.shl
                (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $x1)) (local.get $C)) (local.get $k))
                (i32.const 2))))
              (local.set $ix (local.get $x1))
              (block $dix (loop $lix
                (br_if $dix (i32.ge_s (local.get $ix) (local.get $x2)))
                (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
                (local.set $p (i32.add (local.get $p) (i32.shl (local.get $C) (i32.const 2))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $lix)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $liy)))
            (v128.store (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $acc)) (local.get $sv)))
              (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))) (local.get $sv)))))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $lk)))
          (block $dk1 (loop $lk1
            (br_if $dk1 (i32.ge_s (local.get $k) (local.get $C)))
            (local.set $s (f32.const 0))
            (local.set $iy (local.get $y1))
            (block $diy1 (loop $liy1
              (br_if $diy1 (i32.ge_s (local.get $iy) (local.get $y2)))
              (local.set $ix (local.get $x1))
              (block $dix1 (loop $lix1
                (br_if $dix1 (i32.ge_s (local.get $ix) (local.get $x2)))
                (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $x) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $k))
                  (i32.const 2))))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $lix1)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $liy1)))
            (f32.store (local.get $out) (f32.demote_f64 (f64.mul (f64.promote_f32 (local.get $s)) (local.get $scale))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $lk1)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $lox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loy)))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  ;; The average-pooling derivative of the pool task block's images (13 dy, 14 dx, dx zeroed by
  ;; the caller): outputs in order, dx = fround(dx + dy·(1/valid)) over each window, row-major,
  ;; in float64 (kernels/pool.ts's avgBackward).
  (func (export "pool_avg_backward_images") (param $d i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Ho i32) (local $Wo i32) (local $C4 i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $y1 i32) (local $y2 i32) (local $x1 i32) (local $x2 i32)
    (local $iy i32) (local $ix i32) (local $k i32) (local $dx i32) (local $dy i32) (local $p i32)
    (local $lo v128) (local $hi v128) (local $v v128) (local $g f64) (local $scale f64) (local $sv v128)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Ho (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $dy (call $ld (local.get $d) (i32.const 13)))
    (local.set $dx (call $ld (local.get $d) (i32.const 14)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 12))))
      (local.set $oy (i32.const 0))
      (block $doy (loop $loy
        (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
        (local.set $y1 (call $win_start (local.get $oy) (call $ld (local.get $d) (i32.const 7)) (call $ld (local.get $d) (i32.const 9))))
        (local.set $y2 (call $win_end (local.get $oy) (call $ld (local.get $d) (i32.const 7)) (call $ld (local.get $d) (i32.const 9))
                                      (call $ld (local.get $d) (i32.const 5)) (local.get $H)))
        (local.set $ox (i32.const 0))
        (block $dox (loop $lox
          (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
          (local.set $x1 (call $win_start (local.get $ox) (call $ld (local.get $d) (i32.const 8)) (call $ld (local.get $d) (i32.const 10))))
          (local.set $x2 (call $win_end (local.get $ox) (call $ld (local.get $d) (i32.const 8)) (call $ld (local.get $d) (i32.const 10))
                                        (call $ld (local.get $d) (i32.const 6)) (local.get $W)))
          (local.set $scale (f64.div (f64.const 1)
            (f64.convert_i32_s (i32.mul (i32.sub (local.get $y2) (local.get $y1)) (i32.sub (local.get $x2) (local.get $x1))))))
          (local.set $sv (f64x2.splat (local.get $scale)))
          (local.set $k (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_s (local.get $k) (local.get $C4)))
            (local.set $v (v128.load (local.get $dy)))
            (local.set $lo (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $sv)))
            (local.set $hi (f64x2.mul (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $sv)))
            (local.set $iy (local.get $y1))
            (block $diy (loop $liy
              (br_if $diy (i32.ge_s (local.get $iy) (local.get $y2)))
              (local.set $p (i32.add (local.get $dx) (i32.shl
                (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $x1)) (local.get $C)) (local.get $k))
                (i32.const 2))))
              (local.set $ix (local.get $x1))
              (block $dix (loop $lix
                (br_if $dix (i32.ge_s (local.get $ix) (local.get $x2)))
                (local.set $v (v128.load (local.get $p)))
                (v128.store (local.get $p) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                  (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4 (local.get $v)) (local.get $lo)))
                  (f32x4.demote_f64x2_zero (f64x2.add (f64x2.promote_low_f32x4
                    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $hi)))))
                (local.set $p (i32.add (local.get $p) (i32.shl (local.get $C) (i32.const 2))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $lix)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $liy)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $lk)))
          (block $dk1 (loop $lk1
            (br_if $dk1 (i32.ge_s (local.get $k) (local.get $C)))
            (local.set $g (f64.mul (f64.promote_f32 (f32.load (local.get $dy))) (local.get $scale)))
            (local.set $iy (local.get $y1))
            (block $diy1 (loop $liy1
              (br_if $diy1 (i32.ge_s (local.get $iy) (local.get $y2)))
              (local.set $ix (local.get $x1))
              (block $dix1 (loop $lix1
                (br_if $dix1 (i32.ge_s (local.get $ix) (local.get $x2)))
                (local.set $p (i32.add (local.get $dx) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $k))
                  (i32.const 2))))
                (f32.store (local.get $p) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $p))) (local.get $g))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $lix1)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $liy1)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $lk1)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $lox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loy)))
      (local.set $dx (i32.add (local.get $dx) (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  ;; Per-channel float64 statistics of rows in blocks (batch normalisation's sums).
  ;; Block: 0 op  1 rows  2 C  3 x  4 dy  5 rows per block  6 out (float64)  7 mu (C float64).
  ;; For each block of rows (the last may be short), from 0 adding the rows in order:
  ;; op 0: C sums of x;  op 1: C sums of (x − mu)²;  op 2: C sums of dy, then C sums of dy·(x − mu).
  ;; Channels go two at a time (f64x2), blocks one after another.
  (func (export "channel_stats_task") (param $d i32)
    (local $op i32) (local $rows i32) (local $C i32) (local $C2 i32) (local $x i32) (local $dy i32) (local $per i32)
    (local $out i32) (local $mu i32) (local $b0 i32) (local $b1 i32) (local $r i32) (local $k i32) (local $p i32)
    (local $step i32) (local $width i32) (local $m v128) (local $v v128) (local $g v128) (local $s v128) (local $t v128)
    (local $ms f64) (local $vs f64) (local $gs f64) (local $ss f64) (local $ts f64)
    (local.set $op (call $ld (local.get $d) (i32.const 0)))
    (local.set $rows (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $C2 (i32.and (local.get $C) (i32.const -2)))
    (local.set $x (call $ld (local.get $d) (i32.const 3)))
    (local.set $dy (call $ld (local.get $d) (i32.const 4)))
    (local.set $per (call $ld (local.get $d) (i32.const 5)))
    (local.set $out (call $ld (local.get $d) (i32.const 6)))
    (local.set $mu (call $ld (local.get $d) (i32.const 7)))
    (local.set $step (i32.shl (local.get $C) (i32.const 2)))
    ;; Bytes of one block's results: C float64, or 2C for op 2.
    (local.set $width (i32.shl (local.get $C) (select (i32.const 4) (i32.const 3) (i32.eq (local.get $op) (i32.const 2)))))
    (block $db (loop $lb
      (br_if $db (i32.ge_s (local.get $b0) (local.get $rows)))
      (local.set $b1 (i32.add (local.get $b0) (local.get $per)))
      (if (i32.gt_s (local.get $b1) (local.get $rows)) (then (local.set $b1 (local.get $rows))))
      (local.set $k (i32.const 0))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_s (local.get $k) (local.get $C2)))
        (local.set $s (f64x2.splat (f64.const 0)))
        (local.set $t (f64x2.splat (f64.const 0)))
        (local.set $m (v128.load (i32.add (local.get $mu) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $p (i32.shl (i32.add (i32.mul (local.get $b0) (local.get $C)) (local.get $k)) (i32.const 2)))
        (local.set $r (local.get $b0))
        (block $dr (loop $lr
          (br_if $dr (i32.ge_s (local.get $r) (local.get $b1)))
          (local.set $v (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $x) (local.get $p)))))
          (if (i32.eqz (local.get $op))
            (then (local.set $s (f64x2.add (local.get $s) (local.get $v))))
            (else
              (local.set $v (f64x2.sub (local.get $v) (local.get $m)))
              (if (i32.eq (local.get $op) (i32.const 1))
                (then (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $v) (local.get $v)))))
                (else
                  (local.set $g (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $dy) (local.get $p)))))
                  (local.set $s (f64x2.add (local.get $s) (local.get $g)))
                  (local.set $t (f64x2.add (local.get $t) (f64x2.mul (local.get $g) (local.get $v))))))))
          (local.set $p (i32.add (local.get $p) (local.get $step)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (local.get $s))
        (if (i32.eq (local.get $op) (i32.const 2))
          (then (v128.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $C) (local.get $k)) (i32.const 3))) (local.get $t))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $lk)))
      (block $dk1 (loop $lk1
        (br_if $dk1 (i32.ge_s (local.get $k) (local.get $C)))
        (local.set $ss (f64.const 0))
        (local.set $ts (f64.const 0))
        (local.set $ms (f64.load (i32.add (local.get $mu) (i32.shl (local.get $k) (i32.const 3)))))
        (local.set $p (i32.shl (i32.add (i32.mul (local.get $b0) (local.get $C)) (local.get $k)) (i32.const 2)))
        (local.set $r (local.get $b0))
        (block $dr1 (loop $lr1
          (br_if $dr1 (i32.ge_s (local.get $r) (local.get $b1)))
          (local.set $vs (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $p)))))
          (if (i32.eqz (local.get $op))
            (then (local.set $ss (f64.add (local.get $ss) (local.get $vs))))
            (else
              (local.set $vs (f64.sub (local.get $vs) (local.get $ms)))
              (if (i32.eq (local.get $op) (i32.const 1))
                (then (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $vs) (local.get $vs)))))
                (else
                  (local.set $gs (f64.promote_f32 (f32.load (i32.add (local.get $dy) (local.get $p)))))
                  (local.set $ss (f64.add (local.get $ss) (local.get $gs)))
                  (local.set $ts (f64.add (local.get $ts) (f64.mul (local.get $gs) (local.get $vs))))))))
          (local.set $p (i32.add (local.get $p) (local.get $step)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr1)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (local.get $ss))
        (if (i32.eq (local.get $op) (i32.const 2))
          (then (f64.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $C) (local.get $k)) (i32.const 3))) (local.get $ts))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $lk1)))
      (local.set $out (i32.add (local.get $out) (local.get $width)))
      (local.set $b0 (local.get $b1))
      (br $lb))))

  ;; gemm-scaling.ts's test for tiny elements before it takes `magnitudes`: gemm.wat's `$tiny_in` (1 where
  ;; one of the `count` floats at byte address `at` has a magnitude in (0, t), t's bits `tBits`), exported.
  (func (export "has_tiny") (param $at i32) (param $count i32) (param $tBits i32) (result i32)
    (call $tiny_in (local.get $at) (local.get $count) (local.get $tBits)))
