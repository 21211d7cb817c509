/**
 * The O(n^2)-per-call and O(n^3) inner loops of the linear-algebra kernels in WebAssembly SIMD
 * (f64x2): y = A x and y = A^T x (Lanczos operators, Gram-Schmidt against a stored basis), a
 * symmetric product from the lower triangle, and the trailing updates of the Householder
 * reductions to tridiagonal (symmetric eigenvalues) and Hessenberg form (general eigenvalues).
 * Measured on the (shared, 2-core) dev machine against the best JS loops: matvec ~5x at n = 64 and
 * 1024, ~3.5x at n = 2048 (memory bandwidth); tridiagonalisation ~5x at n = 1024; general eigenvalues
 * (Hessenberg reduction, then JS QR) ~2x at n = 64.
 *
 * The module is assembled here from its bytes (it is small; no toolchain needed) and instantiated
 * once with its own memory. A `SimdMatrix` holds a copy of a matrix in that memory plus two
 * scratch vectors; products copy x in and y out (O(n), next to O(n^2) work). Memory is handed out
 * by a first-fit allocator and returned by `free()` (or when the SimdMatrix is garbage-collected).
 * Sums are accumulated in two lanes (even and odd columns) and then added, so results differ from
 * matrix.ts's left-to-right sums in the last bits, deterministically.
 *
 * Where WebAssembly SIMD is unavailable the factories return null and callers use their JS loops.
 */
import type { DenseMatrix } from './matrix.js';

export interface SimdMatrix {
  readonly rows: number;
  readonly cols: number;
  /** y = A x (x: cols entries, y: rows entries). */
  matvec(x: Float64Array, y: Float64Array): void;
  /** y = A^T x (x: rows entries, y: cols entries). */
  matvecT(x: Float64Array, y: Float64Array): void;
  /** y = S x for square A read as the symmetric S with A's lower triangle (half the memory traffic). */
  symv(x: Float64Array, y: Float64Array): void;
  /** Replaces the stored matrix by `data` (rows x cols, row-major). */
  load(data: Float64Array): void;
  /** Returns the memory; the object must not be used afterwards. */
  free(): void;
}

// ---------------------------------------------------------------------------------------------
// A minimal assembler: just the instructions the two kernels use. (The kernels are kept out of
// prettier's reach: one instruction sequence per line reads better than one operand per line.)

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec(Array.from(s, (c) => [c.charCodeAt(0)]));
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = [0x6a];
const SUB = [0x6b];
const MUL = [0x6c];
const AND = [0x71];
const SHL = [0x74];
const GE_S = [0x4e];
const LT_S = [0x48];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const END = [0x0b];
const brIf = (d: number): number[] => [0x0d, d];
const br = (d: number): number[] => [0x0c, d];
const F64_LOAD = [0x2b, 3, 0];
const F64_STORE = [0x39, 3, 0];
const F64_ADD = [0xa0];
const F64_MUL = [0xa2];
const F64_ZERO = [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
const V_LOAD = [0xfd, 0x00, 3, 0];
const V_STORE = [0xfd, 0x0b, 3, 0];
const V_SPLAT = [0xfd, 0x14];
const V_ADD = [0xfd, ...uleb(240)];
const V_MUL = [0xfd, ...uleb(242)];
const V_SUB = [0xfd, ...uleb(241)];
const F64_SUB = [0xa1];
const LT_U = [0x49];
const EQ = [0x46];
const lane = (l: number): number[] => [0xfd, 0x21, l];
/** `p += k` for an i32 local. */
const bump = (p: number, k: number): number[] => [...get(p), ...i32c(k), ...ADD, ...set(p)];

/**
 * mv(a, x, y, rows, cols): y = A x, pointers in bytes. Four rows at a time, two columns per
 * f64x2 lane pair; single rows and an odd last column handled after.
 * Locals: 0 a, 1 x, 2 y, 3 rows, 4 cols | 5 i, 6 rowBytes, 7 evenEnd (x + even columns),
 * 8..11 p0..p3, 12 xp | 13..16 acc0..acc3 (v128), 17 xv (v128) | 18..21 s0..s3 (f64), 22 xl (f64).
 */
// prettier-ignore
function matvecBody(): number[] {
  const rowDots = (count: number): number[] => {
    const accs = [13, 14, 15, 16].slice(0, count);
    const ps = [8, 9, 10, 11].slice(0, count);
    const ss = [18, 19, 20, 21].slice(0, count);
    return [
      // p0 = a + i * rowBytes, p_{k+1} = p_k + rowBytes
      ...get(0), ...get(5), ...get(6), ...MUL, ...ADD, ...set(8),
      ...ps.slice(1).flatMap((p, k) => [...get(ps[k]), ...get(6), ...ADD, ...set(p)]),
      ...accs.flatMap((acc) => [...F64_ZERO, ...V_SPLAT, ...set(acc)]),
      ...get(1), ...set(12),
      ...BLOCK, ...LOOP,
      ...get(12), ...get(7), ...GE_S, ...brIf(1),
      ...get(12), ...V_LOAD, ...set(17),
      ...accs.flatMap((acc, k) => [...get(acc), ...get(ps[k]), ...V_LOAD, ...get(17), ...V_MUL, ...V_ADD, ...set(acc)]),
      ...bump(12, 16),
      ...ps.flatMap((p) => bump(p, 16)),
      ...br(0),
      ...END, ...END,
      ...accs.flatMap((acc, k) => [...get(acc), ...lane(0), ...get(acc), ...lane(1), ...F64_ADD, ...set(ss[k])]),
      // odd column count: one scalar product per row (p_k and xp point at the last column)
      ...get(4), ...i32c(1), ...AND, ...IF,
      ...get(12), ...F64_LOAD, ...set(22),
      ...ss.flatMap((s, k) => [...get(s), ...get(ps[k]), ...F64_LOAD, ...get(22), ...F64_MUL, ...F64_ADD, ...set(s)]),
      ...END,
      ...ss.flatMap((s, k) => [
        ...get(2), ...get(5), ...i32c(k), ...ADD, ...i32c(3), ...SHL, ...ADD, ...get(s), ...F64_STORE,
      ]),
    ];
  };
  return [
    ...get(4), ...i32c(3), ...SHL, ...set(6),
    ...get(1), ...get(4), ...i32c(-2), ...AND, ...i32c(3), ...SHL, ...ADD, ...set(7),
    ...i32c(0), ...set(5),
    // four rows at a time while i + 4 <= rows
    ...BLOCK, ...LOOP,
    ...get(3), ...get(5), ...SUB, ...i32c(4), ...LT_S, ...brIf(1),
    ...rowDots(4),
    ...bump(5, 4),
    ...br(0),
    ...END, ...END,
    ...BLOCK, ...LOOP,
    ...get(5), ...get(3), ...GE_S, ...brIf(1),
    ...rowDots(1),
    ...bump(5, 1),
    ...br(0),
    ...END, ...END,
  ];
}

/**
 * mvt(a, x, y, rows, cols): y = A^T x. y is zeroed, then for four rows at a time
 * y[j..j+1] += A[i..i+3][j..j+1] * x[i..i+3], two columns per lane pair, odd last column scalar.
 * Locals: 0 a, 1 x, 2 y, 3 rows, 4 cols | 5 i, 6 rowBytes, 7 evenEnd (y + even columns),
 * 8..11 p0..p3, 12 yp | 13..16 xs0..xs3 (v128 splats), 17 yv (v128) | 18..21 x0..x3 (f64), 22 t (f64).
 */
// prettier-ignore
function matvecTBody(): number[] {
  const rowUpdates = (count: number): number[] => {
    const ps = [8, 9, 10, 11].slice(0, count);
    const xs = [13, 14, 15, 16].slice(0, count);
    const xf = [18, 19, 20, 21].slice(0, count);
    return [
      ...get(0), ...get(5), ...get(6), ...MUL, ...ADD, ...set(8),
      ...ps.slice(1).flatMap((p, k) => [...get(ps[k]), ...get(6), ...ADD, ...set(p)]),
      ...xf.flatMap((xl, k) => [
        ...get(1), ...get(5), ...i32c(k), ...ADD, ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...set(xl),
        ...get(xl), ...V_SPLAT, ...set(xs[k]),
      ]),
      ...get(2), ...set(12),
      ...BLOCK, ...LOOP,
      ...get(12), ...get(7), ...GE_S, ...brIf(1),
      ...get(12), ...V_LOAD, ...set(17),
      ...ps.flatMap((p, k) => [...get(17), ...get(p), ...V_LOAD, ...get(xs[k]), ...V_MUL, ...V_ADD, ...set(17)]),
      ...get(12), ...get(17), ...V_STORE,
      ...bump(12, 16),
      ...ps.flatMap((p) => bump(p, 16)),
      ...br(0),
      ...END, ...END,
      ...get(4), ...i32c(1), ...AND, ...IF,
      ...get(12), ...F64_LOAD, ...set(22),
      ...ps.flatMap((p, k) => [...get(22), ...get(p), ...F64_LOAD, ...get(xf[k]), ...F64_MUL, ...F64_ADD, ...set(22)]),
      ...get(12), ...get(22), ...F64_STORE,
      ...END,
    ];
  };
  return [
    ...get(4), ...i32c(3), ...SHL, ...set(6),
    ...get(2), ...get(4), ...i32c(-2), ...AND, ...i32c(3), ...SHL, ...ADD, ...set(7),
    // y = 0
    ...get(2), ...set(12),
    ...BLOCK, ...LOOP,
    ...get(12), ...get(2), ...get(6), ...ADD, ...GE_S, ...brIf(1),
    ...get(12), ...F64_ZERO, ...F64_STORE,
    ...bump(12, 8),
    ...br(0),
    ...END, ...END,
    ...i32c(0), ...set(5),
    ...BLOCK, ...LOOP,
    ...get(3), ...get(5), ...SUB, ...i32c(4), ...LT_S, ...brIf(1),
    ...rowUpdates(4),
    ...bump(5, 4),
    ...br(0),
    ...END, ...END,
    ...BLOCK, ...LOOP,
    ...get(5), ...get(3), ...GE_S, ...brIf(1),
    ...rowUpdates(1),
    ...bump(5, 1),
    ...br(0),
    ...END, ...END,
  ];
}

/**
 * symv(a, x, y, n, _): the strictly-below-diagonal-block part of y = S x for symmetric S (n x n)
 * from its lower triangle: rows in blocks of four, i0 = 4 floor(i / 4), columns j < i0 give
 * S_ij x_j to y_i and S_ij x_i to y_j from one load of S_ij (half the memory traffic of a full
 * product). The 4 x 4 diagonal blocks are added by the caller.
 * Locals: 0 a, 1 x, 2 y, 3 n, 4 unused | 5 i, 6..9 p0..p3, 10 j (bytes), 11 jEnd (bytes),
 * 12 rowBytes | 13..16 S0..S3, 17 XV, 18 YV, 19..22 X0..X3 (v128) | 23 xi (f64).
 */
// prettier-ignore
function symvBody(): number[] {
  const block = (count: number): number[] => {
    const ps = [6, 7, 8, 9].slice(0, count);
    const ss = [13, 14, 15, 16].slice(0, count);
    const xs = [19, 20, 21, 22].slice(0, count);
    return [
      ...get(0), ...get(5), ...get(12), ...MUL, ...ADD, ...set(6),
      ...ps.slice(1).flatMap((p, k) => [...get(ps[k]), ...get(12), ...ADD, ...set(p)]),
      ...xs.flatMap((X, k) => [
        ...get(1), ...get(5), ...i32c(k), ...ADD, ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...V_SPLAT, ...set(X),
      ]),
      ...ss.flatMap((S) => [...F64_ZERO, ...V_SPLAT, ...set(S)]),
      ...i32c(0), ...set(10),
      ...BLOCK, ...LOOP,
      ...get(10), ...get(11), ...GE_S, ...brIf(1),
      ...get(1), ...get(10), ...ADD, ...V_LOAD, ...set(17),
      ...get(2), ...get(10), ...ADD, ...V_LOAD, ...set(18),
      // A = S[row k][j..j+1]: S_k += A x_j, YV += A x_{i+k}
      ...ps.flatMap((p, k) => [
        ...get(ss[k]), ...get(p), ...get(10), ...ADD, ...V_LOAD, ...get(17), ...V_MUL, ...V_ADD, ...set(ss[k]),
        ...get(18), ...get(p), ...get(10), ...ADD, ...V_LOAD, ...get(xs[k]), ...V_MUL, ...V_ADD, ...set(18),
      ]),
      ...get(2), ...get(10), ...ADD, ...get(18), ...V_STORE,
      ...bump(10, 16),
      ...br(0),
      ...END, ...END,
      ...ss.flatMap((S, k) => [
        ...get(2), ...get(5), ...i32c(k), ...ADD, ...i32c(3), ...SHL, ...ADD,
        ...get(2), ...get(5), ...i32c(k), ...ADD, ...i32c(3), ...SHL, ...ADD, ...F64_LOAD,
        ...get(S), ...lane(0), ...get(S), ...lane(1), ...F64_ADD, ...F64_ADD, ...F64_STORE,
      ]),
    ];
  };
  return [
    ...get(3), ...i32c(3), ...SHL, ...set(12),
    // y = 0
    ...get(2), ...set(10),
    ...BLOCK, ...LOOP,
    ...get(10), ...get(2), ...get(12), ...ADD, ...GE_S, ...brIf(1),
    ...get(10), ...F64_ZERO, ...F64_STORE,
    ...bump(10, 8),
    ...br(0),
    ...END, ...END,
    ...i32c(0), ...set(5),
    // full blocks of four rows: columns [0, i)
    ...BLOCK, ...LOOP,
    ...get(3), ...get(5), ...SUB, ...i32c(4), ...LT_S, ...brIf(1),
    ...get(5), ...i32c(3), ...SHL, ...set(11),
    ...block(4),
    ...bump(5, 4),
    ...br(0),
    ...END, ...END,
    // the last rows (fewer than four): columns [0, i0) with i0 their block's first row
    ...get(5), ...i32c(3), ...SHL, ...set(11),
    ...BLOCK, ...LOOP,
    ...get(5), ...get(3), ...GE_S, ...brIf(1),
    ...block(1),
    ...bump(5, 1),
    ...br(0),
    ...END, ...END,
  ];
}

/**
 * hstep(h, n, k, v, u, tau): step k of the Householder reduction to Hessenberg form (see
 * `hessenberg` in eigenvalues.ts) on h (n x n), reflector v (v_k1 = 1, zero before k1 = k + 1):
 *   u_j = sum_{i >= k1} v_i h_ij (j >= k);  rows i >= k1: h_ij -= tau v_i u_j (j >= k);
 *   every row: h_ij -= tau (sum_{j >= k1} h_ij v_j) v_j (j >= k1).
 * Locals: 0 h, 1 n, 2 k, 3 v, 4 u, 5 tau (f64) | 6 i, 7 row, 8 j, 9 jEnd, 10 rowBytes, 11 k1
 * | 12 A, 13 F, 14 S (v128) | 15 f, 16 s (f64).
 */
// prettier-ignore
function hstepBody(): number[] {
  /** for (j = start; j < jEnd; j += 2) vec(); then scal() for an odd last column. */
  const loop = (start: number[], vec: number[], scal: number[]): number[] => [
    ...start, ...set(8),
    ...BLOCK, ...LOOP,
    ...get(9), ...get(8), ...SUB, ...i32c(16), ...LT_S, ...brIf(1),
    ...vec,
    ...bump(8, 16),
    ...br(0),
    ...END, ...END,
    ...get(8), ...get(9), ...LT_U, ...IF, ...scal, ...END,
  ];
  const at = (base: number): number[] => [...get(base), ...get(8), ...ADD];
  const kBytes = [...get(2), ...i32c(3), ...SHL];
  const k1Bytes = [...get(11), ...i32c(3), ...SHL];
  const rowOf = (i: number): number[] => [...get(0), ...get(i), ...get(10), ...MUL, ...ADD, ...set(7)];
  return [
    ...get(1), ...i32c(3), ...SHL, ...set(10),
    ...get(10), ...set(9),
    ...get(2), ...i32c(1), ...ADD, ...set(11),
    // u_j = 0 for j >= k
    ...loop(kBytes, [...at(4), ...F64_ZERO, ...V_SPLAT, ...V_STORE], [...at(4), ...F64_ZERO, ...F64_STORE]),
    // u_j += v_i h_ij over rows i >= k1
    ...get(11), ...set(6),
    ...BLOCK, ...LOOP,
    ...get(6), ...get(1), ...GE_S, ...brIf(1),
    ...rowOf(6),
    ...get(3), ...get(6), ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...set(15),
    ...get(15), ...V_SPLAT, ...set(13),
    ...loop(kBytes,
      [...at(4), ...at(4), ...V_LOAD, ...at(7), ...V_LOAD, ...get(13), ...V_MUL, ...V_ADD, ...V_STORE],
      [...at(4), ...at(4), ...F64_LOAD, ...at(7), ...F64_LOAD, ...get(15), ...F64_MUL, ...F64_ADD, ...F64_STORE]),
    ...bump(6, 1),
    ...br(0),
    ...END, ...END,
    // every row: the left update (rows >= k1), then the right update on the same row
    ...i32c(0), ...set(6),
    ...BLOCK, ...LOOP,
    ...get(6), ...get(1), ...GE_S, ...brIf(1),
    ...rowOf(6),
    ...get(6), ...get(11), ...GE_S, ...IF,
    ...get(5), ...get(3), ...get(6), ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...F64_MUL, ...set(15),
    ...get(15), ...V_SPLAT, ...set(13),
    ...loop(kBytes,
      [...at(7), ...at(7), ...V_LOAD, ...get(13), ...at(4), ...V_LOAD, ...V_MUL, ...V_SUB, ...V_STORE],
      [...at(7), ...at(7), ...F64_LOAD, ...get(15), ...at(4), ...F64_LOAD, ...F64_MUL, ...F64_SUB, ...F64_STORE]),
    ...END,
    ...F64_ZERO, ...V_SPLAT, ...set(14), ...F64_ZERO, ...set(16),
    ...loop(k1Bytes,
      [...get(14), ...at(7), ...V_LOAD, ...at(3), ...V_LOAD, ...V_MUL, ...V_ADD, ...set(14)],
      [...get(16), ...at(7), ...F64_LOAD, ...at(3), ...F64_LOAD, ...F64_MUL, ...F64_ADD, ...set(16)]),
    ...get(14), ...lane(0), ...get(14), ...lane(1), ...F64_ADD, ...get(16), ...F64_ADD, ...get(5), ...F64_MUL, ...set(16),
    ...get(16), ...V_SPLAT, ...set(14),
    ...loop(k1Bytes,
      [...at(7), ...at(7), ...V_LOAD, ...get(14), ...at(3), ...V_LOAD, ...V_MUL, ...V_SUB, ...V_STORE],
      [...at(7), ...at(7), ...F64_LOAD, ...get(16), ...at(3), ...F64_LOAD, ...F64_MUL, ...F64_SUB, ...F64_STORE]),
    ...bump(6, 1),
    ...br(0),
    ...END, ...END,
  ];
}

/**
 * The trailing sweep of one Householder tridiagonalisation step (see `tridiagonalize` in
 * symmetric-eigen.ts), rows k1..n-1 of the lower triangle of w (n x n):
 *   mode 3: w_ij -= vp_i wp_j + wp_i vp_j, then p_j += w_ij v_i and p_i += sum_j w_ij v_j + w_ii v_i
 *   mode 1: the update only;  mode 2: the products only.
 * tsweep(w, n, k1, vp, wp, v, p, mode), pointers in bytes.
 * Locals: 0 w, 1 n, 2 k1, 3 vp, 4 wp, 5 v, 6 p, 7 mode | 8 i, 9 row, 10 j, 11 jEnd, 12 rowBytes
 * | 13 VPI, 14 WPI, 15 VI, 16 S, 17 A (v128) | 18 vpi, 19 wpi, 20 vi, 21 a, 22 s (f64).
 */
// prettier-ignore
function sweepBody(): number[] {
  // Vector lane pair at byte offset j: A = w[row + j] (updated when mode & 1), then products.
  const vecStep = (mode: number): number[] => [
    ...get(9), ...get(10), ...ADD, ...V_LOAD,
    ...(mode & 1 ? [
      ...get(13), ...get(4), ...get(10), ...ADD, ...V_LOAD, ...V_MUL,
      ...get(14), ...get(3), ...get(10), ...ADD, ...V_LOAD, ...V_MUL, ...V_ADD, ...V_SUB,
    ] : []),
    ...set(17),
    ...(mode & 1 ? [...get(9), ...get(10), ...ADD, ...get(17), ...V_STORE] : []),
    ...(mode & 2 ? [
      ...get(16), ...get(17), ...get(5), ...get(10), ...ADD, ...V_LOAD, ...V_MUL, ...V_ADD, ...set(16),
      ...get(6), ...get(10), ...ADD,
      ...get(6), ...get(10), ...ADD, ...V_LOAD, ...get(17), ...get(15), ...V_MUL, ...V_ADD, ...V_STORE,
    ] : []),
  ];
  const scalarStep = (mode: number): number[] => [
    ...get(9), ...get(10), ...ADD, ...F64_LOAD,
    ...(mode & 1 ? [
      ...get(18), ...get(4), ...get(10), ...ADD, ...F64_LOAD, ...F64_MUL,
      ...get(19), ...get(3), ...get(10), ...ADD, ...F64_LOAD, ...F64_MUL, ...F64_ADD, ...F64_SUB,
    ] : []),
    ...set(21),
    ...(mode & 1 ? [...get(9), ...get(10), ...ADD, ...get(21), ...F64_STORE] : []),
    ...(mode & 2 ? [
      ...get(22), ...get(21), ...get(5), ...get(10), ...ADD, ...F64_LOAD, ...F64_MUL, ...F64_ADD, ...set(22),
      ...get(6), ...get(10), ...ADD,
      ...get(6), ...get(10), ...ADD, ...F64_LOAD, ...get(21), ...get(20), ...F64_MUL, ...F64_ADD, ...F64_STORE,
    ] : []),
  ];
  const row = (mode: number): number[] => [
    ...get(0), ...get(8), ...get(12), ...MUL, ...ADD, ...set(9),
    ...get(3), ...get(8), ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...set(18),
    ...get(4), ...get(8), ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...set(19),
    ...get(5), ...get(8), ...i32c(3), ...SHL, ...ADD, ...F64_LOAD, ...set(20),
    ...get(18), ...V_SPLAT, ...set(13), ...get(19), ...V_SPLAT, ...set(14), ...get(20), ...V_SPLAT, ...set(15),
    ...F64_ZERO, ...V_SPLAT, ...set(16), ...F64_ZERO, ...set(22),
    ...get(2), ...i32c(3), ...SHL, ...set(10),
    // jEnd: the diagonal's offset; mode 1 also updates the diagonal in the loop (j <= i)
    ...get(8), ...(mode === 1 ? [...i32c(1), ...ADD] : []), ...i32c(3), ...SHL, ...set(11),
    ...BLOCK, ...LOOP,
    ...get(11), ...get(10), ...SUB, ...i32c(16), ...LT_S, ...brIf(1),
    ...vecStep(mode),
    ...bump(10, 16),
    ...br(0),
    ...END, ...END,
    ...get(10), ...get(11), ...LT_U, ...IF, ...scalarStep(mode), ...END,
    ...(mode & 2 ? [
      // a = w_ii (- 2 vp_i wp_i), s += a v_i, p_i += s + lanes(S)
      ...get(9), ...get(11), ...ADD, ...F64_LOAD,
      ...(mode & 1 ? [...get(18), ...get(19), ...F64_MUL, ...get(18), ...get(19), ...F64_MUL, ...F64_ADD, ...F64_SUB] : []),
      ...set(21),
      ...(mode & 1 ? [...get(9), ...get(11), ...ADD, ...get(21), ...F64_STORE] : []),
      ...get(6), ...get(11), ...ADD,
      ...get(6), ...get(11), ...ADD, ...F64_LOAD,
      ...get(16), ...lane(0), ...get(16), ...lane(1), ...F64_ADD, ...get(22), ...F64_ADD,
      ...get(21), ...get(20), ...F64_MUL, ...F64_ADD,
      ...F64_ADD, ...F64_STORE,
    ] : []),
  ];
  const rows = (mode: number): number[] => [
    ...get(2), ...set(8),
    ...BLOCK, ...LOOP,
    ...get(8), ...get(1), ...GE_S, ...brIf(1),
    ...row(mode),
    ...bump(8, 1),
    ...br(0),
    ...END, ...END,
  ];
  return [
    ...get(1), ...i32c(3), ...SHL, ...set(12),
    ...get(7), ...i32c(3), ...EQ, ...IF, ...rows(3), ...END,
    ...get(7), ...i32c(1), ...EQ, ...IF, ...rows(1), ...END,
    ...get(7), ...i32c(2), ...EQ, ...IF, ...rows(2), ...END,
  ];
}

// prettier-ignore
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const locals = vec([
    [...uleb(8), I32],
    [...uleb(5), V128],
    [...uleb(5), F64],
  ]);
  const code = (body: number[]): number[] => {
    const fn = [...locals, ...body, ...END];
    return [...uleb(fn.length), ...fn];
  };
  const params = vec([[I32], [I32], [I32], [I32], [I32]]);
  const sweepLocals = vec([
    [...uleb(5), I32],
    [...uleb(5), V128],
    [...uleb(5), F64],
  ]);
  const sweepFn = [...sweepLocals, ...sweepBody(), ...END];
  const symvLocals = vec([
    [...uleb(8), I32],
    [...uleb(10), V128],
    [...uleb(1), F64],
  ]);
  const symvFn = [...symvLocals, ...symvBody(), ...END];
  const hstepLocals = vec([
    [...uleb(6), I32],
    [...uleb(3), V128],
    [...uleb(2), F64],
  ]);
  const hstepFn = [...hstepLocals, ...hstepBody(), ...END];
  const hstepParams = vec([[I32], [I32], [I32], [I32], [I32], [F64]]);
  const sweepParams = vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32]]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([
      [0x60, ...params, ...vec([])], [0x60, ...sweepParams, ...vec([])], [0x60, ...hstepParams, ...vec([])],
    ])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [0], [1], [0], [2]])),
    ...section(7, vec([
      [...name('mv'), 0x00, 0], [...name('mvt'), 0x00, 1], [...name('tsweep'), 0x00, 2], [...name('symv'), 0x00, 3], [...name('hstep'), 0x00, 4],
    ])),
    ...section(10, vec([
      code(matvecBody()), code(matvecTBody()), [...uleb(sweepFn.length), ...sweepFn], [...uleb(symvFn.length), ...symvFn], [...uleb(hstepFn.length), ...hstepFn],
    ])),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Instance, memory and allocator.

type Kernel = (a: number, x: number, y: number, rows: number, cols: number) => void;
type HStep = (h: number, n: number, k: number, v: number, u: number, tau: number) => void;
type Sweep = (
  w: number,
  n: number,
  k1: number,
  vp: number,
  wp: number,
  v: number,
  p: number,
  mode: number,
) => void;

interface Engine {
  memory: WebAssembly.Memory;
  mv: Kernel;
  mvt: Kernel;
  tsweep: Sweep;
  symv: Kernel;
  hstep: HStep;
  /** Free blocks (byte offsets, 16-aligned), sorted by offset; `top` is the end of the used area. */
  free: { ptr: number; size: number }[];
  top: number;
  /**
   * A view of the whole memory, renewed by `alloc` when it grows the memory (nothing else does;
   * growth detaches the old buffer), and the number of growths so far, for views kept elsewhere.
   * Reading `memory.buffer` instead is a call into the runtime: ~0.1 us, per product.
   */
  view: Float64Array;
  grows: number;
}

let engine: Engine | null | undefined;

function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  engine = null;
  try {
    const bytes = moduleBytes();
    if (!WebAssembly.validate(bytes)) return null;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const mv = inst.exports.mv as Kernel;
    const mvt = inst.exports.mvt as Kernel;
    const tsweep = inst.exports.tsweep as Sweep;
    const symv = inst.exports.symv as Kernel;
    const hstep = inst.exports.hstep as HStep;
    engine = {
      memory,
      mv,
      mvt,
      tsweep,
      symv,
      hstep,
      free: [],
      top: 16,
      view: new Float64Array(memory.buffer),
      grows: 0,
    };
    // V8 treats a field as constant until it first changes, and code optimised meanwhile is
    // thrown away then: the first growth, mid-sweep, cost the Lanczos loop its first TurboFan
    // compile (~25 ms of background work, and as long in slower tiers). Changed here, before
    // anything is optimised, they are mutable from the start.
    engine.view = new Float64Array(memory.buffer);
    engine.grows = 1;
    engine.grows = 0;
  } catch {
    engine = null;
  }
  return engine;
}

/** A Float64Array over the whole memory (valid until the next alloc). */
function heap(e: Engine): Float64Array {
  return e.view;
}

function alloc(e: Engine, bytes: number): number {
  const size = Math.ceil(bytes / 16) * 16;
  for (let k = 0; k < e.free.length; k++) {
    const b = e.free[k];
    if (b.size >= size) {
      const ptr = b.ptr;
      if (b.size === size) e.free.splice(k, 1);
      else {
        b.ptr += size;
        b.size -= size;
      }
      return ptr;
    }
  }
  const ptr = e.top;
  const end = ptr + size;
  const have = e.view.byteLength;
  if (end > have) {
    // Grow geometrically: fewer growths, each of which copies nothing but detaches views.
    const need = Math.ceil((end - have) / 65536);
    const pages = Math.max(need, Math.ceil(have / 65536 / 2));
    e.memory.grow(pages);
    e.view = new Float64Array(e.memory.buffer);
    e.grows++;
  }
  e.top = end;
  return ptr;
}

function release(e: Engine, ptr: number, bytes: number): void {
  const size = Math.ceil(bytes / 16) * 16;
  const list = e.free;
  let k = 0;
  while (k < list.length && list[k].ptr < ptr) k++;
  list.splice(k, 0, { ptr, size });
  // Coalesce with the neighbours, and give the tail back to `top`.
  if (k + 1 < list.length && list[k].ptr + list[k].size === list[k + 1].ptr) {
    list[k].size += list[k + 1].size;
    list.splice(k + 1, 1);
  }
  if (k > 0 && list[k - 1].ptr + list[k - 1].size === list[k].ptr) {
    list[k - 1].size += list[k].size;
    list.splice(k, 1);
    k--;
  }
  if (list[k].ptr + list[k].size === e.top) {
    e.top = list[k].ptr;
    list.splice(k, 1);
  }
}

const registry = new FinalizationRegistry<{ ptr: number; bytes: number; freed: { done: boolean } }>((h) => {
  const e = getEngine();
  if (e !== null && !h.freed.done) release(e, h.ptr, h.bytes);
});

/** Below this many entries the JS loops are as fast (the copies in and out dominate). */
export const SIMD_MIN_ENTRIES = 256;

/**
 * From this size on `symv` (lower triangle only) beats `matvec` on a symmetric matrix: measured
 * 1.25x at n = 1024 and 1.17x at 2048, slower below ~256 (its diagonal blocks run in JS).
 */
export const SYMV_MIN_N = 512;

/**
 * A copy of `a` in SIMD memory, or null when WebAssembly SIMD is unavailable (or `a` is tiny).
 * Free it when done; an unreachable SimdMatrix is also freed by the garbage collector.
 */
export function simdMatrix(a: DenseMatrix): SimdMatrix | null {
  if (a.rows * a.cols < SIMD_MIN_ENTRIES) return null;
  const e = getEngine();
  if (e === null) return null;
  const { rows, cols } = a;
  const long = Math.max(rows, cols);
  // [matrix | x scratch | y scratch], each part 16-aligned.
  const mBytes = Math.ceil((rows * cols * 8) / 16) * 16;
  const vBytes = Math.ceil((long * 8) / 16) * 16;
  const bytes = mBytes + 2 * vBytes;
  const ptr = alloc(e, bytes);
  const xPtr = ptr + mBytes;
  const yPtr = xPtr + vBytes;
  const freed = { done: false };
  /** symv's diagonal 4 x 4 blocks (row-major 4 x 4 each), extracted on first use after a load. */
  let diag: Float64Array | null = null;
  // TypedArray.set is a memcpy: ~20x faster than an element loop at n = 2048.
  const copyIn = (x: Float64Array, n: number): void => {
    heap(e).set(x.length === n ? x : x.subarray(0, n), xPtr / 8);
  };
  // A view of the y scratch, renewed when memory growth detaches it: a subarray per product
  // would be an allocation per product (sweeps make tens of thousands of small ones).
  let yView = new Float64Array(e.view.buffer, yPtr, long);
  let yGrows = e.grows;
  const copyOut = (y: Float64Array, n: number): void => {
    if (yGrows !== e.grows) {
      yView = new Float64Array(e.view.buffer, yPtr, long);
      yGrows = e.grows;
    }
    if (y.length === n && n === long) y.set(yView);
    else y.set(yView.subarray(0, n), 0);
  };
  const m: SimdMatrix = {
    rows,
    cols,
    matvec(x, y) {
      copyIn(x, cols);
      e.mv(ptr, xPtr, yPtr, rows, cols);
      copyOut(y, rows);
    },
    matvecT(x, y) {
      copyIn(x, rows);
      e.mvt(ptr, xPtr, yPtr, rows, cols);
      copyOut(y, cols);
    },
    symv(x, y) {
      if (rows !== cols) throw new Error('symv: matrix must be square');
      const n = rows;
      copyIn(x, n);
      e.symv(ptr, xPtr, yPtr, n, n);
      copyOut(y, n);
      // The 4 x 4 diagonal blocks (lower triangles), which the kernel leaves out, from a compact
      // copy: read in place they would cost a cache miss per row at large n.
      if (diag === null) {
        diag = new Float64Array(Math.ceil(n / 4) * 16);
        const h = heap(e);
        const a0 = ptr / 8;
        for (let b = 0; b < n; b += 4)
          for (let r = 0; r < Math.min(4, n - b); r++)
            for (let c = 0; c <= r; c++) diag[4 * b + 4 * r + c] = h[a0 + (b + r) * n + b + c];
      }
      for (let b = 0; b < n; b += 4) {
        const size = Math.min(4, n - b);
        for (let r = 0; r < size; r++) {
          const row = 4 * b + 4 * r;
          const xr = x[b + r];
          let yr = y[b + r];
          for (let c = 0; c < r; c++) {
            const v = diag[row + c];
            yr += v * x[b + c];
            y[b + c] += v * xr;
          }
          y[b + r] = yr + diag[row + r] * xr;
        }
      }
    },
    load(data) {
      heap(e).set(data.length === rows * cols ? data : data.subarray(0, rows * cols), ptr / 8);
      diag = null;
    },
    free() {
      if (freed.done) return;
      freed.done = true;
      registry.unregister(m);
      release(e, ptr, bytes);
    },
  };
  m.load(a.data);
  registry.register(m, { ptr, bytes, freed }, m);
  return m;
}

/**
 * Work space of one Householder tridiagonalisation in SIMD memory: the n x n working matrix and
 * four n-vectors, as views that stay valid until `free()` (nothing else allocates SIMD memory
 * while the reduction runs), and the fused trailing sweep on them.
 */
export interface SimdTridiagonalWork {
  readonly w: Float64Array;
  /** Four n-vectors; the reduction swaps their roles (v <-> vp, p <-> wp) step by step. */
  readonly vectors: readonly Float64Array[];
  /**
   * The sweep of one step over rows k1..n-1 (see `trailingSweep` in symmetric-eigen.ts), with the
   * roles given as indices into `vectors`.
   */
  sweep(k1: number, pending: boolean, product: boolean, vp: number, wp: number, v: number, p: number): void;
  free(): void;
}

/** SIMD work space for tridiagonalising `a` (copied in), or null without WebAssembly SIMD. */
export function simdTridiagonalWork(a: DenseMatrix): SimdTridiagonalWork | null {
  const n = a.rows;
  if (n * n < SIMD_MIN_ENTRIES) return null;
  const e = getEngine();
  if (e === null) return null;
  const mBytes = Math.ceil((n * n * 8) / 16) * 16;
  const vBytes = Math.ceil((n * 8) / 16) * 16;
  const bytes = mBytes + 4 * vBytes;
  const ptr = alloc(e, bytes);
  const h = heap(e);
  const w = h.subarray(ptr / 8, ptr / 8 + n * n);
  w.set(a.data);
  const vPtr = [0, 1, 2, 3].map((k) => ptr + mBytes + k * vBytes);
  const vectors = vPtr.map((q) => {
    const v = h.subarray(q / 8, q / 8 + n);
    v.fill(0);
    return v;
  });
  let freed = false;
  return {
    w,
    vectors,
    sweep(k1, pending, product, vp, wp, v, p) {
      const mode = (pending ? 1 : 0) + (product ? 2 : 0);
      if (mode !== 0) e.tsweep(ptr, n, k1, vPtr[vp], vPtr[wp], vPtr[v], vPtr[p], mode);
    },
    free() {
      if (freed) return;
      freed = true;
      release(e, ptr, bytes);
    },
  };
}

/**
 * Up to `capacity` vectors of length n stored as the rows of a matrix in SIMD memory, so that a
 * classical Gram-Schmidt pass against the first `count` of them is two matrix-vector products
 * (coef = Q w, then w -= Q^T coef). Rows are handed out as views; call `refresh()` after running
 * code that may allocate SIMD memory (growth moves it), which renews them.
 */
export interface SimdRows {
  row(j: number): Float64Array;
  /** w -= Q^T (Q w) over rows [0, count). */
  project(w: Float64Array, count: number): void;
  refresh(): void;
  free(): void;
}

export function simdRows(capacity: number, n: number): SimdRows | null {
  const e = getEngine();
  if (e === null) return null;
  const qBytes = Math.ceil((capacity * n * 8) / 16) * 16;
  const vBytes = Math.ceil((n * 8) / 16) * 16;
  const cBytes = Math.ceil((capacity * 8) / 16) * 16;
  const bytes = qBytes + 2 * vBytes + cBytes;
  const ptr = alloc(e, bytes);
  const xPtr = ptr + qBytes;
  const yPtr = xPtr + vBytes;
  const cPtr = yPtr + vBytes;
  let views: Float64Array[] = [];
  let grows = e.grows;
  let freed = false;
  const rows: SimdRows = {
    row(j) {
      let v = views[j];
      if (v === undefined) {
        const o = ptr / 8 + j * n;
        v = heap(e).subarray(o, o + n);
        views[j] = v;
      }
      return v;
    },
    project(w, count) {
      if (count === 0) return;
      const h = heap(e);
      h.set(w, xPtr / 8);
      e.mv(ptr, xPtr, cPtr, count, n);
      e.mvt(ptr, cPtr, yPtr, count, n);
      const yo = yPtr / 8;
      for (let i = 0; i < n; i++) w[i] -= h[yo + i];
    },
    refresh() {
      if (e.grows !== grows) {
        grows = e.grows;
        views = [];
      }
    },
    free() {
      if (freed) return;
      freed = true;
      views = [];
      release(e, ptr, bytes);
    },
  };
  return rows;
}

/**
 * Work space of one Hessenberg reduction in SIMD memory: the n x n matrix (a copy of `h`) and the
 * vectors v, u, as views valid until `free()`, and one reduction step on them.
 */
export interface SimdHessenbergWork {
  readonly h: Float64Array;
  readonly v: Float64Array;
  /** Step k with reflector v and factor tau (see hstepBody). */
  step(k: number, tau: number): void;
  free(): void;
}

export function simdHessenbergWork(h: Float64Array, n: number): SimdHessenbergWork | null {
  if (n * n < SIMD_MIN_ENTRIES) return null;
  const e = getEngine();
  if (e === null) return null;
  const mBytes = Math.ceil((n * n * 8) / 16) * 16;
  const vBytes = Math.ceil((n * 8) / 16) * 16;
  const bytes = mBytes + 2 * vBytes;
  const ptr = alloc(e, bytes);
  const hp = heap(e);
  const view = hp.subarray(ptr / 8, ptr / 8 + n * n);
  view.set(h.subarray(0, n * n));
  const vPtr = ptr + mBytes;
  const uPtr = vPtr + vBytes;
  const v = hp.subarray(vPtr / 8, vPtr / 8 + n);
  v.fill(0);
  let freed = false;
  return {
    h: view,
    v,
    step(k, tau) {
      e.hstep(ptr, n, k, vPtr, uPtr, tau);
    },
    free() {
      if (freed) return;
      freed = true;
      release(e, ptr, bytes);
    },
  };
}
