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
  ;;
  ;; The loops walk byte addresses (a window row is `cols` pixels of C·4
  ;; bytes, rows W·C·4 apart); channels are the outer loop, so a window's
  ;; running maximum stays in a register.

  ;; [start, end) of output o's window along an axis: o·stride − pad + [0, window), clipped to [0, size).
  (func $win_start (param $o i32) (param $stride i32) (param $pad i32) (result i32)
    (local $s i32)
    (local.set $s (i32.sub (i32.mul (local.get $o) (local.get $stride)) (local.get $pad)))
    (select (local.get $s) (i32.const 0) (i32.gt_s (local.get $s) (i32.const 0))))
  (func $win_end (param $o i32) (param $stride i32) (param $pad i32) (param $window i32) (param $size i32) (result i32)
    (local $e i32)
    (local.set $e (i32.add (i32.sub (i32.mul (local.get $o) (local.get $stride)) (local.get $pad)) (local.get $window)))
    (select (local.get $e) (local.get $size) (i32.lt_s (local.get $e) (local.get $size))))
  ;; Pixels of output o's clipped window along an axis (0 when it lies in the padding).
  (func $win_len (param $o i32) (param $stride i32) (param $pad i32) (param $window i32) (param $size i32) (result i32)
    (local $l i32)
    (local.set $l (i32.sub (call $win_end (local.get $o) (local.get $stride) (local.get $pad) (local.get $window) (local.get $size))
                           (call $win_start (local.get $o) (local.get $stride) (local.get $pad))))
    (select (local.get $l) (i32.const 0) (i32.gt_s (local.get $l) (i32.const 0))))

  ;; y = the maximum of each window, row by row.
  (func (export "pool_max_images") (param $d i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Ho i32) (local $Wo i32) (local $ph i32) (local $pw i32)
    (local $sy i32) (local $sx i32) (local $pt i32) (local $pl i32) (local $count i32)
    (local $pix i32) (local $row i32) (local $image i32) (local $c4 i32) (local $cb i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $y1 i32) (local $rows i32) (local $span i32)
    (local $x i32) (local $out i32) (local $w0 i32) (local $k i32) (local $r i32) (local $rEnd i32) (local $q i32) (local $qEnd i32)
    (local $m v128) (local $v v128) (local $nan v128) (local $ms f32) (local $vs f32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Ho (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 4)))
    (local.set $ph (call $ld (local.get $d) (i32.const 5)))
    (local.set $pw (call $ld (local.get $d) (i32.const 6)))
    (local.set $sy (call $ld (local.get $d) (i32.const 7)))
    (local.set $sx (call $ld (local.get $d) (i32.const 8)))
    (local.set $pt (call $ld (local.get $d) (i32.const 9)))
    (local.set $pl (call $ld (local.get $d) (i32.const 10)))
    (local.set $x (call $ld (local.get $d) (i32.const 11)))
    (local.set $count (call $ld (local.get $d) (i32.const 12)))
    (local.set $out (call $ld (local.get $d) (i32.const 13)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $c4 (i32.and (local.get $cb) (i32.const -16)))
    (local.set $pix (local.get $cb))
    (local.set $row (i32.mul (local.get $W) (local.get $pix)))
    (local.set $image (i32.mul (local.get $H) (local.get $row)))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (local.get $count)))
      (local.set $oy (i32.const 0))
      (block $doy (loop $loy
        (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
        (local.set $y1 (call $win_start (local.get $oy) (local.get $sy) (local.get $pt)))
        (local.set $rows (i32.mul (call $win_len (local.get $oy) (local.get $sy) (local.get $pt) (local.get $ph) (local.get $H)) (local.get $row)))
        (local.set $ox (i32.const 0))
        (block $dox (loop $lox
          (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
          (local.set $w0 (i32.add (local.get $x) (i32.add (i32.mul (local.get $y1) (local.get $row))
            (i32.mul (call $win_start (local.get $ox) (local.get $sx) (local.get $pl)) (local.get $pix)))))
          (local.set $span (i32.mul (call $win_len (local.get $ox) (local.get $sx) (local.get $pl) (local.get $pw) (local.get $W)) (local.get $pix)))
          (local.set $k (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_u (local.get $k) (local.get $c4)))
            (local.set $m (f32x4.splat (f32.const -inf)))
            (local.set $nan (v128.const i32x4 0 0 0 0))
            (local.set $r (i32.add (local.get $w0) (local.get $k)))
            (local.set $rEnd (i32.add (local.get $r) (local.get $rows)))
            (block $dr (loop $lr
              (br_if $dr (i32.ge_u (local.get $r) (local.get $rEnd)))
              (local.set $q (local.get $r))
              (local.set $qEnd (i32.add (local.get $r) (local.get $span)))
              (block $dri (loop $lri
                (br_if $dri (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $v (v128.load (local.get $q)))
                (local.set $m (f32x4.pmax (local.get $m) (local.get $v)))
                (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
                (local.set $q (i32.add (local.get $q) (local.get $pix)))
                (br $lri)))
              (local.set $r (i32.add (local.get $r) (local.get $row)))
              (br $lr)))
            ;; pmax(m, v) is v > m ? v : m; a window with a NaN is scanned again by the full rule.
            (if (v128.any_true (local.get $nan)) (then
              (local.set $m (f32x4.splat (f32.const -inf)))
              (local.set $r (i32.add (local.get $w0) (local.get $k)))
              (block $drn (loop $lrn
                (br_if $drn (i32.ge_u (local.get $r) (local.get $rEnd)))
                (local.set $q (local.get $r))
                (local.set $qEnd (i32.add (local.get $r) (local.get $span)))
                (block $drni (loop $lrni
                  (br_if $drni (i32.ge_u (local.get $q) (local.get $qEnd)))
                  (local.set $v (v128.load (local.get $q)))
                  (local.set $m (v128.bitselect (local.get $v) (local.get $m)
                    (v128.or (f32x4.gt (local.get $v) (local.get $m))
                             (v128.andnot (f32x4.ne (local.get $v) (local.get $v)) (f32x4.ne (local.get $m) (local.get $m))))))
                  (local.set $q (i32.add (local.get $q) (local.get $pix)))
                  (br $lrni)))
                (local.set $r (i32.add (local.get $r) (local.get $row)))
                (br $lrn)))
            ))
            (v128.store (local.get $out) (local.get $m))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $lk)))
          (block $dk1 (loop $lk1
            (br_if $dk1 (i32.ge_u (local.get $k) (local.get $cb)))
            (local.set $ms (f32.const -inf))
            (local.set $r (i32.add (local.get $w0) (local.get $k)))
            (local.set $rEnd (i32.add (local.get $r) (local.get $rows)))
            (block $dr1 (loop $lr1
              (br_if $dr1 (i32.ge_u (local.get $r) (local.get $rEnd)))
              (local.set $q (local.get $r))
              (local.set $qEnd (i32.add (local.get $r) (local.get $span)))
              (block $dq1 (loop $lq1
                (br_if $dq1 (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $vs (f32.load (local.get $q)))
                (local.set $ms (select (local.get $vs) (local.get $ms)
                  (i32.or (f32.gt (local.get $vs) (local.get $ms))
                          (i32.and (f32.ne (local.get $vs) (local.get $vs)) (f32.eq (local.get $ms) (local.get $ms))))))
                (local.set $q (i32.add (local.get $q) (local.get $pix)))
                (br $lq1)))
              (local.set $r (i32.add (local.get $r) (local.get $row)))
              (br $lr1)))
            (f32.store (local.get $out) (local.get $ms))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $lk1)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $lox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loy)))
      (local.set $x (i32.add (local.get $x) (local.get $image)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))

  ;; dx = the derivative of dy, in two scans of each window, column by column:
  ;; the maximum m as above (from −∞), then the first element that is m or NaN
  ;; (the first maximum by the rule; the first element when all are −∞) takes
  ;; dy. Where the windows tile the images exactly (stride = window, no
  ;; padding, H = Ho·Ph, W = Wo·Pw) every dx element is stored once, +0 + dy
  ;; at the maximum and +0 elsewhere; otherwise the images' dx are zeroed
  ;; first and dy (+0 where not the maximum: dx is never −0, so adding +0
  ;; changes nothing) added, outputs in order.
  (func (export "pool_max_backward_images") (param $d i32)
    (local $H i32) (local $W i32) (local $C i32) (local $Ho i32) (local $Wo i32) (local $ph i32) (local $pw i32)
    (local $sy i32) (local $sx i32) (local $pt i32) (local $pl i32) (local $count i32)
    (local $pix i32) (local $row i32) (local $image i32) (local $c4 i32) (local $cb i32) (local $tile i32) (local $delta i32)
    (local $n i32) (local $oy i32) (local $ox i32) (local $y1 i32) (local $rows i32) (local $span i32)
    (local $x i32) (local $dy i32) (local $w0 i32) (local $k i32) (local $c i32) (local $cEnd i32) (local $q i32) (local $qEnd i32) (local $p i32)
    (local $g v128) (local $best v128) (local $v v128) (local $eq v128) (local $found v128) (local $at v128) (local $nan v128)
    (local $gs f32) (local $bs f32) (local $vs f32) (local $fs i32)
    (local.set $H (call $ld (local.get $d) (i32.const 0)))
    (local.set $W (call $ld (local.get $d) (i32.const 1)))
    (local.set $C (call $ld (local.get $d) (i32.const 2)))
    (local.set $Ho (call $ld (local.get $d) (i32.const 3)))
    (local.set $Wo (call $ld (local.get $d) (i32.const 4)))
    (local.set $ph (call $ld (local.get $d) (i32.const 5)))
    (local.set $pw (call $ld (local.get $d) (i32.const 6)))
    (local.set $sy (call $ld (local.get $d) (i32.const 7)))
    (local.set $sx (call $ld (local.get $d) (i32.const 8)))
    (local.set $pt (call $ld (local.get $d) (i32.const 9)))
    (local.set $pl (call $ld (local.get $d) (i32.const 10)))
    (local.set $x (call $ld (local.get $d) (i32.const 11)))
    (local.set $count (call $ld (local.get $d) (i32.const 12)))
    (local.set $dy (call $ld (local.get $d) (i32.const 13)))
    ;; dx's address of an element is its x address + delta (both advance an image at a time).
    (local.set $delta (i32.sub (call $ld (local.get $d) (i32.const 14)) (local.get $x)))
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $c4 (i32.and (local.get $cb) (i32.const -16)))
    (local.set $pix (local.get $cb))
    (local.set $row (i32.mul (local.get $W) (local.get $pix)))
    (local.set $image (i32.mul (local.get $H) (local.get $row)))
    (local.set $tile (i32.and
      (i32.and (i32.and (i32.eq (local.get $sy) (local.get $ph)) (i32.eq (local.get $sx) (local.get $pw)))
               (i32.and (i32.eqz (local.get $pt)) (i32.eqz (local.get $pl))))
      (i32.and (i32.eq (local.get $H) (i32.mul (local.get $Ho) (local.get $ph))) (i32.eq (local.get $W) (i32.mul (local.get $Wo) (local.get $pw))))))
    (block $dn (loop $ln
      (br_if $dn (i32.ge_s (local.get $n) (local.get $count)))
      (if (i32.eqz (local.get $tile)) (then
        (memory.fill (i32.add (local.get $x) (local.get $delta)) (i32.const 0) (local.get $image))))
      (local.set $oy (i32.const 0))
      (block $doy (loop $loy
        (br_if $doy (i32.ge_s (local.get $oy) (local.get $Ho)))
        (local.set $y1 (call $win_start (local.get $oy) (local.get $sy) (local.get $pt)))
        (local.set $rows (i32.mul (call $win_len (local.get $oy) (local.get $sy) (local.get $pt) (local.get $ph) (local.get $H)) (local.get $row)))
        (local.set $ox (i32.const 0))
        (block $dox (loop $lox
          (br_if $dox (i32.ge_s (local.get $ox) (local.get $Wo)))
          (local.set $w0 (i32.add (local.get $x) (i32.add (i32.mul (local.get $y1) (local.get $row))
            (i32.mul (call $win_start (local.get $ox) (local.get $sx) (local.get $pl)) (local.get $pix)))))
          (local.set $span (i32.mul (call $win_len (local.get $ox) (local.get $sx) (local.get $pl) (local.get $pw) (local.get $W)) (local.get $pix)))
          (local.set $k (i32.const 0))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_u (local.get $k) (local.get $c4)))
            (local.set $g (v128.load (local.get $dy)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $c (i32.add (local.get $w0) (local.get $k)))
            (local.set $cEnd (i32.add (local.get $c) (local.get $span)))
            (if (local.get $tile) (then
              ;; Two scans: the maximum, then each element's dx is +0 + dy at the first maximum, +0 elsewhere.
              (local.set $g (f32x4.add (local.get $g) (f32x4.splat (f32.const 0))))
              (local.set $nan (v128.const i32x4 0 0 0 0))
              (block $dc (loop $lc
                (br_if $dc (i32.ge_u (local.get $c) (local.get $cEnd)))
                (local.set $q (local.get $c))
                (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
                (block $dci (loop $lci
                  (br_if $dci (i32.ge_u (local.get $q) (local.get $qEnd)))
                  (local.set $v (v128.load (local.get $q)))
                  (local.set $best (f32x4.pmax (local.get $best) (local.get $v)))
                  (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
                  (local.set $q (i32.add (local.get $q) (local.get $row)))
                  (br $lci)))
                (local.set $c (i32.add (local.get $c) (local.get $pix)))
                (br $lc)))
              (if (v128.any_true (local.get $nan)) (then
                (local.set $best (f32x4.splat (f32.const -inf)))
                (local.set $c (i32.add (local.get $w0) (local.get $k)))
                (block $dcn (loop $lcn
                  (br_if $dcn (i32.ge_u (local.get $c) (local.get $cEnd)))
                  (local.set $q (local.get $c))
                  (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
                  (block $dcni (loop $lcni
                    (br_if $dcni (i32.ge_u (local.get $q) (local.get $qEnd)))
                    (local.set $v (v128.load (local.get $q)))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best)
                      (v128.or (f32x4.gt (local.get $v) (local.get $best))
                               (v128.andnot (f32x4.ne (local.get $v) (local.get $v)) (f32x4.ne (local.get $best) (local.get $best))))))
                    (local.set $q (i32.add (local.get $q) (local.get $row)))
                    (br $lcni)))
                  (local.set $c (i32.add (local.get $c) (local.get $pix)))
                  (br $lcn)))
              ))
              (local.set $found (v128.const i32x4 0 0 0 0))
              (local.set $c (i32.add (local.get $w0) (local.get $k)))
              (block $dc2 (loop $lc2
                (br_if $dc2 (i32.ge_u (local.get $c) (local.get $cEnd)))
                (local.set $q (local.get $c))
                (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
                (block $dq2 (loop $lq2
                  (br_if $dq2 (i32.ge_u (local.get $q) (local.get $qEnd)))
                  (local.set $v (v128.load (local.get $q)))
                  (local.set $eq (v128.or (f32x4.eq (local.get $v) (local.get $best)) (f32x4.ne (local.get $v) (local.get $v))))
                  (v128.store (i32.add (local.get $q) (local.get $delta)) (v128.and (local.get $g) (v128.andnot (local.get $eq) (local.get $found))))
                  (local.set $found (v128.or (local.get $found) (local.get $eq)))
                  (local.set $q (i32.add (local.get $q) (local.get $row)))
                  (br $lq2)))
                (local.set $c (i32.add (local.get $c) (local.get $pix)))
                (br $lc2)))
            ) (else (if (i32.and (i32.ne (local.get $rows) (i32.const 0)) (i32.ne (local.get $span) (i32.const 0))) (then
              ;; One scan keeping the maximum's address per lane (from the window's first element), then dx += dy there.
              (local.set $at (i32x4.splat (local.get $c)))
              (local.set $nan (v128.const i32x4 0 0 0 0))
              (block $dc3 (loop $lc3
                (br_if $dc3 (i32.ge_u (local.get $c) (local.get $cEnd)))
                (local.set $q (local.get $c))
                (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
                (block $dc3i (loop $lc3i
                  (br_if $dc3i (i32.ge_u (local.get $q) (local.get $qEnd)))
                  (local.set $v (v128.load (local.get $q)))
                  (local.set $eq (f32x4.lt (local.get $best) (local.get $v)))
                  (local.set $best (f32x4.pmax (local.get $best) (local.get $v)))
                  (local.set $at (v128.bitselect (i32x4.splat (local.get $q)) (local.get $at) (local.get $eq)))
                  (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
                  (local.set $q (i32.add (local.get $q) (local.get $row)))
                  (br $lc3i)))
                (local.set $c (i32.add (local.get $c) (local.get $pix)))
                (br $lc3)))
              (if (v128.any_true (local.get $nan)) (then
                (local.set $best (f32x4.splat (f32.const -inf)))
                (local.set $c (i32.add (local.get $w0) (local.get $k)))
                (local.set $at (i32x4.splat (local.get $c)))
                (block $dc3n (loop $lc3n
                  (br_if $dc3n (i32.ge_u (local.get $c) (local.get $cEnd)))
                  (local.set $q (local.get $c))
                  (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
                  (block $dc3ni (loop $lc3ni
                    (br_if $dc3ni (i32.ge_u (local.get $q) (local.get $qEnd)))
                    (local.set $v (v128.load (local.get $q)))
                    (local.set $eq
                      (v128.or (f32x4.gt (local.get $v) (local.get $best))
                               (v128.andnot (f32x4.ne (local.get $v) (local.get $v)) (f32x4.ne (local.get $best) (local.get $best)))))
                    (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $eq)))
                    (local.set $at (v128.bitselect (i32x4.splat (local.get $q)) (local.get $at) (local.get $eq)))
                    (local.set $q (i32.add (local.get $q) (local.get $row)))
                    (br $lc3ni)))
                  (local.set $c (i32.add (local.get $c) (local.get $pix)))
                  (br $lc3n)))
              ))
              (local.set $at (i32x4.add (i32x4.add (local.get $at) (i32x4.splat (local.get $delta))) (v128.const i32x4 0 4 8 12)))
              (local.set $p (i32x4.extract_lane 0 (local.get $at)))
              (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 0 (local.get $g))))
              (local.set $p (i32x4.extract_lane 1 (local.get $at)))
              (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 1 (local.get $g))))
              (local.set $p (i32x4.extract_lane 2 (local.get $at)))
              (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 2 (local.get $g))))
              (local.set $p (i32x4.extract_lane 3 (local.get $at)))
              (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32x4.extract_lane 3 (local.get $g))))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $lk)))
          (block $dk1 (loop $lk1
            (br_if $dk1 (i32.ge_u (local.get $k) (local.get $cb)))
            (local.set $gs (f32.add (f32.load (local.get $dy)) (f32.const 0)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
            (local.set $bs (f32.const -inf))
            (local.set $c (i32.add (local.get $w0) (local.get $k)))
            (local.set $cEnd (i32.add (local.get $c) (local.get $span)))
            (block $dc1 (loop $lc1
              (br_if $dc1 (i32.ge_u (local.get $c) (local.get $cEnd)))
              (local.set $q (local.get $c))
              (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
              (block $dq1 (loop $lq1
                (br_if $dq1 (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $vs (f32.load (local.get $q)))
                (local.set $bs (select (local.get $vs) (local.get $bs)
                  (i32.or (f32.gt (local.get $vs) (local.get $bs))
                          (i32.and (f32.ne (local.get $vs) (local.get $vs)) (f32.eq (local.get $bs) (local.get $bs))))))
                (local.set $q (i32.add (local.get $q) (local.get $row)))
                (br $lq1)))
              (local.set $c (i32.add (local.get $c) (local.get $pix)))
              (br $lc1)))
            (local.set $fs (i32.const 0))
            (local.set $c (i32.add (local.get $w0) (local.get $k)))
            (block $dc3 (loop $lc3
              (br_if $dc3 (i32.ge_u (local.get $c) (local.get $cEnd)))
              (local.set $q (local.get $c))
              (local.set $qEnd (i32.add (local.get $c) (local.get $rows)))
              (block $dq3 (loop $lq3
                (br_if $dq3 (i32.ge_u (local.get $q) (local.get $qEnd)))
                (local.set $vs (f32.load (local.get $q)))
                (local.set $p (i32.add (local.get $q) (local.get $delta)))
                (if (i32.and (i32.eqz (local.get $fs)) (i32.or (f32.eq (local.get $vs) (local.get $bs)) (f32.ne (local.get $vs) (local.get $vs))))
                  (then
                    (local.set $fs (i32.const 1))
                    (f32.store (local.get $p) (select (local.get $gs) (f32.add (f32.load (local.get $p)) (local.get $gs)) (local.get $tile))))
                  (else (if (local.get $tile) (then (f32.store (local.get $p) (f32.const 0))))))
                (local.set $q (i32.add (local.get $q) (local.get $row)))
                (br $lq3)))
              (local.set $c (i32.add (local.get $c) (local.get $pix)))
              (br $lc3)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $lk1)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $lox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loy)))
      (local.set $x (i32.add (local.get $x) (local.get $image)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $ln))))
