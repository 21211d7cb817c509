;; y = S x for a symmetric S (n x n, row-major) read from its lower triangle only, in f64x2 SIMD:
;; each S_ij below the diagonal is loaded once and used twice (S_ij x_j into y_i, S_ij x_i into
;; y_j), half the memory traffic of a full product, which is what limits it at large n.
;;
;; Rows go in blocks of four, i0 = 4 floor(i / 4); this kernel does the columns j < i0 of each
;; block, so the column loop always covers whole lane pairs. The 4 x 4 diagonal blocks are left to
;; the caller (simd.ts adds them from a compact copy).
;;
;; v128 accesses carry align=8: rows of an odd-sized matrix start on 8-byte boundaries only.
(module
  (import "env" "memory" (memory 1))

  (func (export "symv") (param $a i32) (param $x i32) (param $y i32) (param $n i32)
    (local $i i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $j i32) (local $jEnd i32) (local $rowBytes i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $xv v128) (local $yv v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))

    ;; y = 0 ($j as a pointer here)
    (local.set $j (local.get $y))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_s (local.get $j) (i32.add (local.get $y) (local.get $rowBytes))))
        (f64.store (local.get $j) (f64.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $zero)))
    (local.set $i (i32.const 0))

    ;; full blocks of four rows: columns [0, i), $j and $jEnd byte offsets within a row
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.lt_s (i32.sub (local.get $n) (local.get $i)) (i32.const 4)))
        (local.set $jEnd (i32.shl (local.get $i) (i32.const 3)))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $rowBytes)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $rowBytes)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $rowBytes)))
        (local.set $x0 (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $x1 (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3))))))
        (local.set $x2 (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3))))))
        (local.set $x3 (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (i32.const 3)) (i32.const 3))))))
        (local.set $s0 (f64x2.splat (f64.const 0)))
        (local.set $s1 (f64x2.splat (f64.const 0)))
        (local.set $s2 (f64x2.splat (f64.const 0)))
        (local.set $s3 (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
            (local.set $xv (v128.load align=8 (i32.add (local.get $x) (local.get $j))))
            (local.set $yv (v128.load align=8 (i32.add (local.get $y) (local.get $j))))
            ;; row k's pair S_k: s_k += S_k x[j..j+1], y[j..j+1] += S_k x_(i+k)
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $p0) (local.get $j))) (local.get $xv))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (i32.add (local.get $p0) (local.get $j))) (local.get $x0))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (i32.add (local.get $p1) (local.get $j))) (local.get $xv))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (i32.add (local.get $p1) (local.get $j))) (local.get $x1))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (i32.add (local.get $p2) (local.get $j))) (local.get $xv))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (i32.add (local.get $p2) (local.get $j))) (local.get $x2))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (i32.add (local.get $p3) (local.get $j))) (local.get $xv))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (i32.add (local.get $p3) (local.get $j))) (local.get $x3))))
            (v128.store align=8 (i32.add (local.get $y) (local.get $j)) (local.get $yv))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        ;; y_(i+k) += both lanes of s_k
        (f64.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))))
            (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))))
        (f64.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3))))
            (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1)))))
        (f64.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3))))
            (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2)))))
        (f64.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 3)) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 3)) (i32.const 3))))
            (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))

    ;; the last rows (fewer than four), one at a time: columns [0, i0), i0 their block's first row
    (local.set $jEnd (i32.shl (local.get $i) (i32.const 3)))
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $x0 (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $s0 (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $j) (local.get $jEnd)))
            (local.set $xv (v128.load align=8 (i32.add (local.get $x) (local.get $j))))
            (local.set $yv (v128.load align=8 (i32.add (local.get $y) (local.get $j))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $p0) (local.get $j))) (local.get $xv))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (i32.add (local.get $p0) (local.get $j))) (local.get $x0))))
            (v128.store align=8 (i32.add (local.get $y) (local.get $j)) (local.get $yv))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (f64.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add (f64.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))))
            (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))
)
