/**
 * Matrices and work spaces in WebAssembly memory, with the SIMD kernels (kernels/*.wat) that run
 * the O(n^2)-per-call and O(n^3) inner loops of the linear algebra on them: y = A x and y = A^T x
 * (Lanczos operators, Gram-Schmidt against a stored basis), a symmetric product from the lower
 * triangle, and the trailing updates of the Householder reductions to tridiagonal (symmetric
 * eigenvalues) and Hessenberg form (general eigenvalues). Measured on the (shared, 2-core) dev
 * machine against the best JS loops: matvec ~5x at n = 64 and 1024, ~3.5x at n = 2048 (memory
 * bandwidth); tridiagonalisation ~5x at n = 1024; general eigenvalues (Hessenberg reduction, then
 * JS QR) ~2x at n = 64.
 *
 * The kernels are instantiated once, on one memory (wasm-memory.ts allocates in it). A
 * `SimdMatrix` holds a copy of a matrix there plus two scratch vectors; products copy x in and y
 * out (O(n), next to O(n^2) work). Memory is returned by `free()` (or, for a SimdMatrix, when it
 * is garbage-collected). matvec and symv accumulate their sums in two lanes (even and odd
 * columns) and then add them, so they differ from matrix.ts's left-to-right sums in the last bits,
 * deterministically; matvecT adds in matrix.ts's order and matches it bit for bit.
 *
 * Where WebAssembly SIMD is unavailable the factories return null and callers use their JS loops.
 */
import type { DenseMatrix } from './matrix.js';
import { instantiateKernels, type Kernels } from './kernels/instantiate.js';
import { alignedBytes, WasmHeap } from './wasm-memory.js';

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

interface Engine {
  readonly heap: WasmHeap;
  readonly kernels: Kernels;
}

let engine: Engine | null | undefined;

function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  engine = null;
  try {
    const heap = new WasmHeap();
    const kernels = instantiateKernels(heap.memory);
    if (kernels !== null) engine = { heap, kernels };
  } catch {
    engine = null;
  }
  return engine;
}

const registry = new FinalizationRegistry<{ ptr: number; bytes: number; freed: { done: boolean } }>((h) => {
  const e = getEngine();
  if (e !== null && !h.freed.done) e.heap.release(h.ptr, h.bytes);
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
  const { heap, kernels } = e;
  const { rows, cols } = a;
  const long = Math.max(rows, cols);
  // [matrix | x scratch | y scratch], each part 16-aligned.
  const mBytes = alignedBytes(rows * cols * 8);
  const vBytes = alignedBytes(long * 8);
  const bytes = mBytes + 2 * vBytes;
  const ptr = heap.alloc(bytes);
  const xPtr = ptr + mBytes;
  const yPtr = xPtr + vBytes;
  const freed = { done: false };
  /** symv's diagonal 4 x 4 blocks (row-major 4 x 4 each), extracted on first use after a load. */
  let diag: Float64Array | null = null;
  // TypedArray.set is a memcpy: ~20x faster than an element loop at n = 2048.
  const copyIn = (x: Float64Array, n: number): void => {
    heap.view.set(x.length === n ? x : x.subarray(0, n), xPtr / 8);
  };
  // A view of the y scratch, renewed when memory growth detaches it: a subarray per product
  // would be an allocation per product (sweeps make tens of thousands of small ones).
  let yView = new Float64Array(heap.view.buffer, yPtr, long);
  let yGrows = heap.grows;
  const copyOut = (y: Float64Array, n: number): void => {
    if (yGrows !== heap.grows) {
      yView = new Float64Array(heap.view.buffer, yPtr, long);
      yGrows = heap.grows;
    }
    if (y.length === n && n === long) y.set(yView);
    else y.set(yView.subarray(0, n), 0);
  };
  const m: SimdMatrix = {
    rows,
    cols,
    matvec(x, y) {
      copyIn(x, cols);
      kernels.mv(ptr, xPtr, yPtr, rows, cols);
      copyOut(y, rows);
    },
    matvecT(x, y) {
      copyIn(x, rows);
      kernels.mvt(ptr, xPtr, yPtr, rows, cols);
      copyOut(y, cols);
    },
    symv(x, y) {
      if (rows !== cols) throw new Error('symv: matrix must be square');
      const n = rows;
      copyIn(x, n);
      kernels.symv(ptr, xPtr, yPtr, n);
      copyOut(y, n);
      // The 4 x 4 diagonal blocks (lower triangles), which the kernel leaves out, from a compact
      // copy: read in place they would cost a cache miss per row at large n.
      if (diag === null) {
        diag = new Float64Array(Math.ceil(n / 4) * 16);
        const h = heap.view;
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
      heap.view.set(data.length === rows * cols ? data : data.subarray(0, rows * cols), ptr / 8);
      diag = null;
    },
    free() {
      if (freed.done) return;
      freed.done = true;
      registry.unregister(m);
      heap.release(ptr, bytes);
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
   * The sweep of one step over rows k1..n-1 (kernels/tridiagonal-sweep.wat; `trailingSweep` in
   * symmetric-eigen.ts is the same in JS), with the roles given as indices into `vectors`.
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
  const { kernels } = e;
  const ws = squareWorkspace(e.heap, a.data, n, 4);
  const { ptr, vectorPtrs: vPtr } = ws;
  return {
    w: ws.matrix,
    vectors: ws.vectors,
    sweep(k1, pending, product, vp, wp, v, p) {
      if (pending && product) kernels.sweepUpdateAndProduct(ptr, n, k1, vPtr[vp], vPtr[wp], vPtr[v], vPtr[p]);
      else if (pending) kernels.sweepUpdate(ptr, n, k1, vPtr[vp], vPtr[wp]);
      else if (product) kernels.sweepProduct(ptr, n, k1, vPtr[v], vPtr[p]);
    },
    free: ws.free,
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
  const { heap, kernels } = e;
  const qBytes = alignedBytes(capacity * n * 8);
  const vBytes = alignedBytes(n * 8);
  const cBytes = alignedBytes(capacity * 8);
  const bytes = qBytes + 2 * vBytes + cBytes;
  const ptr = heap.alloc(bytes);
  const xPtr = ptr + qBytes;
  const yPtr = xPtr + vBytes;
  const cPtr = yPtr + vBytes;
  let views: Float64Array[] = [];
  let grows = heap.grows;
  let freed = false;
  const rows: SimdRows = {
    row(j) {
      let v = views[j];
      if (v === undefined) {
        const o = ptr / 8 + j * n;
        v = heap.view.subarray(o, o + n);
        views[j] = v;
      }
      return v;
    },
    project(w, count) {
      if (count === 0) return;
      const h = heap.view;
      h.set(w, xPtr / 8);
      kernels.mv(ptr, xPtr, cPtr, count, n);
      kernels.mvt(ptr, cPtr, yPtr, count, n);
      const yo = yPtr / 8;
      for (let i = 0; i < n; i++) w[i] -= h[yo + i];
    },
    refresh() {
      if (heap.grows !== grows) {
        grows = heap.grows;
        views = [];
      }
    },
    free() {
      if (freed) return;
      freed = true;
      views = [];
      heap.release(ptr, bytes);
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
  /** Step k with reflector v and factor tau (kernels/hessenberg-step.wat). */
  step(k: number, tau: number): void;
  free(): void;
}

export function simdHessenbergWork(h: Float64Array, n: number): SimdHessenbergWork | null {
  if (n * n < SIMD_MIN_ENTRIES) return null;
  const e = getEngine();
  if (e === null) return null;
  const { kernels } = e;
  // vectors: v (the reflector, filled by the caller) and u (the kernel's scratch)
  const ws = squareWorkspace(e.heap, h.subarray(0, n * n), n, 2);
  const { ptr } = ws;
  const [vPtr, uPtr] = ws.vectorPtrs;
  return {
    h: ws.matrix,
    v: ws.vectors[0],
    step(k, tau) {
      kernels.hessenbergStep(ptr, n, k, vPtr, uPtr, tau);
    },
    free: ws.free,
  };
}

/**
 * One block of SIMD memory laid out as [n x n matrix | count n-vectors], each part 16-aligned:
 * a copy of `data` and zeroed vectors, as views valid until `free()` (a reduction allocates
 * nothing else while it runs, so the memory cannot grow under them).
 */
interface SquareWorkspace {
  readonly ptr: number;
  readonly matrix: Float64Array;
  readonly vectorPtrs: readonly number[];
  readonly vectors: readonly Float64Array[];
  readonly free: () => void;
}

function squareWorkspace(heap: WasmHeap, data: Float64Array, n: number, count: number): SquareWorkspace {
  const mBytes = alignedBytes(n * n * 8);
  const vBytes = alignedBytes(n * 8);
  const bytes = mBytes + count * vBytes;
  const ptr = heap.alloc(bytes);
  const view = heap.view;
  const matrix = view.subarray(ptr / 8, ptr / 8 + n * n);
  matrix.set(data);
  const vectorPtrs = Array.from({ length: count }, (_, k) => ptr + mBytes + k * vBytes);
  const vectors = vectorPtrs.map((q) => view.subarray(q / 8, q / 8 + n).fill(0));
  let freed = false;
  const free = (): void => {
    if (freed) return;
    freed = true;
    heap.release(ptr, bytes);
  };
  return { ptr, matrix, vectorPtrs, vectors, free };
}
