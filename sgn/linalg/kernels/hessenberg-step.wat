;; Step k of the Householder reduction to upper Hessenberg form (`reduceHessenberg` in
;; eigenvalues.ts), in f64x2 SIMD: the O(n^2) update of h (n x n, row-major) by the reflector
;; P = I - tau v v^T, where v_(k+1) = 1 and v is zero before k + 1. Pointers are byte offsets;
;; u is scratch (n entries).
;;   u_j = sum_(i >= k1) v_i h_ij                     (j >= k)        u = v^T H, k1 = k + 1
;;   rows i >= k1:  h_ij -= tau v_i u_j                (j >= k)        H <- P H
;;   every row:     h_ij -= tau (sum_(j >= k1) h_ij v_j) v_j  (j >= k1)  H <- H P
;; The right update acts row by row, so each row gets it right after its own left update, while
;; the row is still in cache: exactly (P H) P, the same as the JS loop it replaces.
;;
;; Column loops run over lane pairs from a start column to the end of the row, then one odd
;; column in scalar code; a row's sum is two lanes, then the odd column.
;;
;; v128 accesses carry align=8: row starts and column k are 8-byte aligned only.
(module
  (import "env" "memory" (memory 1))

  (func (export "hessenbergStep") (param $h i32) (param $n i32) (param $k i32) (param $v i32) (param $u i32) (param $tau f64)
    (local $i i32) (local $row i32) (local $j i32) (local $jEnd i32) (local $rowBytes i32) (local $k1 i32)
    (local $fv v128) (local $sv v128)
    (local $f f64) (local $s f64)
    (local.set $rowBytes (i32.shl (local.get $n) (i32.const 3)))
    ;; $j, $jEnd: byte offsets within a row (or within u, v)
    (local.set $jEnd (local.get $rowBytes))
    (local.set $k1 (i32.add (local.get $k) (i32.const 1)))

    ;; u_j = 0 for j >= k
    (local.set $j (i32.shl (local.get $k) (i32.const 3)))
    (block $pairsDone
      (loop $pairs
        (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
        (v128.store align=8 (i32.add (local.get $u) (local.get $j)) (f64x2.splat (f64.const 0)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $pairs)))
    (if (i32.lt_u (local.get $j) (local.get $jEnd))
      (then (f64.store (i32.add (local.get $u) (local.get $j)) (f64.const 0))))

    ;; u_j += v_i h_ij over the rows i >= k1
    (local.set $i (local.get $k1))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $f (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $fv (f64x2.splat (local.get $f)))
        (local.set $j (i32.shl (local.get $k) (i32.const 3)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
            (v128.store align=8 (i32.add (local.get $u) (local.get $j))
              (f64x2.add
                (v128.load align=8 (i32.add (local.get $u) (local.get $j)))
                (f64x2.mul (v128.load align=8 (i32.add (local.get $row) (local.get $j))) (local.get $fv))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $jEnd))
          (then
            (f64.store (i32.add (local.get $u) (local.get $j))
              (f64.add
                (f64.load (i32.add (local.get $u) (local.get $j)))
                (f64.mul (f64.load (i32.add (local.get $row) (local.get $j))) (local.get $f))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))

    ;; every row: the left update (rows >= k1), then the right update of the same row
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $rowBytes))))
        (if (i32.ge_s (local.get $i) (local.get $k1))
          (then
            ;; h_ij -= (tau v_i) u_j for j >= k
            (local.set $f (f64.mul (local.get $tau) (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $fv (f64x2.splat (local.get $f)))
            (local.set $j (i32.shl (local.get $k) (i32.const 3)))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
                (v128.store align=8 (i32.add (local.get $row) (local.get $j))
                  (f64x2.sub
                    (v128.load align=8 (i32.add (local.get $row) (local.get $j)))
                    (f64x2.mul (local.get $fv) (v128.load align=8 (i32.add (local.get $u) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $pairs)))
            (if (i32.lt_u (local.get $j) (local.get $jEnd))
              (then
                (f64.store (i32.add (local.get $row) (local.get $j))
                  (f64.sub
                    (f64.load (i32.add (local.get $row) (local.get $j)))
                    (f64.mul (local.get $f) (f64.load (i32.add (local.get $u) (local.get $j))))))))))
        ;; s = tau sum_(j >= k1) h_ij v_j
        (local.set $sv (f64x2.splat (f64.const 0)))
        (local.set $s (f64.const 0))
        (local.set $j (i32.shl (local.get $k1) (i32.const 3)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
            (local.set $sv
              (f64x2.add
                (local.get $sv)
                (f64x2.mul
                  (v128.load align=8 (i32.add (local.get $row) (local.get $j)))
                  (v128.load align=8 (i32.add (local.get $v) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $jEnd))
          (then
            (local.set $s
              (f64.add
                (local.get $s)
                (f64.mul (f64.load (i32.add (local.get $row) (local.get $j))) (f64.load (i32.add (local.get $v) (local.get $j))))))))
        (local.set $s
          (f64.mul
            (f64.add (f64.add (f64x2.extract_lane 0 (local.get $sv)) (f64x2.extract_lane 1 (local.get $sv))) (local.get $s))
            (local.get $tau)))
        ;; h_ij -= s v_j for j >= k1
        (local.set $sv (f64x2.splat (local.get $s)))
        (local.set $j (i32.shl (local.get $k1) (i32.const 3)))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.lt_s (i32.sub (local.get $jEnd) (local.get $j)) (i32.const 16)))
            (v128.store align=8 (i32.add (local.get $row) (local.get $j))
              (f64x2.sub
                (v128.load align=8 (i32.add (local.get $row) (local.get $j)))
                (f64x2.mul (local.get $sv) (v128.load align=8 (i32.add (local.get $v) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $j) (local.get $jEnd))
          (then
            (f64.store (i32.add (local.get $row) (local.get $j))
              (f64.sub
                (f64.load (i32.add (local.get $row) (local.get $j)))
                (f64.mul (local.get $s) (f64.load (i32.add (local.get $v) (local.get $j))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
