;; Dense matrix-vector products y = A x and y = A^T x, A row-major (rows x cols), in f64x2 SIMD.
;; Every pointer is a byte offset into the imported memory. The Lanczos operators and the
;; Gram-Schmidt pass against a stored basis (simd.ts) call these O(rows cols) loops thousands
;; of times per sweep.
;;
;; Both take four rows at a time: each load of x (mv) or of y (mvt) then feeds four rows, which
;; is what makes them memory-bound rather than load-bound. Columns go two at a time, one per
;; lane; an odd last column is done in scalar code after the vector loop.
;;
;; v128 accesses carry align=8: a row of an odd-width matrix starts on an 8-byte boundary only.
;; (The hint never changes results; V8 ignores it.)
(module
  (import "env" "memory" (memory 1))

  ;; y_i = sum_j A_ij x_j. Each row is summed in two lanes (even and odd columns), the lanes are
  ;; then added, then the odd last column: results differ from matrix.ts's left-to-right sums in
  ;; the last bits, deterministically.
  (func (export "mv") (param $a i32) (param $x i32) (param $y i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $rowBytes i32) (local $xEvenEnd i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $xp i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $xv v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $xl f64)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    ;; x + 8 * (cols rounded down to even): where the two-lane loop stops
    (local.set $xEvenEnd
      (i32.add (local.get $x) (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3))))
    (local.set $i (i32.const 0))

    ;; four rows at a time while i + 4 <= rows
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.lt_s (i32.sub (local.get $rows) (local.get $i)) (i32.const 4)))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $rowBytes)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $rowBytes)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $rowBytes)))
        (local.set $acc0 (f64x2.splat (f64.const 0)))
        (local.set $acc1 (f64x2.splat (f64.const 0)))
        (local.set $acc2 (f64x2.splat (f64.const 0)))
        (local.set $acc3 (f64x2.splat (f64.const 0)))
        (local.set $xp (local.get $x))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $xp) (local.get $xEvenEnd)))
            (local.set $xv (v128.load align=8 (local.get $xp)))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load align=8 (local.get $p0)) (local.get $xv))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (v128.load align=8 (local.get $p1)) (local.get $xv))))
            (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (v128.load align=8 (local.get $p2)) (local.get $xv))))
            (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (v128.load align=8 (local.get $p3)) (local.get $xv))))
            (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
            (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
            (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
            (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
            (br $pairs)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1))))
        (local.set $s2 (f64.add (f64x2.extract_lane 0 (local.get $acc2)) (f64x2.extract_lane 1 (local.get $acc2))))
        (local.set $s3 (f64.add (f64x2.extract_lane 0 (local.get $acc3)) (f64x2.extract_lane 1 (local.get $acc3))))
        ;; odd column count: xp and p0..p3 now point at the last column
        (if (i32.and (local.get $cols) (i32.const 1))
          (then
            (local.set $xl (f64.load (local.get $xp)))
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $p0)) (local.get $xl))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (local.get $p1)) (local.get $xl))))
            (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (local.get $p2)) (local.get $xl))))
            (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (local.get $p3)) (local.get $xl))))))
        ;; y[i + k] = s_k
        (f64.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))) (local.get $s0))
        (f64.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3))) (local.get $s1))
        (f64.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3))) (local.get $s2))
        (f64.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 3)) (i32.const 3))) (local.get $s3))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))

    ;; the last rows (fewer than four), one at a time, the same way
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.ge_s (local.get $i) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $acc0 (f64x2.splat (f64.const 0)))
        (local.set $xp (local.get $x))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $xp) (local.get $xEvenEnd)))
            (local.set $xv (v128.load align=8 (local.get $xp)))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (v128.load align=8 (local.get $p0)) (local.get $xv))))
            (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
            (br $pairs)))
        (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
        (if (i32.and (local.get $cols) (i32.const 1))
          (then
            (local.set $xl (f64.load (local.get $xp)))
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $p0)) (local.get $xl))))))
        (f64.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))) (local.get $s0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))

  ;; y_j = sum_i A_ij x_i. y is zeroed, then rows are added four at a time in row order:
  ;; y_j + A_ij x_i + A_(i+1)j x_(i+1) + ... rounds exactly like matrix.ts's matvecT.
  (func (export "mvt") (param $a i32) (param $x i32) (param $y i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $rowBytes i32) (local $yEvenEnd i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $yp i32)
    (local $xs0 v128) (local $xs1 v128) (local $xs2 v128) (local $xs3 v128) (local $yv v128)
    (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64) (local $t f64)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $yEvenEnd
      (i32.add (local.get $y) (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3))))

    ;; y = 0
    (local.set $yp (local.get $y))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_s (local.get $yp) (i32.add (local.get $y) (local.get $rowBytes))))
        (f64.store (local.get $yp) (f64.const 0))
        (local.set $yp (i32.add (local.get $yp) (i32.const 8)))
        (br $zero)))
    (local.set $i (i32.const 0))

    ;; four rows at a time while i + 4 <= rows: y[j..j+1] += A[i..i+3][j..j+1] * x[i..i+3]
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.lt_s (i32.sub (local.get $rows) (local.get $i)) (i32.const 4)))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $rowBytes)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $rowBytes)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $rowBytes)))
        (local.set $x0 (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $xs0 (f64x2.splat (local.get $x0)))
        (local.set $x1 (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))))
        (local.set $xs1 (f64x2.splat (local.get $x1)))
        (local.set $x2 (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3)))))
        (local.set $xs2 (f64x2.splat (local.get $x2)))
        (local.set $x3 (f64.load (i32.add (local.get $x) (i32.shl (i32.add (local.get $i) (i32.const 3)) (i32.const 3)))))
        (local.set $xs3 (f64x2.splat (local.get $x3)))
        (local.set $yp (local.get $y))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $yp) (local.get $yEvenEnd)))
            (local.set $yv (v128.load align=8 (local.get $yp)))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (local.get $p0)) (local.get $xs0))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (local.get $p1)) (local.get $xs1))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (local.get $p2)) (local.get $xs2))))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (local.get $p3)) (local.get $xs3))))
            (v128.store align=8 (local.get $yp) (local.get $yv))
            (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
            (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
            (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
            (local.set $p3 (i32.add (local.get $p3) (i32.const 16)))
            (br $pairs)))
        ;; odd column count: yp and p0..p3 now point at the last column
        (if (i32.and (local.get $cols) (i32.const 1))
          (then
            (local.set $t (f64.load (local.get $yp)))
            (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (local.get $p0)) (local.get $x0))))
            (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (local.get $p1)) (local.get $x1))))
            (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (local.get $p2)) (local.get $x2))))
            (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (local.get $p3)) (local.get $x3))))
            (f64.store (local.get $yp) (local.get $t))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))

    ;; the last rows (fewer than four), one at a time
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.ge_s (local.get $i) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $x0 (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $xs0 (f64x2.splat (local.get $x0)))
        (local.set $yp (local.get $y))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $yp) (local.get $yEvenEnd)))
            (local.set $yv (v128.load align=8 (local.get $yp)))
            (local.set $yv (f64x2.add (local.get $yv) (f64x2.mul (v128.load align=8 (local.get $p0)) (local.get $xs0))))
            (v128.store align=8 (local.get $yp) (local.get $yv))
            (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
            (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
            (br $pairs)))
        (if (i32.and (local.get $cols) (i32.const 1))
          (then
            (local.set $t (f64.load (local.get $yp)))
            (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (local.get $p0)) (local.get $x0))))
            (f64.store (local.get $yp) (local.get $t))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))
)
