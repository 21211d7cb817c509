/**
 * The sampled-Jacobians game file (sgn/games/sampled.ts), as JSON/YAML
 *   {"family": "sampled-jacobians", "dims": [d1, d2], "jacobians": [S x d x d],
 *    "points": [S x d], "gradients": [S x d]}          (points and gradients optional)
 * or as NumPy's .npz with the arrays `dims` (integers), `jacobians` (S x d x d, or d x d for one
 * sample), `points` and `gradients` (S x d) -- what `np.savez(path, dims=..., jacobians=...)`
 * writes. A lone .npy holds the Jacobians only (its dims come from the sweep spec's game section).
 */
import { z } from 'zod';
import type { SampledJacobiansSpec } from '../sgn/games/spec.js';
import { InputError } from '../sgn/util/errors.js';
import { readBoundedBinary, readDataFile, type InputLimits } from './data-file.js';
import { DEFAULT_MAX_INPUT_BYTES } from '../config/config.js';
import { arrayError, parseNpy, type NumericArray } from './npy.js';
import { isNumpyPath, parseNpz } from './npz.js';
import { inputErrorFromZod } from './zod-errors.js';
import type { SameType } from './same-type.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positiveInt = z.number().int('must be an integer').positive('must be positive');
const rows = z.array(z.array(finite));

export const sampledJacobiansSchema = z.strictObject({
  family: z.literal('sampled-jacobians'),
  name: z.string().optional(),
  dims: z.array(positiveInt).min(2, 'a game needs at least 2 players'),
  jacobians: z.array(rows).min(1, 'must hold at least one sample'),
  points: rows.optional(),
  gradients: rows.optional(),
});

const schemaMatches: SameType<z.infer<typeof sampledJacobiansSchema>, SampledJacobiansSpec> = true;
void schemaMatches;

/** Validates a sampled-Jacobians game object: every Jacobian d x d, points and gradients S x d. */
export function parseSampledSpec(obj: Record<string, unknown>, root: string): SampledJacobiansSpec {
  if (obj.dims === undefined)
    throw new InputError(
      `${root}.dims`,
      "is required (the block sizes; a lone .npy holds the Jacobians only: give dims in the sweep's game section, or save an .npz with dims)",
    );
  const parsed = sampledJacobiansSchema.safeParse(obj);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  const spec = parsed.data;
  const d = spec.dims.reduce((s, k) => s + k, 0);
  const S = spec.jacobians.length;
  spec.jacobians.forEach((J, s) => {
    const at = `${root}.jacobians[${s}]`;
    if (J.length !== d)
      throw new InputError(at, `has ${J.length} rows, expected ${d} (the dims add up to ${d})`);
    J.forEach((row, i) => {
      if (row.length !== d) throw new InputError(`${at}[${i}]`, `has ${row.length} entries, expected ${d}`);
    });
  });
  for (const key of ['points', 'gradients'] as const) {
    const m = spec[key];
    if (!m) continue;
    if (m.length !== S)
      throw new InputError(`${root}.${key}`, `has ${m.length} rows, expected ${S} (one per Jacobian)`);
    m.forEach((row, s) => {
      if (row.length !== d)
        throw new InputError(`${root}.${key}[${s}]`, `has ${row.length} entries, expected ${d}`);
    });
  }
  return spec;
}

const ARRAYS = ['dims', 'jacobians', 'points', 'gradients'] as const;

/** The arrays of a NumPy file as the game object the JSON form would be (checked by parseSampledSpec). */
export function numpyGameObject(path: string, limits?: InputLimits): Record<string, unknown> {
  const bytes = readBoundedBinary(path, limits);
  const max = limits?.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  if (/\.npy$/i.test(path)) {
    const J = parseNpy(bytes, { file: path });
    return { family: 'sampled-jacobians', jacobians: jacobianList(J, { file: path }) };
  }
  const arrays = parseNpz(bytes, path, max);
  for (const name of arrays.keys()) {
    if (!(ARRAYS as readonly string[]).includes(name))
      throw new InputError(
        path,
        `holds an array "${name}" this format does not know (known: ${ARRAYS.join(', ')})`,
      );
  }
  const need = (name: string): NumericArray => {
    const a = arrays.get(name);
    if (!a) throw new InputError(path, `has no array "${name}" (np.savez(path, dims=..., jacobians=...))`);
    return a;
  };
  const dims = need('dims');
  if (dims.shape.length !== 1)
    throw arrayError({ file: path, array: 'dims' }, `must be 1-D, has shape (${dims.shape.join(', ')})`);
  const out: Record<string, unknown> = {
    family: 'sampled-jacobians',
    dims: Array.from(dims.data),
    jacobians: jacobianList(need('jacobians'), { file: path, array: 'jacobians' }),
  };
  for (const name of ['points', 'gradients'] as const) {
    const a = arrays.get(name);
    if (a) out[name] = matrixRows(a, { file: path, array: name });
  }
  return out;
}

/** S x d x d (or one d x d sample) as nested lists; values must be finite. */
function jacobianList(a: NumericArray, origin: { file: string; array?: string }): number[][][] {
  checkFinite(a, origin);
  const shape = a.shape.length === 2 ? [1, ...a.shape] : a.shape;
  if (shape.length !== 3 || shape[1] !== shape[2])
    throw arrayError(origin, `must have shape (S, d, d) or (d, d), has (${a.shape.join(', ')})`);
  const [S, d] = shape;
  const out: number[][][] = [];
  for (let s = 0; s < S; s++) {
    const J: number[][] = [];
    for (let i = 0; i < d; i++) J.push(Array.from(a.data.subarray((s * d + i) * d, (s * d + i + 1) * d)));
    out.push(J);
  }
  return out;
}

function matrixRows(a: NumericArray, origin: { file: string; array: string }): number[][] {
  checkFinite(a, origin);
  if (a.shape.length !== 2) throw arrayError(origin, `must have shape (S, d), has (${a.shape.join(', ')})`);
  const [S, d] = a.shape;
  return Array.from({ length: S }, (_, s) => Array.from(a.data.subarray(s * d, (s + 1) * d)));
}

function checkFinite(a: NumericArray, origin: { file: string; array?: string }): void {
  const k = a.data.findIndex((v) => !Number.isFinite(v));
  if (k >= 0) throw arrayError(origin, `holds ${a.data[k]} at flat index ${k} (values must be finite)`);
}

/** A game file's data: NumPy files (.npy/.npz) as their game object, anything else as JSON/YAML. */
export function readGameData(path: string, limits?: InputLimits): unknown {
  return isNumpyPath(path) ? numpyGameObject(path, limits) : readDataFile(path, limits);
}
