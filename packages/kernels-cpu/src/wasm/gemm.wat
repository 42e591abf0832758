;; Single-precision GEMM for WebAssembly SIMD (f32x4), row-major:
;;
;;     C ← alpha · op(A) · op(B) + C          (beta is applied by the caller)
;;
;; The Goto/BLIS scheme: for each NC-column block of op(B) and each KC-deep
;; slice, op(B) is packed into NR = 8 column panels (kc × 8, row by row); for
;; each MC-row block of op(A), op(A) is packed into MR = 4 row panels (kc × 4,
;; column by column). The 4 × 8 micro-kernel keeps its tile of C in eight f32x4
;; accumulators and, per step of k, loads two vectors of the B panel, broadcasts
;; four scalars of the A panel, and does eight multiplies and eight adds (no
;; FMA in baseline SIMD; relaxed-simd's would change rounding across engines).
;; Panels are zero-padded, so the kernel always computes a full tile; edge
;; tiles go through a scratch tile and only their valid part is added to C.
;;
;; All pointers are byte addresses in the imported memory; leading dimensions
;; are in elements. `pa` needs MC·KC·4 bytes, `pb` KC·NC·4 bytes, `tile` 128.
;;
;; `ta = 2` says op(A) is already packed, over the whole depth k, in 4-row
;; panels: element (i, p) at byte a + ((i & ~3)·k + 4p + (i & 3))·4, rows
;; past m zero (lda unused). The convolution builds φ(x) that way directly
;; (`pack_rows4`), so A is neither copied row-major nor packed again.
;;
;; The memory is imported shared (threads proposal), so worker threads
;; instantiate this same module on the same memory and each run `sgemm` on
;; their own range of C with their own `pa`/`pb`/`tile` scratch (see
;; thread-pool.ts). scripts/build-wasm.mjs also assembles a copy with the
;; memory unshared, for engines without SharedArrayBuffer.
(module
  (import "env" "memory" (memory 1 65536 shared))
  (global $MC i32 (i32.const 128))
  (global $KC i32 (i32.const 256))
  (global $NC i32 (i32.const 2048))

  ;; op(A)[i0 + i, p0 + p] for i < mc, p < kc into 4-row panels at dst:
  ;; element (i, p) at byte dst + ((i & ~3)·kc + 4p + (i & 3))·4, rows past mc zero.
  (func $pack_a (param $a i32) (param $lda i32) (param $ta i32)
                (param $i0 i32) (param $mc i32) (param $p0 i32) (param $kc i32) (param $dst i32)
    (local $ir i32) (local $p i32) (local $r i32) (local $i i32) (local $s i32) (local $kc4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (local.set $ir (i32.const 0))
    (block $done_ir (loop $loop_ir
      (br_if $done_ir (i32.ge_u (local.get $ir) (local.get $mc)))
      (local.set $p (i32.const 0))
      (if (i32.le_u (i32.add (local.get $ir) (i32.const 4)) (local.get $mc))
        (then
          (if (local.get $ta)
            (then
              ;; A stored k × m: the four values of one p are contiguous.
              (local.set $s (i32.add (local.get $a)
                (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $lda))
                                  (i32.add (local.get $i0) (local.get $ir))) (i32.const 2))))
              (block $d1 (loop $l1
                (br_if $d1 (i32.ge_u (local.get $p) (local.get $kc)))
                (v128.store (local.get $dst) (v128.load (local.get $s)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $s (i32.add (local.get $s) (i32.shl (local.get $lda) (i32.const 2))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $l1))))
            (else
              ;; A stored m × k: transpose 4 × 4 blocks of four rows.
              (local.set $s (i32.add (local.get $a)
                (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (local.get $ir)) (local.get $lda))
                                  (local.get $p0)) (i32.const 2))))
              (local.set $i (i32.shl (local.get $lda) (i32.const 2)))
              (block $d2 (loop $l2
                (br_if $d2 (i32.ge_u (local.get $p) (local.get $kc4)))
                (local.set $r0 (v128.load (local.get $s)))
                (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $i))))
                (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 3)))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $s (i32.add (local.get $s) (i32.const 16)))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $l2)))))))
      ;; What is left (a partial panel, or the last kc mod 4 columns): one element at a time.
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $p) (local.get $kc)))
        (local.set $r (i32.const 0))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $r) (i32.const 4)))
          (local.set $i (i32.add (local.get $ir) (local.get $r)))
          (if (i32.lt_u (local.get $i) (local.get $mc))
            (then
              (local.set $i (i32.add (local.get $i) (local.get $i0)))
              (local.set $s (i32.add (local.get $p) (local.get $p0)))
              (f32.store (local.get $dst) (f32.load (i32.add (local.get $a) (i32.shl
                (if (result i32) (local.get $ta)
                  (then (i32.add (i32.mul (local.get $s) (local.get $lda)) (local.get $i)))
                  (else (i32.add (i32.mul (local.get $i) (local.get $lda)) (local.get $s))))
                (i32.const 2))))))
            (else (f32.store (local.get $dst) (f32.const 0))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $l4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $l3)))
      (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
      (br $loop_ir))))

  ;; op(B)[p0 + p, j0 + j] for p < kc, j < nc into 8-column panels at dst:
  ;; element (p, j) at byte dst + ((j & ~7)·kc + 8p + (j & 7))·4, columns past nc zero.
  (func $pack_b (param $b i32) (param $ldb i32) (param $tb i32)
                (param $p0 i32) (param $kc i32) (param $j0 i32) (param $nc i32) (param $dst i32)
    (local $jr i32) (local $p i32) (local $r i32) (local $j i32) (local $s i32) (local $q i32)
    (local.set $jr (i32.const 0))
    (block $done_jr (loop $loop_jr
      (br_if $done_jr (i32.ge_u (local.get $jr) (local.get $nc)))
      (local.set $p (i32.const 0))
      (if (i32.and (i32.eqz (local.get $tb)) (i32.le_u (i32.add (local.get $jr) (i32.const 8)) (local.get $nc)))
        (then
          ;; B stored k × n: eight contiguous values per p.
          (local.set $s (i32.add (local.get $b)
            (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $ldb))
                              (i32.add (local.get $j0) (local.get $jr))) (i32.const 2))))
          (block $d1 (loop $l1
            (br_if $d1 (i32.ge_u (local.get $p) (local.get $kc)))
            (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $s (i32.add (local.get $s) (i32.shl (local.get $ldb) (i32.const 2))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $l1))))
        (else
          (block $d3 (loop $l3
            (br_if $d3 (i32.ge_u (local.get $p) (local.get $kc)))
            (local.set $r (i32.const 0))
            (block $d4 (loop $l4
              (br_if $d4 (i32.ge_u (local.get $r) (i32.const 8)))
              (local.set $j (i32.add (local.get $jr) (local.get $r)))
              (if (i32.lt_u (local.get $j) (local.get $nc))
                (then
                  (local.set $j (i32.add (local.get $j) (local.get $j0)))
                  (local.set $q (i32.add (local.get $p) (local.get $p0)))
                  (f32.store (local.get $dst) (f32.load (i32.add (local.get $b) (i32.shl
                    (if (result i32) (local.get $tb)
                      (then (i32.add (i32.mul (local.get $j) (local.get $ldb)) (local.get $q)))
                      (else (i32.add (i32.mul (local.get $q) (local.get $ldb)) (local.get $j))))
                    (i32.const 2))))))
                (else (f32.store (local.get $dst) (f32.const 0))))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $l4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $l3)))))
      (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
      (br $loop_jr))))

  ;; C[0:rows, 0:cols] += alpha · Apanel(kc × 4) · Bpanel(kc × 8); ldc in bytes.
  (func $kernel (param $kc i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32)
                (param $alpha f32) (param $rows i32) (param $cols i32) (param $tile i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $av v128) (local $end i32) (local $va v128)
    (local $r i32) (local $j i32) (local $t i32) (local $cr i32)
    ;; One step of k per iteration: unrolling by two measured slower in V8 (more live values, 19 vs 27 GFLOP/s in L1).
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $kc) (i32.const 5))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $av (v128.load32_splat offset=0 (local.get $pa)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $av (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $av) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $av) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br $loop)))
    (local.set $va (f32x4.splat (local.get $alpha)))
    (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8)))
      (then
        (local.set $cr (local.get $c))
        (v128.store offset=0 (local.get $cr) (f32x4.add (v128.load offset=0 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c00))))
        (v128.store offset=16 (local.get $cr) (f32x4.add (v128.load offset=16 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c01))))
        (local.set $cr (i32.add (local.get $cr) (local.get $ldc)))
        (v128.store offset=0 (local.get $cr) (f32x4.add (v128.load offset=0 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c10))))
        (v128.store offset=16 (local.get $cr) (f32x4.add (v128.load offset=16 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c11))))
        (local.set $cr (i32.add (local.get $cr) (local.get $ldc)))
        (v128.store offset=0 (local.get $cr) (f32x4.add (v128.load offset=0 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c20))))
        (v128.store offset=16 (local.get $cr) (f32x4.add (v128.load offset=16 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c21))))
        (local.set $cr (i32.add (local.get $cr) (local.get $ldc)))
        (v128.store offset=0 (local.get $cr) (f32x4.add (v128.load offset=0 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c30))))
        (v128.store offset=16 (local.get $cr) (f32x4.add (v128.load offset=16 (local.get $cr)) (f32x4.mul (local.get $va) (local.get $c31)))))
      (else
        ;; Edge tile: spill alpha·acc to the 4 × 8 scratch tile, add its valid part.
        (v128.store offset=0 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c00)))
        (v128.store offset=16 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c01)))
        (v128.store offset=32 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c10)))
        (v128.store offset=48 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c11)))
        (v128.store offset=64 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c20)))
        (v128.store offset=80 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c21)))
        (v128.store offset=96 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c30)))
        (v128.store offset=112 (local.get $tile) (f32x4.mul (local.get $va) (local.get $c31)))
        (local.set $r (i32.const 0))
        (block $dr (loop $lr
          (br_if $dr (i32.ge_u (local.get $r) (local.get $rows)))
          (local.set $cr (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))))
          (local.set $t (i32.add (local.get $tile) (i32.shl (local.get $r) (i32.const 5))))
          (local.set $j (i32.const 0))
          (block $dj (loop $lj
            (br_if $dj (i32.ge_u (local.get $j) (local.get $cols)))
            (f32.store (local.get $cr) (f32.add (f32.load (local.get $cr)) (f32.load (local.get $t))))
            (local.set $cr (i32.add (local.get $cr) (i32.const 4)))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lj)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $lr))))))

  ;; Interleaves four rows of `len` floats (byte addresses s0..s3) into a 4-row
  ;; panel at dst: dst[4p + r] = s_r[p]. 4 × 4 blocks by shuffles, then one
  ;; column at a time.
  (func (export "pack_rows4") (param $dst i32) (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32) (param $len i32)
    (local $p i32) (local $len4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $len4 (i32.and (local.get $len) (i32.const -4)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $len4)))
      (local.set $r0 (v128.load (local.get $s0)))
      (local.set $r1 (v128.load (local.get $s1)))
      (local.set $r2 (v128.load (local.get $s2)))
      (local.set $r3 (v128.load (local.get $s3)))
      (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
      (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
      (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
      (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
      (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
      (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
      (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
      (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
      (local.set $s0 (i32.add (local.get $s0) (i32.const 16)))
      (local.set $s1 (i32.add (local.get $s1) (i32.const 16)))
      (local.set $s2 (i32.add (local.get $s2) (i32.const 16)))
      (local.set $s3 (i32.add (local.get $s3) (i32.const 16)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $p) (local.get $len)))
      (f32.store offset=0 (local.get $dst) (f32.load (local.get $s0)))
      (f32.store offset=4 (local.get $dst) (f32.load (local.get $s1)))
      (f32.store offset=8 (local.get $dst) (f32.load (local.get $s2)))
      (f32.store offset=12 (local.get $dst) (f32.load (local.get $s3)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
      (local.set $s1 (i32.add (local.get $s1) (i32.const 4)))
      (local.set $s2 (i32.add (local.get $s2) (i32.const 4)))
      (local.set $s3 (i32.add (local.get $s3) (i32.const 4)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $l2))))

  (func $min (param $x i32) (param $y i32) (result i32)
    (select (local.get $x) (local.get $y) (i32.lt_s (local.get $x) (local.get $y))))

  ;; C[m × n] += alpha · op(A) · op(B), op(A) m × k, op(B) k × n.
  (func (export "sgemm")
    (param $m i32) (param $n i32) (param $k i32) (param $alpha f32)
    (param $a i32) (param $lda i32) (param $ta i32)
    (param $b i32) (param $ldb i32) (param $tb i32)
    (param $c i32) (param $ldc i32)
    (param $pa i32) (param $pb i32) (param $tile i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $cb i32)
    (local.set $jc (i32.const 0))
    (block $djc (loop $ljc
      (br_if $djc (i32.ge_s (local.get $jc) (local.get $n)))
      (local.set $nc (call $min (global.get $NC) (i32.sub (local.get $n) (local.get $jc))))
      (local.set $pc (i32.const 0))
      (block $dpc (loop $lpc
        (br_if $dpc (i32.ge_s (local.get $pc) (local.get $k)))
        (local.set $kc (call $min (global.get $KC) (i32.sub (local.get $k) (local.get $pc))))
        (call $pack_b (local.get $b) (local.get $ldb) (local.get $tb)
                      (local.get $pc) (local.get $kc) (local.get $jc) (local.get $nc) (local.get $pb))
        (local.set $ic (i32.const 0))
        (block $dic (loop $lic
          (br_if $dic (i32.ge_s (local.get $ic) (local.get $m)))
          (local.set $mc (call $min (global.get $MC) (i32.sub (local.get $m) (local.get $ic))))
          (if (i32.ne (local.get $ta) (i32.const 2))
            (then (call $pack_a (local.get $a) (local.get $lda) (local.get $ta)
                                (local.get $ic) (local.get $mc) (local.get $pc) (local.get $kc) (local.get $pa))))
          (local.set $jr (i32.const 0))
          (block $djr (loop $ljr
            (br_if $djr (i32.ge_s (local.get $jr) (local.get $nc)))
            (local.set $ir (i32.const 0))
            (block $dir (loop $lir
              (br_if $dir (i32.ge_s (local.get $ir) (local.get $mc)))
              (local.set $cb (i32.add (local.get $c) (i32.shl
                (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
                         (i32.add (local.get $jc) (local.get $jr))) (i32.const 2))))
              (call $kernel (local.get $kc)
                (if (result i32) (i32.eq (local.get $ta) (i32.const 2))
                  (then (i32.add (local.get $a) (i32.shl
                    (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $k))
                             (i32.shl (local.get $pc) (i32.const 2))) (i32.const 2))))
                  (else (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))))
                (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                (local.get $cb) (i32.shl (local.get $ldc) (i32.const 2)) (local.get $alpha)
                (call $min (i32.const 4) (i32.sub (local.get $mc) (local.get $ir)))
                (call $min (i32.const 8) (i32.sub (local.get $nc) (local.get $jr)))
                (local.get $tile))
              (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
              (br $lir)))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $ljr)))
          (local.set $ic (i32.add (local.get $ic) (global.get $MC)))
          (br $lic)))
        (local.set $pc (i32.add (local.get $pc) (global.get $KC)))
        (br $lpc)))
      (local.set $jc (i32.add (local.get $jc) (global.get $NC)))
      (br $ljc))))

  (export "MC" (global $MC))
  (export "KC" (global $KC))
  (export "NC" (global $NC))
)
