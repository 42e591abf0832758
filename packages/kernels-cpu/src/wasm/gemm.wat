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
  (func $pack_rows4 (export "pack_rows4") (param $dst i32) (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32) (param $len i32)
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
  (func $sgemm (export "sgemm")
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

;; ---- φ(x) (im2row, manual §6.1) and whole convolutions of images ----
  ;;
  ;; A task block `d` (int32 words at byte address d) says what to do:
  ;;   0 H  1 W  2 C  3 Hf  4 Wf  5 Ho  6 Wo  7 strideY  8 strideX
  ;;   9 padTop  10 padLeft  11 dilateY  12 dilateX      (the patch geometry)
  ;;   13 c0  14 cg  15 groups  16 kg  17 K              (channels and filters)
  ;;   18 x  19 count  20 y  21 f                        (operands: byte addresses)
  ;;   22 phi  23 zeros  24 scratch  25 pa  26 pb  27 tile  28 src  29 phiStride
  ;; Row i = oy·Wo + ox of φ holds the patch of output pixel (oy, ox): for
  ;; fy < Hf, fx < Wf, the cg channels from c0 of input pixel
  ;; (oy·sy − pt + fy·dy, ox·sx − pl + fx·dx), zero outside the image; its
  ;; length is L = Hf·Wf·cg. Worker threads run `conv_images` and
  ;; `im2row_images` on their own task blocks (thread-pool.ts).

  (func $ld (param $d i32) (param $w i32) (result i32)
    (i32.load (i32.add (local.get $d) (i32.shl (local.get $w) (i32.const 2)))))

  ;; Row of φ for the window starting at (y0, x0) of the image at x, written at out.
  (func $pixel_row (param $d i32) (param $x i32) (param $c0 i32) (param $cg i32)
                   (param $y0 i32) (param $x0 i32) (param $out i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Hf i32) (local $Wf i32)
    (local $dy i32) (local $dx i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $ix i32)
    (local $span i32) (local $cgb i32) (local $row i32) (local $whole i32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Hf (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wf (call $ld (local.get $d) (i32.const 4)))
    (local.set $dy (call $ld (local.get $d) (i32.const 11)))
    (local.set $dx (call $ld (local.get $d) (i32.const 12)))
    (local.set $cgb (i32.shl (local.get $cg) (i32.const 2)))
    (local.set $span (i32.mul (local.get $Wf) (local.get $cgb)))
    ;; The window's columns lie inside the image and take all channels: one copy per filter row.
    (local.set $whole (i32.and
      (i32.and (i32.eq (local.get $cg) (local.get $C)) (i32.eq (local.get $dx) (i32.const 1)))
      (i32.and (i32.ge_s (local.get $x0) (i32.const 0))
               (i32.le_s (i32.add (local.get $x0) (local.get $Wf)) (local.get $W)))))
    (block $dfy (loop $lfy
      (br_if $dfy (i32.ge_s (local.get $fy) (local.get $Hf)))
      (local.set $iy (i32.add (local.get $y0) (i32.mul (local.get $fy) (local.get $dy))))
      (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
        (then (memory.fill (local.get $out) (i32.const 0) (local.get $span)))
        (else
          (local.set $row (i32.add (local.get $x) (i32.shl
            (i32.add (i32.mul (i32.mul (local.get $iy) (local.get $W)) (local.get $C)) (local.get $c0)) (i32.const 2))))
          (if (local.get $whole)
            (then (memory.copy (local.get $out)
                    (i32.add (local.get $row) (i32.shl (i32.mul (local.get $x0) (local.get $C)) (i32.const 2)))
                    (local.get $span)))
            (else
              (local.set $fx (i32.const 0))
              (block $dfx (loop $lfx
                (br_if $dfx (i32.ge_s (local.get $fx) (local.get $Wf)))
                (local.set $ix (i32.add (local.get $x0) (i32.mul (local.get $fx) (local.get $dx))))
                (if (i32.or (i32.lt_s (local.get $ix) (i32.const 0)) (i32.ge_s (local.get $ix) (local.get $W)))
                  (then (memory.fill (i32.add (local.get $out) (i32.mul (local.get $fx) (local.get $cgb))) (i32.const 0) (local.get $cgb)))
                  (else (memory.copy (i32.add (local.get $out) (i32.mul (local.get $fx) (local.get $cgb)))
                          (i32.add (local.get $row) (i32.shl (i32.mul (local.get $ix) (local.get $C)) (i32.const 2)))
                          (local.get $cgb))))
                (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
                (br $lfx)))))))
      (local.set $out (i32.add (local.get $out) (local.get $span)))
      (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
      (br $lfy))))

  ;; φ of the image at x, channels [c0, c0 + cg), row-major (Ho·Wo rows of L) at out.
  (func $im2row (export "im2row") (param $d i32) (param $x i32) (param $c0 i32) (param $cg i32) (param $out i32)
    (local $oy i32) (local $ox i32) (local $Ho i32) (local $Wo i32) (local $rowBytes i32)
    (local.set $Ho (call $ld (local.get $d) (i32.const 5)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $rowBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 3)) (call $ld (local.get $d) (i32.const 4)))
                                           (local.get $cg)) (i32.const 2)))
    (block $doy (loop $loy
      (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
      (local.set $ox (i32.const 0))
      (block $dox (loop $lox
        (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
        (call $pixel_row (local.get $d) (local.get $x) (local.get $c0) (local.get $cg)
          (i32.sub (i32.mul (local.get $oy) (call $ld (local.get $d) (i32.const 7))) (call $ld (local.get $d) (i32.const 9)))
          (i32.sub (i32.mul (local.get $ox) (call $ld (local.get $d) (i32.const 8))) (call $ld (local.get $d) (i32.const 10)))
          (local.get $out))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $lox)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $loy))))

  ;; φ of the image at x, channels [c0, c0 + cg), in sgemm's packed-A layout
  ;; (ta = 2): rows in panels of four, element (i, p) at out + ((i & ~3)·L + 4p
  ;; + (i & 3))·4, rows past Ho·Wo zero. Per panel and filter row, pack_rows4
  ;; interleaves four runs of Wf·cg values taken from the input row itself
  ;; where the window lies inside the image horizontally and takes all
  ;; channels, from the zeros (d[23], Wf·cg of them) in the vertical padding,
  ;; else from the pixel's row built first in the scratch (d[24], four rows of
  ;; L); d[28] holds the 4·Hf run addresses. So x is copied once.
  (func $im2row_packed (export "im2row_packed") (param $d i32) (param $x i32) (param $c0 i32) (param $cg i32) (param $out i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Hf i32) (local $Wf i32) (local $Wo i32)
    (local $pixels i32) (local $span i32) (local $L i32) (local $zeros i32) (local $scratch i32) (local $src i32)
    (local $q i32) (local $r i32) (local $i i32) (local $oy i32) (local $ox i32) (local $y0 i32) (local $x0 i32)
    (local $fy i32) (local $iy i32) (local $at i32) (local $row i32) (local $direct i32) (local $panel i32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Hf (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wf (call $ld (local.get $d) (i32.const 4)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $pixels (i32.mul (call $ld (local.get $d) (i32.const 5)) (local.get $Wo)))
    (local.set $span (i32.mul (local.get $Wf) (local.get $cg)))
    (local.set $L (i32.mul (local.get $Hf) (local.get $span)))
    (local.set $zeros (call $ld (local.get $d) (i32.const 23)))
    (local.set $scratch (call $ld (local.get $d) (i32.const 24)))
    (local.set $src (call $ld (local.get $d) (i32.const 28)))
    (local.set $direct (i32.and (i32.eq (local.get $cg) (local.get $C)) (i32.eq (call $ld (local.get $d) (i32.const 12)) (i32.const 1))))
    (memory.fill (local.get $zeros) (i32.const 0) (i32.shl (local.get $span) (i32.const 2)))
    (block $dq (loop $lq
      (br_if $dq (i32.ge_s (local.get $q) (local.get $pixels)))
      (local.set $r (i32.const 0))
      (block $dr (loop $lr
        (br_if $dr (i32.ge_s (local.get $r) (i32.const 4)))
        (local.set $i (i32.add (local.get $q) (local.get $r)))
        ;; $at: the address of run (r, 0) in the src table; run (r, fy) at $at + 4·fy.
        (local.set $at (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $Hf)) (i32.const 2))))
        (local.set $fy (i32.const 0))
        (if (i32.ge_s (local.get $i) (local.get $pixels))
          (then
            (block $dz (loop $lz
              (br_if $dz (i32.ge_s (local.get $fy) (local.get $Hf)))
              (i32.store (i32.add (local.get $at) (i32.shl (local.get $fy) (i32.const 2))) (local.get $zeros))
              (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
              (br $lz))))
          (else
            (local.set $oy (i32.div_s (local.get $i) (local.get $Wo)))
            (local.set $ox (i32.sub (local.get $i) (i32.mul (local.get $oy) (local.get $Wo))))
            (local.set $y0 (i32.sub (i32.mul (local.get $oy) (call $ld (local.get $d) (i32.const 7))) (call $ld (local.get $d) (i32.const 9))))
            (local.set $x0 (i32.sub (i32.mul (local.get $ox) (call $ld (local.get $d) (i32.const 8))) (call $ld (local.get $d) (i32.const 10))))
            (if (i32.and (local.get $direct)
                  (i32.and (i32.ge_s (local.get $x0) (i32.const 0))
                           (i32.le_s (i32.add (local.get $x0) (local.get $Wf)) (local.get $W))))
              (then
                (block $dd (loop $ld2
                  (br_if $dd (i32.ge_s (local.get $fy) (local.get $Hf)))
                  (local.set $iy (i32.add (local.get $y0) (i32.mul (local.get $fy) (call $ld (local.get $d) (i32.const 11)))))
                  (i32.store (i32.add (local.get $at) (i32.shl (local.get $fy) (i32.const 2)))
                    (if (result i32) (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $H)))
                      (then (local.get $zeros))
                      (else (i32.add (local.get $x) (i32.shl
                        (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $x0)) (local.get $C)) (i32.const 2))))))
                  (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
                  (br $ld2))))
              (else
                (local.set $row (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $r) (local.get $L)) (i32.const 2))))
                (call $pixel_row (local.get $d) (local.get $x) (local.get $c0) (local.get $cg) (local.get $y0) (local.get $x0) (local.get $row))
                (block $ds (loop $ls
                  (br_if $ds (i32.ge_s (local.get $fy) (local.get $Hf)))
                  (i32.store (i32.add (local.get $at) (i32.shl (local.get $fy) (i32.const 2)))
                    (i32.add (local.get $row) (i32.shl (i32.mul (local.get $fy) (local.get $span)) (i32.const 2))))
                  (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
                  (br $ls)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lr)))
      (local.set $panel (i32.add (local.get $out) (i32.shl (i32.mul (local.get $q) (local.get $L)) (i32.const 2))))
      (local.set $fy (i32.const 0))
      (block $dp (loop $lp
        (br_if $dp (i32.ge_s (local.get $fy) (local.get $Hf)))
        (local.set $at (i32.add (local.get $src) (i32.shl (local.get $fy) (i32.const 2))))
        (call $pack_rows4
          (i32.add (local.get $panel) (i32.shl (i32.mul (local.get $fy) (local.get $span)) (i32.const 4)))
          (i32.load (local.get $at))
          (i32.load (i32.add (local.get $at) (i32.shl (local.get $Hf) (i32.const 2))))
          (i32.load (i32.add (local.get $at) (i32.shl (local.get $Hf) (i32.const 3))))
          (i32.load (i32.add (local.get $at) (i32.mul (local.get $Hf) (i32.const 12))))
          (local.get $span))
        (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
        (br $lp)))
      (local.set $q (i32.add (local.get $q) (i32.const 4)))
      (br $lq))))

;; dx += φ*(rows) (row2im, manual §6.1): adds every entry of the row-major
  ;; Ho·Wo × L matrix at rows into the pixel and channel of the image at dx
  ;; that im2row copied it from (channels [c0, c0 + cg)); entries in the
  ;; padding are dropped. Four channels at a time, in im2row's order.
  (func $row2im (export "row2im") (param $d i32) (param $rows i32) (param $c0 i32) (param $cg i32) (param $dx i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Hf i32) (local $Wf i32) (local $Ho i32) (local $Wo i32)
    (local $oy i32) (local $ox i32) (local $fy i32) (local $fx i32) (local $iy i32) (local $ix i32)
    (local $y0 i32) (local $x0 i32) (local $cgb i32) (local $cg4 i32) (local $s i32) (local $c i32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Hf (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wf (call $ld (local.get $d) (i32.const 4)))
    (local.set $Ho (call $ld (local.get $d) (i32.const 5)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 6)))
    (local.set $cgb (i32.shl (local.get $cg) (i32.const 2)))
    (local.set $cg4 (i32.and (local.get $cg) (i32.const -4)))
    (block $doy (loop $loy
      (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
      (local.set $y0 (i32.sub (i32.mul (local.get $oy) (call $ld (local.get $d) (i32.const 7))) (call $ld (local.get $d) (i32.const 9))))
      (local.set $ox (i32.const 0))
      (block $dox (loop $lox
        (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
        (local.set $x0 (i32.sub (i32.mul (local.get $ox) (call $ld (local.get $d) (i32.const 8))) (call $ld (local.get $d) (i32.const 10))))
        (local.set $fy (i32.const 0))
        (block $dfy (loop $lfy
          (br_if $dfy (i32.ge_s (local.get $fy) (local.get $Hf)))
          (local.set $iy (i32.add (local.get $y0) (i32.mul (local.get $fy) (call $ld (local.get $d) (i32.const 11)))))
          (local.set $fx (i32.const 0))
          (block $dfx (loop $lfx
            (br_if $dfx (i32.ge_s (local.get $fx) (local.get $Wf)))
            (local.set $ix (i32.add (local.get $x0) (i32.mul (local.get $fx) (call $ld (local.get $d) (i32.const 12)))))
            (if (i32.and
                  (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $H)))
                  (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $W))))
              (then
                (local.set $s (i32.add (local.get $dx) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $c0))
                  (i32.const 2))))
                (local.set $c (i32.const 0))
                (block $dc (loop $lc
                  (br_if $dc (i32.ge_s (local.get $c) (local.get $cg4)))
                  (v128.store (local.get $s) (f32x4.add (v128.load (local.get $s)) (v128.load (local.get $rows))))
                  (local.set $s (i32.add (local.get $s) (i32.const 16)))
                  (local.set $rows (i32.add (local.get $rows) (i32.const 16)))
                  (local.set $c (i32.add (local.get $c) (i32.const 4)))
                  (br $lc)))
                (block $dc1 (loop $lc1
                  (br_if $dc1 (i32.ge_s (local.get $c) (local.get $cg)))
                  (f32.store (local.get $s) (f32.add (f32.load (local.get $s)) (f32.load (local.get $rows))))
                  (local.set $s (i32.add (local.get $s) (i32.const 4)))
                  (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
                  (local.set $c (i32.add (local.get $c) (i32.const 1)))
                  (br $lc1))))
              (else (local.set $rows (i32.add (local.get $rows) (local.get $cgb)))))
            (local.set $fx (i32.add (local.get $fx) (i32.const 1)))
            (br $lfx)))
          (local.set $fy (i32.add (local.get $fy) (i32.const 1)))
          (br $lfy)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $lox)))
      (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
      (br $loy))))

  ;; dx_i ← dx_i + φ*(dy_i·Fᵀ) for d[19] images: dy from d[20] (Ho·Wo·K each),
  ;; dx from d[18] (H·W·C each); per group g, the product dy_i,g·F_gᵀ
  ;; (Ho·Wo × L) in the thread's buffer at d[22], then row2im into channels
  ;; [g·cg, (g+1)·cg) of dx_i.
  (func (export "conv_backward_data_images") (param $d i32)
    (local $n i32) (local $g i32) (local $dx i32) (local $dy i32) (local $cg i32) (local $kg i32) (local $K i32)
    (local $pixels i32) (local $L i32) (local $imageBytes i32) (local $outBytes i32) (local $rows i32)
    (local.set $cg (call $ld (local.get $d) (i32.const 14)))
    (local.set $kg (call $ld (local.get $d) (i32.const 16)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $pixels (i32.mul (call $ld (local.get $d) (i32.const 5)) (call $ld (local.get $d) (i32.const 6))))
    (local.set $L (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 3)) (call $ld (local.get $d) (i32.const 4))) (local.get $cg)))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1)))
                                             (call $ld (local.get $d) (i32.const 2))) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (local.get $pixels) (local.get $K)) (i32.const 2)))
    (local.set $rows (call $ld (local.get $d) (i32.const 22)))
    (local.set $dx (call $ld (local.get $d) (i32.const 18)))
    (local.set $dy (call $ld (local.get $d) (i32.const 20)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (local.set $g (i32.const 0))
      (block $dg (loop $lg
        (br_if $dg (i32.ge_s (local.get $g) (call $ld (local.get $d) (i32.const 15))))
        (memory.fill (local.get $rows) (i32.const 0) (i32.shl (i32.mul (local.get $pixels) (local.get $L)) (i32.const 2)))
        (call $sgemm (local.get $pixels) (local.get $L) (local.get $kg) (f32.const 1)
          (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $g) (local.get $kg)) (i32.const 2))) (local.get $K) (i32.const 0)
          (i32.add (call $ld (local.get $d) (i32.const 21)) (i32.shl (i32.mul (local.get $g) (local.get $kg)) (i32.const 2)))
          (local.get $K) (i32.const 1)
          (local.get $rows) (local.get $L)
          (call $ld (local.get $d) (i32.const 25)) (call $ld (local.get $d) (i32.const 26)) (call $ld (local.get $d) (i32.const 27)))
        (call $row2im (local.get $d) (local.get $rows) (i32.mul (local.get $g) (local.get $cg)) (local.get $cg) (local.get $dx))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $lg)))
      (local.set $dx (i32.add (local.get $dx) (local.get $imageBytes)))
      (local.set $dy (i32.add (local.get $dy) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  ;; y_i ← φ(x_i)·F + y_i for d[19] images from x (H·W·C each) to y (Ho·Wo·K
  ;; each), per group g: φ of channels [g·cg, (g+1)·cg) packed at d[22], then
  ;; one sgemm with filters [g·kg, (g+1)·kg) of F (L × K at d[21]).
  (func (export "conv_images") (param $d i32)
    (local $n i32) (local $g i32) (local $x i32) (local $y i32) (local $cg i32) (local $kg i32) (local $K i32)
    (local $pixels i32) (local $L i32) (local $imageBytes i32) (local $outBytes i32) (local $phi i32)
    (local.set $cg (call $ld (local.get $d) (i32.const 14)))
    (local.set $kg (call $ld (local.get $d) (i32.const 16)))
    (local.set $K (call $ld (local.get $d) (i32.const 17)))
    (local.set $pixels (i32.mul (call $ld (local.get $d) (i32.const 5)) (call $ld (local.get $d) (i32.const 6))))
    (local.set $L (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 3)) (call $ld (local.get $d) (i32.const 4))) (local.get $cg)))
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1)))
                                             (call $ld (local.get $d) (i32.const 2))) (i32.const 2)))
    (local.set $outBytes (i32.shl (i32.mul (local.get $pixels) (local.get $K)) (i32.const 2)))
    (local.set $phi (call $ld (local.get $d) (i32.const 22)))
    (local.set $x (call $ld (local.get $d) (i32.const 18)))
    (local.set $y (call $ld (local.get $d) (i32.const 20)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (local.set $g (i32.const 0))
      (block $dg (loop $lg
        (br_if $dg (i32.ge_s (local.get $g) (call $ld (local.get $d) (i32.const 15))))
        (call $im2row_packed (local.get $d) (local.get $x) (i32.mul (local.get $g) (local.get $cg)) (local.get $cg) (local.get $phi))
        (call $sgemm (local.get $pixels) (local.get $kg) (local.get $L) (f32.const 1)
          (local.get $phi) (i32.const 0) (i32.const 2)
          (i32.add (call $ld (local.get $d) (i32.const 21)) (i32.shl (i32.mul (local.get $g) (local.get $kg)) (i32.const 2)))
          (local.get $K) (i32.const 0)
          (i32.add (local.get $y) (i32.shl (i32.mul (local.get $g) (local.get $kg)) (i32.const 2))) (local.get $K)
          (call $ld (local.get $d) (i32.const 25)) (call $ld (local.get $d) (i32.const 26)) (call $ld (local.get $d) (i32.const 27)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $lg)))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $y (i32.add (local.get $y) (local.get $outBytes)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  ;; φ (row-major, channels [d[13], d[13] + d[14])) of d[19] images from x, image i's at d[22] + i·d[29].
  (func (export "im2row_images") (param $d i32)
    (local $n i32) (local $x i32) (local $out i32) (local $imageBytes i32)
    (local.set $imageBytes (i32.shl (i32.mul (i32.mul (call $ld (local.get $d) (i32.const 0)) (call $ld (local.get $d) (i32.const 1)))
                                             (call $ld (local.get $d) (i32.const 2))) (i32.const 2)))
    (local.set $x (call $ld (local.get $d) (i32.const 18)))
    (local.set $out (call $ld (local.get $d) (i32.const 22)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (call $ld (local.get $d) (i32.const 19))))
      (call $im2row (local.get $d) (local.get $x) (call $ld (local.get $d) (i32.const 13)) (call $ld (local.get $d) (i32.const 14)) (local.get $out))
      (local.set $x (i32.add (local.get $x) (local.get $imageBytes)))
      (local.set $out (i32.add (local.get $out) (call $ld (local.get $d) (i32.const 29))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

;; ---- max pooling of images (manual §4.3), channels four at a time ----
  ;;
  ;; A pool task block `d` (int32 words): 0 H  1 W  2 C  3 Ho  4 Wo  5 Ph
  ;; 6 Pw  7 strideY  8 strideX  9 padTop  10 padLeft, then byte addresses
  ;; 11 x  12 count  13 y (forward) or dy (backward)  14 dx. Windows are
  ;; clipped to the image (−∞ padding). v wins over the best m so far when
  ;; v > m, or v is NaN and m is not (NaN propagates, the first NaN stays);
  ;; of equal values (+0 and −0 too) the first scanned stays. The forward
  ;; scans row by row, the backward column by column (MatConvNet's memory
  ;; order), where a window's first element also always wins (so an all −∞
  ;; window has a maximum), and adds dy into dx at that maximum, outputs in
  ;; order (kernels/pool.ts states the same rules).

  ;; [start, end) of output o's window along an axis: o·stride − pad + [0, window), clipped to [0, size).
  (func $win_start (param $o i32) (param $stride i32) (param $pad i32) (result i32)
    (local $s i32)
    (local.set $s (i32.sub (i32.mul (local.get $o) (local.get $stride)) (local.get $pad)))
    (select (local.get $s) (i32.const 0) (i32.gt_s (local.get $s) (i32.const 0))))
  (func $win_end (param $o i32) (param $stride i32) (param $pad i32) (param $window i32) (param $size i32) (result i32)
    (local $e i32)
    (local.set $e (i32.add (i32.sub (i32.mul (local.get $o) (local.get $stride)) (local.get $pad)) (local.get $window)))
    (select (local.get $e) (local.get $size) (i32.lt_s (local.get $e) (local.get $size))))

  (func (export "pool_max_images") (param $d i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Ho i32) (local $Wo i32) (local $C4 i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $y1 i32) (local $y2 i32) (local $x1 i32) (local $x2 i32)
    (local $iy i32) (local $ix i32) (local $k i32) (local $x i32) (local $out i32) (local $at i32)
    (local $m v128) (local $v v128) (local $ms f32) (local $vs f32)
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
          (local.set $k (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_s (local.get $k) (local.get $C4)))
            (local.set $m (f32x4.splat (f32.const -inf)))
            (local.set $iy (local.get $y1))
            (block $diy (loop $liy
              (br_if $diy (i32.ge_s (local.get $iy) (local.get $y2)))
              (local.set $ix (local.get $x1))
              (block $dix (loop $lix
                (br_if $dix (i32.ge_s (local.get $ix) (local.get $x2)))
                (local.set $v (v128.load (i32.add (local.get $x) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $k))
                  (i32.const 2)))))
                (local.set $m (v128.bitselect (local.get $v) (local.get $m)
                  (v128.or (f32x4.gt (local.get $v) (local.get $m))
                           (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $m) (local.get $m))))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $lix)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $liy)))
            (v128.store (local.get $out) (local.get $m))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $lk)))
          (block $dk1 (loop $lk1
            (br_if $dk1 (i32.ge_s (local.get $k) (local.get $C)))
            (local.set $ms (f32.const -inf))
            (local.set $iy (local.get $y1))
            (block $diy1 (loop $liy1
              (br_if $diy1 (i32.ge_s (local.get $iy) (local.get $y2)))
              (local.set $ix (local.get $x1))
              (block $dix1 (loop $lix1
                (br_if $dix1 (i32.ge_s (local.get $ix) (local.get $x2)))
                (local.set $vs (f32.load (i32.add (local.get $x) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $k))
                  (i32.const 2)))))
                (local.set $ms (select (local.get $vs) (local.get $ms)
                  (i32.or (f32.gt (local.get $vs) (local.get $ms))
                          (i32.and (f32.ne (local.get $vs) (local.get $vs)) (f32.eq (local.get $ms) (local.get $ms))))))
                (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                (br $lix1)))
              (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
              (br $liy1)))
            (f32.store (local.get $out) (local.get $ms))
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

  (func (export "pool_max_backward_images") (param $d i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Ho i32) (local $Wo i32) (local $C4 i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $y1 i32) (local $y2 i32) (local $x1 i32) (local $x2 i32)
    (local $iy i32) (local $ix i32) (local $k i32) (local $x i32) (local $dx i32) (local $dy i32) (local $p i32) (local $a i32)
    (local $best v128) (local $at v128) (local $v v128) (local $gt v128) (local $bs f32) (local $vs f32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Ho (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (local.set $x (call $ld (local.get $d) (i32.const 11)))
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
          (local.set $k (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_s (local.get $k) (local.get $C4)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const -1)))
            (local.set $ix (local.get $x1))
            (block $dix (loop $lix
              (br_if $dix (i32.ge_s (local.get $ix) (local.get $x2)))
              (local.set $iy (local.get $y1))
              (block $diy (loop $liy
                (br_if $diy (i32.ge_s (local.get $iy) (local.get $y2)))
                (local.set $p (i32.add (local.get $x) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $k))
                  (i32.const 2))))
                (local.set $v (v128.load (local.get $p)))
                (local.set $gt (v128.or
                  (v128.or (f32x4.gt (local.get $v) (local.get $best))
                           (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $best) (local.get $best))))
                  (i32x4.eq (local.get $at) (v128.const i32x4 -1 -1 -1 -1))))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
                (local.set $at (v128.bitselect (i32x4.add (i32x4.splat (i32.sub (local.get $p) (local.get $x))) (v128.const i32x4 0 4 8 12))
                                               (local.get $at) (local.get $gt)))
                (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
                (br $liy)))
              (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
              (br $lix)))
            ;; Lane l: dx at the maximum's offset (relative to this image) += dy.
            (local.set $a (i32x4.extract_lane 0 (local.get $at)))
            (if (i32.ge_s (local.get $a) (i32.const 0)) (then
              (local.set $a (i32.add (local.get $dx) (local.get $a)))
              (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.load offset=0 (local.get $dy))))))
            (local.set $a (i32x4.extract_lane 1 (local.get $at)))
            (if (i32.ge_s (local.get $a) (i32.const 0)) (then
              (local.set $a (i32.add (local.get $dx) (local.get $a)))
              (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.load offset=4 (local.get $dy))))))
            (local.set $a (i32x4.extract_lane 2 (local.get $at)))
            (if (i32.ge_s (local.get $a) (i32.const 0)) (then
              (local.set $a (i32.add (local.get $dx) (local.get $a)))
              (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.load offset=8 (local.get $dy))))))
            (local.set $a (i32x4.extract_lane 3 (local.get $at)))
            (if (i32.ge_s (local.get $a) (i32.const 0)) (then
              (local.set $a (i32.add (local.get $dx) (local.get $a)))
              (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.load offset=12 (local.get $dy))))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $lk)))
          (block $dk1 (loop $lk1
            (br_if $dk1 (i32.ge_s (local.get $k) (local.get $C)))
            (local.set $bs (f32.const -inf))
            (local.set $a (i32.const -1))
            (local.set $ix (local.get $x1))
            (block $dix1 (loop $lix1
              (br_if $dix1 (i32.ge_s (local.get $ix) (local.get $x2)))
              (local.set $iy (local.get $y1))
              (block $diy1 (loop $liy1
                (br_if $diy1 (i32.ge_s (local.get $iy) (local.get $y2)))
                (local.set $p (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $iy) (local.get $W)) (local.get $ix)) (local.get $C)) (local.get $k))
                  (i32.const 2)))
                (local.set $vs (f32.load (i32.add (local.get $x) (local.get $p))))
                (if (i32.or
                      (i32.or (f32.gt (local.get $vs) (local.get $bs))
                              (i32.and (f32.ne (local.get $vs) (local.get $vs)) (f32.eq (local.get $bs) (local.get $bs))))
                      (i32.eq (local.get $a) (i32.const -1))) (then
                  (local.set $bs (local.get $vs))
                  (local.set $a (local.get $p))))
                (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
                (br $liy1)))
              (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
              (br $lix1)))
            (if (i32.ge_s (local.get $a) (i32.const 0)) (then
              (local.set $a (i32.add (local.get $dx) (local.get $a)))
              (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.load (local.get $dy))))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $lk1)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $lox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loy)))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2))))
      (local.set $dx (i32.add (local.get $dx) (i32.shl (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $C)) (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  (export "MC" (global $MC))
  (export "KC" (global $KC))
  (export "NC" (global $NC))
)
