/**
 * `sgn certify`'s region options: --region / --sampler / --rigorous over the game file's
 * `region` section. A flag overrides its part of the section (--region replaces kind and radii
 * and keeps the file's centre and start); --rigorous turns the rigorous mode on.
 */
import type { Game } from '../sgn/games/game.js';
import { parseRegionText, regionFields, type RegionSpec } from '../sgn/regions/region.js';
import { resolveRegion } from '../sgn/regions/resolve.js';
import { parseSamplerText } from '../sgn/regions/samplers.js';
import { parseRegionSection } from '../formats/region-section.js';
import type { RegionSampling } from '../sgn/regions/sampling.js';
import { InputError } from '../sgn/util/errors.js';

export interface RegionFlags {
  readonly region?: string;
  readonly sampler?: string;
  readonly rigorous?: boolean;
}

/** The region sampling to certify with, or undefined when neither flags nor file give a region. */
export function regionSampling(
  flags: RegionFlags,
  fileSection: unknown,
  game: Game,
  fileRoot = 'game.region',
): RegionSampling | undefined {
  const section = fileSection === undefined ? undefined : parseRegionSection(fileSection, fileRoot);
  const fromFlag = flags.region === undefined ? undefined : parseRegionText(flags.region, '--region');
  if (!section && !fromFlag) {
    for (const [flag, given] of [
      ['--sampler', flags.sampler !== undefined],
      ['--rigorous', flags.rigorous === true],
    ] as const) {
      if (given)
        throw new InputError(
          flag,
          'needs a region: --region box:R (or ball:R), or a region section in the game file',
        );
    }
    return undefined;
  }
  const spec: RegionSpec = fromFlag
    ? { ...fromFlag, centre: section?.region.centre, start: section?.region.start }
    : (section as NonNullable<typeof section>).region;
  const fields = regionFields(fileRoot);
  const region = resolveRegion(spec, game, fromFlag ? { ...fields, radius: '--region' } : fields);
  const sampler =
    flags.sampler !== undefined ? parseSamplerText(flags.sampler, '--sampler') : section?.sampler;
  return {
    region,
    sampler,
    rigorous: flags.rigorous === true || section?.rigorous === true,
    fields: {
      sampler: flags.sampler !== undefined ? '--sampler' : `${fileRoot}.sampler`,
      rigorous: flags.rigorous ? '--rigorous' : `${fileRoot}.rigorous`,
    },
  };
}
