/**
 * The WebAssembly SIMD kernels (the .wat files in this folder, assembled into wasm.generated.ts)
 * as typed functions, each module instantiated on one shared memory. Every pointer argument is a
 * byte offset into that memory; see each .wat file for what the function computes.
 */
import { KERNEL_HEX } from './wasm.generated.js';

/** y = A x (mv) or y = A^T x (mvt); A is rows x cols, row-major. */
export type ProductKernel = (a: number, x: number, y: number, rows: number, cols: number) => void;

export interface Kernels {
  readonly mv: ProductKernel;
  readonly mvt: ProductKernel;
  /** The part of y = S x below S's 4 x 4 diagonal blocks, from its lower triangle (symv.wat). */
  readonly symv: (a: number, x: number, y: number, n: number) => void;
  /** The trailing sweep of one tridiagonalisation step (tridiagonal-sweep.wat), in its three forms. */
  readonly sweepUpdateAndProduct: (
    w: number,
    n: number,
    k1: number,
    vp: number,
    wp: number,
    v: number,
    p: number,
  ) => void;
  readonly sweepUpdate: (w: number, n: number, k1: number, vp: number, wp: number) => void;
  readonly sweepProduct: (w: number, n: number, k1: number, v: number, p: number) => void;
  /** Step k of the Hessenberg reduction by the reflector (v, tau), u scratch (hessenberg-step.wat). */
  readonly hessenbergStep: (h: number, n: number, k: number, v: number, u: number, tau: number) => void;
}

/** The binary of each kernel module, by .wat file name. */
export function kernelBinaries(): Map<string, Uint8Array<ArrayBuffer>> {
  return new Map(Object.entries(KERNEL_HEX).map(([name, hex]) => [name, fromHex(hex)]));
}

function fromHex(text: string): Uint8Array<ArrayBuffer> {
  const digits = text.replace(/\s+/g, '');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Instantiates every kernel module on `memory`, or returns null where the runtime cannot
 * (no WebAssembly, or no SIMD: the callers then use their JS loops).
 */
export function instantiateKernels(memory: WebAssembly.Memory): Kernels | null {
  if (typeof WebAssembly === 'undefined') return null;
  const exports = new Map<string, WebAssembly.ExportValue>();
  for (const bytes of kernelBinaries().values()) {
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    for (const [name, value] of Object.entries(instance.exports)) {
      if (exports.has(name)) throw new Error(`WebAssembly kernels: ${name} is exported twice`);
      exports.set(name, value);
    }
  }
  return {
    mv: exported(exports, 'mv'),
    mvt: exported(exports, 'mvt'),
    symv: exported(exports, 'symv'),
    sweepUpdateAndProduct: exported(exports, 'sweepUpdateAndProduct'),
    sweepUpdate: exported(exports, 'sweepUpdate'),
    sweepProduct: exported(exports, 'sweepProduct'),
    hessenbergStep: exported(exports, 'hessenbergStep'),
  };
}

/**
 * An exported function, typed as the caller declares it: WebAssembly exports carry no
 * TypeScript types, and a missing name (a .wat renamed without this file) fails here, at load.
 */
function exported<F>(exports: Map<string, WebAssembly.ExportValue>, name: string): F {
  const f = exports.get(name);
  if (typeof f !== 'function') throw new Error(`WebAssembly kernels: no exported function ${name}`);
  return f as F;
}
