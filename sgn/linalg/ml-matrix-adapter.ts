/**
 * The one bridge from this folder's DenseMatrix (row-major Float64Array) to ml-matrix's Matrix,
 * for what ml-matrix still serves: linear solves (LU) and, in tests, the dense reference.
 * Eigenproblems do not cross it: eigen.ts solves them on DenseMatrix (see there for why).
 */
import { Matrix } from 'ml-matrix';
import type { DenseMatrix } from './matrix.js';

/** A copy of `a` as an ml-matrix Matrix (values exact: a copy, no arithmetic). */
export function toMlMatrix(a: DenseMatrix): Matrix {
  return Matrix.from1DArray(a.rows, a.cols, a.data);
}
