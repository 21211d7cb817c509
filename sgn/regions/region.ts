/**
 * Regions the block bounds are taken over: a box {x : |x_a - c_a| <= rho_i for every coordinate a
 * of player i} (one radius, or one per player) or a Euclidean ball {x : ||x - c||_2 <= r}, around
 * a given centre or around the game's equilibrium.
 */
import type { Blocks } from '../games/blocks.js';
import { InputError } from '../util/errors.js';

export const REGION_KINDS = ['box', 'ball'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];

/** A region as written by the user: its centre may still be "the equilibrium". */
export interface RegionSpec {
  readonly kind: RegionKind;
  /** One radius for every player, or (box only) one per player. */
  readonly radii: readonly number[];
  /** Absent: the game's equilibrium. */
  readonly centre?: readonly number[];
  /** Where Newton starts when the centre is the equilibrium (default: the origin). */
  readonly start?: readonly number[];
}

export interface Region {
  readonly kind: RegionKind;
  readonly blocks: Blocks;
  readonly centre: Float64Array;
  /** One per player (a ball repeats its radius). */
  readonly radii: readonly number[];
  readonly centreSource: 'given' | 'equilibrium';
}

const HINT = 'box:R, box:R1,R2,... (one radius per player) or ball:R';

/** Parses `box:0.1`, `box:0.1,0.2` or `ball:0.5`; errors name `field`. */
export function parseRegionText(text: string, field: string): Pick<RegionSpec, 'kind' | 'radii'> {
  const m = /^\s*([a-z]+)\s*:(.*)$/i.exec(text);
  if (!m) throw new InputError(field, `must be ${HINT}, got "${text}"`);
  const kind = m[1].toLowerCase();
  if (!(REGION_KINDS as readonly string[]).includes(kind))
    throw new InputError(field, `unknown region "${m[1]}" (known: ${REGION_KINDS.join(', ')}); ${HINT}`);
  const radii = m[2].split(',').map((s) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v))
      throw new InputError(field, `radius must be a finite number, got "${s.trim()}"`);
    return v;
  });
  return { kind: kind as RegionKind, radii: checkRadii(radii, field) };
}

/** Radii must be positive and finite (a zero radius is a point: use the sampler `centre` instead). */
export function checkRadii(radii: readonly number[], field: string): number[] {
  if (radii.length === 0) throw new InputError(field, 'needs at least one radius');
  radii.forEach((r) => {
    if (!(r > 0) || !Number.isFinite(r))
      throw new InputError(field, `radius must be a positive finite number, got ${r}`);
  });
  return [...radii];
}

/** The fields errors name: where the user wrote the radius, the centre and the start. */
export interface RegionFields {
  readonly radius: string;
  readonly centre: string;
  readonly start: string;
}

export function regionFields(root: string): RegionFields {
  return { radius: `${root}.radius`, centre: `${root}.centre`, start: `${root}.start` };
}

/** The radius along each coordinate (box half-widths; a ball's radius everywhere). */
export function coordinateRadii(region: Region): Float64Array {
  const { blocks } = region;
  const out = new Float64Array(blocks.dim);
  blocks.dims.forEach((_d, i) => out.fill(region.radii[i], blocks.offsets[i], blocks.offsets[i + 1]));
  return out;
}

/** The smallest box holding the region: lo_a <= x_a <= hi_a for every x in it. */
export function boundingBox(region: Region): { lo: Float64Array; hi: Float64Array } {
  const r = coordinateRadii(region);
  const lo = new Float64Array(r.length);
  const hi = new Float64Array(r.length);
  for (let a = 0; a < r.length; a++) {
    lo[a] = region.centre[a] - r[a];
    hi[a] = region.centre[a] + r[a];
  }
  return { lo, hi };
}

/** max |x_a| over the region, per coordinate (what Lipschitz bounds of J usually need). */
export function coordinateMagnitudes(region: Region): Float64Array {
  const { lo, hi } = boundingBox(region);
  return lo.map((l, a) => Math.max(Math.abs(l), Math.abs(hi[a])));
}

/** Whether x lies in the region, up to a relative slack for rounding. */
export function contains(region: Region, x: Float64Array, slack = 1e-12): boolean {
  const r = coordinateRadii(region);
  if (region.kind === 'box') {
    for (let a = 0; a < r.length; a++) {
      if (Math.abs(x[a] - region.centre[a]) > r[a] * (1 + slack)) return false;
    }
    return true;
  }
  let s = 0;
  for (let a = 0; a < r.length; a++) s += (x[a] - region.centre[a]) ** 2;
  return Math.sqrt(s) <= r[0] * (1 + slack);
}

/** `box:0.1` / `box:0.1,0.2` / `ball:0.5`, the form the flag takes. */
export function regionText(region: Pick<Region, 'kind' | 'radii'>): string {
  const same = region.radii.every((r) => r === region.radii[0]);
  return `${region.kind}:${(same ? [region.radii[0]] : region.radii).join(',')}`;
}
