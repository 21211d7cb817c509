;; The trailing sweep of one step of the Householder tridiagonalisation (`tridiagonalize` in
;; symmetric-eigen.ts), in f64x2 SIMD: rows k1..n-1 of the lower triangle of the working matrix
;; w (n x n, row-major), where all of its O(n^3) work is. Pointers are byte offsets.
;;
;; The reduction defers each step's rank-2 update (vp, wp) to the next step's sweep, so that one
;; pass over the triangle both applies it and accumulates p += A22 v:
;;   update:  w_ij -= vp_i wp_j + wp_i vp_j                      (j <= i)
;;   product: p_j += w_ij v_i (j < i),  p_i += sum_(j<i) w_ij v_j + w_ii v_i
;; One function per combination, because a step may have either without the other (no pending
;; update after a trivial reflector; no product when the column is already reduced). They are
;; the same loop otherwise; the sums run in two lanes then the odd column, like matvec.wat.
;;
;; v128 accesses carry align=8: row starts and k1 are 8-byte aligned only.
(module
  (import "env" "memory" (memory 1))

  (func (export "sweepUpdateAndProduct")
    (param $w i32) (param $n i32) (param $k1 i32) (param $vp i32) (param $wp i32) (param $v i32) (param $p i32)
    (local $i i32) (local $row i32) (local $j i32) (local $jEnd i32) (local $rowBytes i32)
    (local $vpiv v128) (local $wpiv v128) (local $viv v128) (local $sv v128) (local $av v128)
    (local $vpi f64) (local $wpi f64) (local $vi f64) (local $a f64) (local $s f64)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (local.get $k1))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $vpi (f64.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $wpi (f64.load (i32.add (local.get $wp) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $vi (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $vpiv (f64x2.splat (local.get $vpi)))
        (local.set $wpiv (f64x2.splat (local.get $wpi)))
        (local.set $viv (f64x2.splat (local.get $vi)))
        (local.set $sv (f64x2.splat (f64.const 0)))
        (local.set $s (f64.const 0))
        ;; columns k1 <= j < i ($j, $jEnd: byte offsets within the row; $jEnd is the diagonal's)
        (local.set $j (i32.shl (local.get $k1) (i32.const 3)))
        (local.set $jEnd (i32.shl (local.get $i) (i32.const 3)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
            ;; a = w_ij - (vp_i wp_j + wp_i vp_j), stored back
            (local.set $av
              (f64x2.sub
                (v128.load align=8 (i32.add (local.get $row) (local.get $j)))
                (f64x2.add
                  (f64x2.mul (local.get $vpiv) (v128.load align=8 (i32.add (local.get $wp) (local.get $j))))
                  (f64x2.mul (local.get $wpiv) (v128.load align=8 (i32.add (local.get $vp) (local.get $j)))))))
            (v128.store align=8 (i32.add (local.get $row) (local.get $j)) (local.get $av))
            ;; s += a v_j; p_j += a v_i
            (local.set $sv (f64x2.add (local.get $sv) (f64x2.mul (local.get $av) (v128.load align=8 (i32.add (local.get $v) (local.get $j))))))
            (v128.store align=8 (i32.add (local.get $p) (local.get $j))
              (f64x2.add (v128.load align=8 (i32.add (local.get $p) (local.get $j))) (f64x2.mul (local.get $av) (local.get $viv))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        ;; an odd column left: the same in scalar code
        (if (i32.lt_u (local.get $j) (local.get $jEnd))
          (then
            (local.set $a
              (f64.sub
                (f64.load (i32.add (local.get $row) (local.get $j)))
                (f64.add
                  (f64.mul (local.get $vpi) (f64.load (i32.add (local.get $wp) (local.get $j))))
                  (f64.mul (local.get $wpi) (f64.load (i32.add (local.get $vp) (local.get $j)))))))
            (f64.store (i32.add (local.get $row) (local.get $j)) (local.get $a))
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $a) (f64.load (i32.add (local.get $v) (local.get $j))))))
            (f64.store (i32.add (local.get $p) (local.get $j))
              (f64.add (f64.load (i32.add (local.get $p) (local.get $j))) (f64.mul (local.get $a) (local.get $vi))))))
        ;; the diagonal: a = w_ii - 2 vp_i wp_i, stored back; p_i += (lanes of sv + s) + a v_i
        (local.set $a
          (f64.sub
            (f64.load (i32.add (local.get $row) (local.get $jEnd)))
            (f64.add (f64.mul (local.get $vpi) (local.get $wpi)) (f64.mul (local.get $vpi) (local.get $wpi)))))
        (f64.store (i32.add (local.get $row) (local.get $jEnd)) (local.get $a))
        (f64.store (i32.add (local.get $p) (local.get $jEnd))
          (f64.add
            (f64.load (i32.add (local.get $p) (local.get $jEnd)))
            (f64.add
              (f64.add
                (f64.add (f64x2.extract_lane 0 (local.get $sv)) (f64x2.extract_lane 1 (local.get $sv)))
                (local.get $s))
              (f64.mul (local.get $a) (local.get $vi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; The update alone, the diagonal included in the column loop (j <= i).
  (func (export "sweepUpdate")
    (param $w i32) (param $n i32) (param $k1 i32) (param $vp i32) (param $wp i32)
    (local $i i32) (local $row i32) (local $j i32) (local $jEnd i32) (local $rowBytes i32)
    (local $vpiv v128) (local $wpiv v128) (local $av v128)
    (local $vpi f64) (local $wpi f64) (local $a f64)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (local.get $k1))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $vpi (f64.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $wpi (f64.load (i32.add (local.get $wp) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $vpiv (f64x2.splat (local.get $vpi)))
        (local.set $wpiv (f64x2.splat (local.get $wpi)))
        ;; columns k1 <= j <= i
        (local.set $j (i32.shl (local.get $k1) (i32.const 3)))
        (local.set $jEnd (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
            (local.set $av
              (f64x2.sub
                (v128.load align=8 (i32.add (local.get $row) (local.get $j)))
                (f64x2.add
                  (f64x2.mul (local.get $vpiv) (v128.load align=8 (i32.add (local.get $wp) (local.get $j))))
                  (f64x2.mul (local.get $wpiv) (v128.load align=8 (i32.add (local.get $vp) (local.get $j)))))))
            (v128.store align=8 (i32.add (local.get $row) (local.get $j)) (local.get $av))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $jEnd))
          (then
            (local.set $a
              (f64.sub
                (f64.load (i32.add (local.get $row) (local.get $j)))
                (f64.add
                  (f64.mul (local.get $vpi) (f64.load (i32.add (local.get $wp) (local.get $j))))
                  (f64.mul (local.get $wpi) (f64.load (i32.add (local.get $vp) (local.get $j)))))))
            (f64.store (i32.add (local.get $row) (local.get $j)) (local.get $a))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; The product alone.
  (func (export "sweepProduct")
    (param $w i32) (param $n i32) (param $k1 i32) (param $v i32) (param $p i32)
    (local $i i32) (local $row i32) (local $j i32) (local $jEnd i32) (local $rowBytes i32)
    (local $viv v128) (local $sv v128) (local $av v128)
    (local $vi f64) (local $a f64) (local $s f64)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (local.get $k1))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $vi (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $viv (f64x2.splat (local.get $vi)))
        (local.set $sv (f64x2.splat (f64.const 0)))
        (local.set $s (f64.const 0))
        ;; columns k1 <= j < i
        (local.set $j (i32.shl (local.get $k1) (i32.const 3)))
        (local.set $jEnd (i32.shl (local.get $i) (i32.const 3)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
            (local.set $av (v128.load align=8 (i32.add (local.get $row) (local.get $j))))
            (local.set $sv (f64x2.add (local.get $sv) (f64x2.mul (local.get $av) (v128.load align=8 (i32.add (local.get $v) (local.get $j))))))
            (v128.store align=8 (i32.add (local.get $p) (local.get $j))
              (f64x2.add (v128.load align=8 (i32.add (local.get $p) (local.get $j))) (f64x2.mul (local.get $av) (local.get $viv))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $jEnd))
          (then
            (local.set $a (f64.load (i32.add (local.get $row) (local.get $j))))
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $a) (f64.load (i32.add (local.get $v) (local.get $j))))))
            (f64.store (i32.add (local.get $p) (local.get $j))
              (f64.add (f64.load (i32.add (local.get $p) (local.get $j))) (f64.mul (local.get $a) (local.get $vi))))))
        ;; the diagonal: p_i += (lanes of sv + s) + w_ii v_i
        (local.set $a (f64.load (i32.add (local.get $row) (local.get $jEnd))))
        (f64.store (i32.add (local.get $p) (local.get $jEnd))
          (f64.add
            (f64.load (i32.add (local.get $p) (local.get $jEnd)))
            (f64.add
              (f64.add
                (f64.add (f64x2.extract_lane 0 (local.get $sv)) (f64x2.extract_lane 1 (local.get $sv)))
                (local.get $s))
              (f64.mul (local.get $a) (local.get $vi)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
