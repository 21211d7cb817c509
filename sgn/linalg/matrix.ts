/**
 * Dense row-major matrices on Float64Array: the one shape every kernel in `sgn/` shares.
 * Small and allocation-conscious on purpose; ml-matrix is used where it serves (linear solves,
 * through ml-matrix-adapter.ts) and as the dense reference in tests.
 */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major: entry (i, j) is data[i * cols + j]. */
  readonly data: Float64Array;
}

export function zeros(rows: number, cols: number): DenseMatrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): DenseMatrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function fromRows(rows: readonly (readonly number[])[]): DenseMatrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = zeros(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new Error(`row ${i} has ${rows[i].length} entries, expected ${c}`);
    for (let j = 0; j < c; j++) m.data[i * c + j] = rows[i][j];
  }
  return m;
}

export function toRows(m: DenseMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function get(m: DenseMatrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

/** Copy of rows [r0, r1) and columns [c0, c1). */
export function block(m: DenseMatrix, r0: number, r1: number, c0: number, c1: number): DenseMatrix {
  const out = zeros(r1 - r0, c1 - c0);
  for (let i = r0; i < r1; i++) {
    out.data.set(m.data.subarray(i * m.cols + c0, i * m.cols + c1), (i - r0) * out.cols);
  }
  return out;
}

export function transpose(m: DenseMatrix): DenseMatrix {
  const out = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

/** sym(A) = (A + A^T) / 2 for square A. */
export function symPart(m: DenseMatrix, out: DenseMatrix = zeros(m.rows, m.rows)): DenseMatrix {
  const n = m.rows;
  const a = m.data;
  const o = out.data;
  // 32 x 32 tiles, each entry pair (i, j), (j, i) written from one read of both: the transposed
  // reads stay in cache (a plain double loop strides by n through the whole matrix).
  const T = 32;
  for (let i0 = 0; i0 < n; i0 += T) {
    const i1 = Math.min(n, i0 + T);
    for (let j0 = 0; j0 <= i0; j0 += T) {
      const j1 = Math.min(n, j0 + T);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i + 1);
        for (let j = j0; j < jEnd; j++) {
          const v = 0.5 * (a[i * n + j] + a[j * n + i]);
          o[i * n + j] = v;
          o[j * n + i] = v;
        }
      }
    }
  }
  return out;
}

export function scale(m: DenseMatrix, s: number): DenseMatrix {
  const out = zeros(m.rows, m.cols);
  for (let k = 0; k < m.data.length; k++) out.data[k] = s * m.data[k];
  return out;
}

/** y = A x (y allocated when not given). */
export function matvec(
  m: DenseMatrix,
  x: Float64Array,
  y: Float64Array = new Float64Array(m.rows),
): Float64Array {
  const { rows, cols, data } = m;
  // Four rows per sweep of x (each x[j] load feeds four products, four independent add chains);
  // every row is still summed left to right, so results are bit-identical to the plain loop.
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < cols; j++) {
      const xj = x[j];
      s0 += data[o0 + j] * xj;
      s1 += data[o1 + j] * xj;
      s2 += data[o2 + j] * xj;
      s3 += data[o3 + j] * xj;
    }
    y[i] = s0;
    y[i + 1] = s1;
    y[i + 2] = s2;
    y[i + 3] = s3;
  }
  for (; i < rows; i++) {
    let s = 0;
    const off = i * cols;
    for (let j = 0; j < cols; j++) s += data[off + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** y = A^T x (y allocated when not given). */
export function matvecT(
  m: DenseMatrix,
  x: Float64Array,
  y: Float64Array = new Float64Array(m.cols),
): Float64Array {
  const { rows, cols, data } = m;
  y.fill(0);
  // Four rows per sweep of y, added in row order: y[j] + a0 + a1 + a2 + a3 rounds exactly like
  // four successive sweeps (the zero rows a plain loop would skip add exact zeros).
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const x0 = x[i];
    const x1 = x[i + 1];
    const x2 = x[i + 2];
    const x3 = x[i + 3];
    if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
    const o0 = i * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    for (let j = 0; j < cols; j++)
      y[j] = y[j] + data[o0 + j] * x0 + data[o1 + j] * x1 + data[o2 + j] * x2 + data[o3 + j] * x3;
  }
  for (; i < rows; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const off = i * cols;
    for (let j = 0; j < cols; j++) y[j] += data[off + j] * xi;
  }
  return y;
}

export function matmul(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const out = zeros(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const orow = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const brow = k * n;
      for (let j = 0; j < n; j++) out.data[orow + j] += aik * b.data[brow + j];
    }
  }
  return out;
}

export function isFiniteMatrix(m: DenseMatrix): boolean {
  for (let k = 0; k < m.data.length; k++) if (!Number.isFinite(m.data[k])) return false;
  return true;
}
