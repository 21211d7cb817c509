/**
 * Sample points of a region, where the Jacobian is evaluated for the block bounds: the centre,
 * the vertices of a box, a tensor grid with k points per axis, seeded random points, or the first
 * N points of a Sobol or Halton sequence.
 *
 * Box: the unit cube is mapped affinely, x = c + rho o (2u - 1). Ball: random points are uniform
 * in the ball; grid, Sobol and Halton points are the cube's points pushed through the radial map
 * v -> v ||v||_inf / ||v||_2 (v = 2u - 1), which takes the cube onto the ball (the cube's faces
 * onto the sphere). That map is not volume-preserving: the points stay evenly spread but their
 * discrepancy is the cube's, not the ball's. Vertices are for boxes only.
 */
import { defaultRng } from '../random/generator.js';
import { InputError } from '../util/errors.js';
import { coordinateRadii, type Region, type RegionKind } from './region.js';
import { SOBOL_MAX_DIM, sobolPoints } from './sobol.js';
import { haltonPoints } from './halton.js';

export type SamplerSpec =
  | { readonly kind: 'centre' }
  | { readonly kind: 'vertices' }
  | { readonly kind: 'grid'; readonly perAxis: number }
  | { readonly kind: 'random'; readonly count: number; readonly seed: number }
  | { readonly kind: 'sobol'; readonly count: number }
  | { readonly kind: 'halton'; readonly count: number };

export type SamplerKind = SamplerSpec['kind'];

/** Most points a sampler may produce: each costs a Jacobian and its block eigenvalues. */
export const MAX_SAMPLE_POINTS = 65536;
/** Most Jacobian entries kept at once (points x d^2 doubles; 2^25 is 256 MB). */
export const MAX_JACOBIAN_ENTRIES = 2 ** 25;

export const SAMPLER_HINT = 'centre, vertices, grid:K, random:N (or random:N:SEED), sobol:N or halton:N';

function positiveInteger(text: string | undefined, what: string, field: string): number {
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isInteger(v) || v < 1)
    throw new InputError(field, `${what} must be a positive integer, got "${text ?? ''}"`);
  return v;
}

/** Parses `vertices`, `grid:5`, `random:256`, `random:256:7`, `sobol:1024`, `halton:64`, `centre`. */
export function parseSamplerText(text: string, field: string): SamplerSpec {
  const [name, ...args] = text.trim().split(':');
  const kind = name.toLowerCase();
  const expect = (n: number): void => {
    if (args.length !== n) throw new InputError(field, `"${text}" is not a sampler; use ${SAMPLER_HINT}`);
  };
  switch (kind) {
    case 'centre':
    case 'center':
      expect(0);
      return { kind: 'centre' };
    case 'vertices':
      expect(0);
      return { kind: 'vertices' };
    case 'grid':
      expect(1);
      return { kind: 'grid', perAxis: positiveInteger(args[0], 'grid points per axis', field) };
    case 'random': {
      if (args.length !== 1 && args.length !== 2) expect(1);
      const count = positiveInteger(args[0], 'the number of random points', field);
      const seed = args.length === 2 ? Number(args[1]) : 0;
      if (args.length === 2 && (args[1].trim() === '' || !Number.isSafeInteger(seed) || seed < 0))
        throw new InputError(
          field,
          `the random seed must be a non-negative integer (a NumPy seed), got "${args[1]}"`,
        );
      return { kind: 'random', count, seed };
    }
    case 'sobol':
    case 'halton':
      expect(1);
      return { kind, count: positiveInteger(args[0], `the number of ${kind} points`, field) };
    default:
      throw new InputError(field, `unknown sampler "${name}" (use ${SAMPLER_HINT})`);
  }
}

/** The text form (as the flag takes it), recorded in certificates. */
export function samplerText(s: SamplerSpec): string {
  switch (s.kind) {
    case 'centre':
    case 'vertices':
      return s.kind;
    case 'grid':
      return `grid:${s.perAxis}`;
    case 'random':
      return s.seed === 0 ? `random:${s.count}` : `random:${s.count}:${s.seed}`;
    case 'sobol':
    case 'halton':
      return `${s.kind}:${s.count}`;
  }
}

/** How many points the sampler gives in dimension d (2^d, k^d may exceed 2^53: then Infinity-ish). */
export function samplerPointCount(s: SamplerSpec, d: number): number {
  switch (s.kind) {
    case 'centre':
      return 1;
    case 'vertices':
      return 2 ** d;
    case 'grid':
      return s.perAxis ** d;
    default:
      return s.count;
  }
}

/** Refuses samplers the region cannot have or the machine cannot afford, naming `field`. */
export function checkSampler(s: SamplerSpec, kind: RegionKind, d: number, field: string): void {
  const count = samplerPointCount(s, d);
  const text = samplerText(s);
  if (s.kind === 'vertices' && kind !== 'box')
    throw new InputError(
      field,
      `vertices needs a box region (a ball has none); use sobol:N, halton:N or random:N`,
    );
  if (s.kind === 'sobol' && d > SOBOL_MAX_DIM)
    throw new InputError(
      field,
      `sobol has direction numbers for up to ${SOBOL_MAX_DIM} dimensions, the game has d = ${d}; use halton:N or random:N`,
    );
  if (count > MAX_SAMPLE_POINTS) {
    const how = s.kind === 'vertices' ? `2^${d}` : s.kind === 'grid' ? `${s.perAxis}^${d}` : `${count}`;
    throw new InputError(
      field,
      `${text} needs ${how} points in d = ${d}, over the limit of ${MAX_SAMPLE_POINTS}; use fewer points${
        s.kind === 'vertices' || s.kind === 'grid' ? ' (sobol:N, halton:N or random:N)' : ''
      }`,
    );
  }
  // One Jacobian is always allowed: the engine needs at least one whatever the size.
  if (count > 1 && count * d * d > MAX_JACOBIAN_ENTRIES)
    throw new InputError(
      field,
      `${text} keeps ${count} Jacobians of size ${d}x${d} (${count * d * d} entries), over the limit of ${MAX_JACOBIAN_ENTRIES}; use fewer points`,
    );
}

/**
 * grid:3 while it stays small (d <= 7), else 1024 Sobol points (Halton above Sobol's dimensions),
 * fewer when 1024 Jacobians would not fit MAX_JACOBIAN_ENTRIES.
 */
export function defaultSampler(d: number): SamplerSpec {
  if (3 ** d <= 4096) return { kind: 'grid', perAxis: 3 };
  const count = Math.max(1, Math.min(1024, Math.floor(MAX_JACOBIAN_ENTRIES / (d * d))));
  if (count === 1) return { kind: 'centre' };
  return d <= SOBOL_MAX_DIM ? { kind: 'sobol', count } : { kind: 'halton', count };
}

/** Points of [-1, 1]^d (the reference cube) for the cube-based samplers. */
function cubePoints(s: SamplerSpec, d: number): Float64Array[] {
  switch (s.kind) {
    case 'centre':
      return [new Float64Array(d)];
    case 'vertices':
      return Array.from({ length: 2 ** d }, (_, m) =>
        Float64Array.from({ length: d }, (_v, a) => (Math.floor(m / 2 ** a) % 2 === 0 ? -1 : 1)),
      );
    case 'grid': {
      const k = s.perAxis;
      const ticks = Array.from({ length: k }, (_, t) => (k === 1 ? 0 : -1 + (2 * t) / (k - 1)));
      return Array.from({ length: k ** d }, (_, m) =>
        Float64Array.from({ length: d }, (_v, a) => ticks[Math.floor(m / k ** a) % k]),
      );
    }
    case 'sobol':
      return sobolPoints(d, s.count).map((u) => u.map((v) => 2 * v - 1));
    case 'halton':
      return haltonPoints(d, s.count).map((u) => u.map((v) => 2 * v - 1));
    case 'random': {
      const rng = defaultRng(s.seed);
      return Array.from({ length: s.count }, () =>
        Float64Array.from({ length: d }, () => 2 * rng.uniform() - 1),
      );
    }
  }
}

/** Uniform points in the unit ball: a Gaussian direction and radius U^(1/d). */
function uniformBallPoints(count: number, d: number, seed: number): Float64Array[] {
  const rng = defaultRng(seed);
  return Array.from({ length: count }, () => {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    const norm = Math.hypot(...v);
    const r = rng.uniform() ** (1 / d);
    return v.map((x) => (norm > 0 ? (x / norm) * r : 0));
  });
}

/** The cube [-1, 1]^d onto the unit ball along rays from the origin. */
function cubeToBall(v: Float64Array): Float64Array {
  let inf = 0;
  let two = 0;
  for (const x of v) {
    inf = Math.max(inf, Math.abs(x));
    two += x * x;
  }
  if (two === 0) return v;
  const f = inf / Math.sqrt(two);
  return v.map((x) => x * f);
}

/** The sampler's points in the region (validated first: errors name `field`). */
export function samplePoints(region: Region, s: SamplerSpec, field = 'sampler'): Float64Array[] {
  const d = region.blocks.dim;
  checkSampler(s, region.kind, d, field);
  const unit =
    region.kind === 'ball'
      ? s.kind === 'random'
        ? uniformBallPoints(s.count, d, s.seed)
        : cubePoints(s, d).map(cubeToBall)
      : cubePoints(s, d);
  const r = coordinateRadii(region);
  return unit.map((u) => u.map((v, a) => region.centre[a] + r[a] * v));
}
