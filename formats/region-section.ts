/**
 * The `region` section a game file may carry next to the game:
 *   "region": "box:0.5"
 *   "region": { "kind": "box", "radius": 0.5 | [0.5, 0.2], "centre": [..] | "equilibrium",
 *               "start": [..], "sampler": "grid:5", "rigorous": true }
 * (`center` is accepted for `centre`). Without a centre the region is around the equilibrium,
 * found by Newton from `start` (default: the origin).
 */
import { z } from 'zod';
import { InputError } from '../sgn/util/errors.js';
import { inputErrorFromZod } from './zod-errors.js';
import { parseRegionText, REGION_KINDS, type RegionSpec } from '../sgn/regions/region.js';
import { parseSamplerText, type SamplerSpec } from '../sgn/regions/samplers.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const radius = finite.refine((r) => r > 0, 'must be positive');
const point = z.array(finite).min(1, 'must not be empty');
const centre = z.union([z.literal('equilibrium'), point], {
  error: 'must be "equilibrium" or a list of numbers (the joint state)',
});

const sectionSchema = z.strictObject({
  kind: z.enum(REGION_KINDS, { error: `must be one of: ${REGION_KINDS.join(', ')}` }),
  radius: z.union([radius, z.array(radius).min(1, 'must list at least one radius')], {
    error: 'must be a positive number or a list of them (one per player)',
  }),
  centre: centre.optional(),
  center: centre.optional(),
  start: point.optional(),
  sampler: z.string().optional(),
  rigorous: z.boolean().optional(),
});

export interface RegionSection {
  readonly region: RegionSpec;
  readonly sampler?: SamplerSpec;
  readonly rigorous?: boolean;
}

/** Splits a game file's object into the game and its `region` section (undefined if absent). */
export function splitGameFile(raw: unknown): { game: unknown; region: unknown } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('region' in raw))
    return { game: raw, region: undefined };
  const { region, ...game } = raw as Record<string, unknown>;
  return { game, region };
}

/** Validates a region section; errors name fields under `root` (e.g. `game.region.radius`). */
export function parseRegionSection(raw: unknown, root: string): RegionSection {
  if (typeof raw === 'string') return { region: parseRegionText(raw, root) };
  const parsed = sectionSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  const s = parsed.data;
  if (s.centre !== undefined && s.center !== undefined)
    throw new InputError(`${root}.center`, 'give either centre or center, not both');
  const c = s.centre ?? s.center;
  return {
    region: {
      kind: s.kind,
      radii: typeof s.radius === 'number' ? [s.radius] : s.radius,
      centre: c === undefined || c === 'equilibrium' ? undefined : c,
      start: s.start,
    },
    sampler: s.sampler === undefined ? undefined : parseSamplerText(s.sampler, `${root}.sampler`),
    rigorous: s.rigorous,
  };
}
