  ;; ---- max pooling of images (manual §4.3), channels four at a time ----
  ;; (win_start and win_end are also used by average pooling, kernels-rows.part.wat)
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
