/**
 * NumPy's array file format (.npy, versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a version,
 * a header length, a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}
 * and the raw data. Read: floats (f2 excluded: f4, f8), signed and unsigned integers (1 to 8
 * bytes), booleans, either byte order, C or Fortran order. Values come out as doubles in C order;
 * integers beyond 2^53 are refused (they would not survive as doubles).
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { InputError } from '../sgn/util/errors.js';

export interface NumericArray {
  /** NumPy's descr, e.g. '<f8'. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Row-major (C order), whatever the file's order. */
  readonly data: Float64Array;
}

/** Where an array came from, for messages: the file and (inside an .npz) the array's name. */
export interface ArrayOrigin {
  readonly file: string;
  readonly array?: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function arrayError(origin: ArrayOrigin, problem: string): InputError {
  return new InputError(
    origin.file,
    origin.array === undefined ? problem : `array "${origin.array}": ${problem}`,
  );
}

/** Reads one .npy image (a whole file, or one member of an .npz). */
export function parseNpy(bytes: Uint8Array, origin: ArrayOrigin): NumericArray {
  const fail = (problem: string): never => {
    throw arrayError(origin, problem);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    fail('is not a NumPy .npy array (no \\x93NUMPY magic at its start)');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`has .npy format version ${major}.${bytes[7]} (known: 1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength =
    major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : -1;
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (headerLength < 0 || dataStart > bytes.length) fail('is truncated (inside its header)');
  // Version 3 allows UTF-8 in the header (field names); 1 and 2 are latin-1, a subset for what is read.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr === undefined)
    fail(
      /'descr'\s*:\s*\[/.test(header)
        ? 'has a structured dtype (one plain numeric dtype is read)'
        : 'has no descr in its header',
    );
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) fail('has no fortran_order in its header');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) fail('has no shape in its header');
  const shape = (shapeText as string)
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s !== '')
    .map((s) => {
      const v = Number(s);
      if (!/^\d+$/.test(s) || !Number.isSafeInteger(v)) fail(`has a bad shape (${shapeText})`);
      return v;
    });
  const reader = elementReader(descr as string, view, (p) => fail(p));
  const count = shape.reduce((p, k) => p * k, 1);
  const expected = count * reader.size;
  const have = bytes.length - dataStart;
  if (have < expected)
    fail(
      `is truncated: shape (${shape.join(', ')}) of ${descr} needs ${expected} bytes of data, the file has ${have}`,
    );
  if (have > expected)
    fail(`has ${have - expected} bytes after its data (shape (${shape.join(', ')}) of ${descr})`);
  const raw = new Float64Array(count);
  for (let k = 0; k < count; k++) raw[k] = reader.read(dataStart + k * reader.size);
  const data = fortran === 'True' && shape.length > 1 ? fortranToC(raw, shape) : raw;
  return { dtype: descr as string, shape, data };
}

interface ElementReader {
  readonly size: number;
  read(offset: number): number;
}

function elementReader(descr: string, view: DataView, fail: (problem: string) => never): ElementReader {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const unsupported = (): never =>
    fail(`has dtype '${descr}' (read: float32/float64, integers, booleans; save with .astype(np.float64))`);
  if (!m) return unsupported();
  const little = m[1] !== '>'; // '=' and '|' are native or byte-free; NumPy writes '<' on x86 and ARM
  const kind = m[2];
  const size = Number(m[3]);
  const big = (v: bigint): number => {
    const x = Number(v);
    if (!Number.isSafeInteger(x)) fail(`holds the integer ${v}, beyond 2^53 (not exact as a double)`);
    return x;
  };
  if (kind === 'f') {
    if (size === 8) return { size, read: (o) => view.getFloat64(o, little) };
    if (size === 4) return { size, read: (o) => view.getFloat32(o, little) };
    return unsupported();
  }
  if (kind === 'b') {
    if (size !== 1) return unsupported();
    return { size, read: (o) => (view.getUint8(o) === 0 ? 0 : 1) };
  }
  const signed = kind === 'i';
  switch (size) {
    case 1:
      return { size, read: (o) => (signed ? view.getInt8(o) : view.getUint8(o)) };
    case 2:
      return { size, read: (o) => (signed ? view.getInt16(o, little) : view.getUint16(o, little)) };
    case 4:
      return { size, read: (o) => (signed ? view.getInt32(o, little) : view.getUint32(o, little)) };
    case 8:
      return { size, read: (o) => big(signed ? view.getBigInt64(o, little) : view.getBigUint64(o, little)) };
    default:
      return unsupported();
  }
}

/** Column-major data of `shape` rearranged into row-major order. */
function fortranToC(src: Float64Array, shape: readonly number[]): Float64Array {
  const n = shape.length;
  const out = new Float64Array(src.length);
  const index = new Array<number>(n).fill(0);
  // Strides of the Fortran layout: the first axis is contiguous.
  const fStride = new Array<number>(n);
  fStride[0] = 1;
  for (let a = 1; a < n; a++) fStride[a] = fStride[a - 1] * shape[a - 1];
  for (let k = 0; k < out.length; k++) {
    let f = 0;
    for (let a = 0; a < n; a++) f += index[a] * fStride[a];
    out[k] = src[f];
    // Advance the C-order multi-index (last axis fastest).
    for (let a = n - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}
