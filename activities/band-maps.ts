/**
 * Band maps: per value of the swept game parameter, alpha_* over the ratio axis, the band
 * edges and the optimal ratio. Built from stored cell results, page by page (sweeps can hold
 * millions of cells), and replaced atomically so re-aggregation after a resume is idempotent.
 */
import type { PrismaClient } from '../db/client.js';
import { insertBandMaps, type BandMapInsert } from '../db/exact-writes.js';
import type { ResolvedSweep } from '../sweep/resolve.js';
import { ratioLength } from '../sweep/cells.js';
import { gameParamName } from '../sweep/compute.js';

export type BandMapRow = BandMapInsert;

const PAGE = 20_000;

/** Label of a game group: the swept parameter, plus any other game or region axes (e.g. `lambda@seed=3`, `kappa@radius=0.5`). */
function groupLabel(resolved: ResolvedSweep, params: Record<string, unknown>, main: string): string {
  const others = resolved.axes
    .filter((a) => a.target !== 'weights' && a.name !== main)
    .map((a) => `${a.name}=${String(params[a.name])}`);
  return others.length ? `${main}@${others.join(',')}` : main;
}

interface GroupRow {
  g: number;
  params: Record<string, unknown>;
  game_param: number | null;
  band_minus: number | null;
  band_plus: number | null;
  optimal_ratio: number | null;
  optimal_alpha: number | null;
  ratios: (number | null)[];
  alphas: (number | null)[];
  certified: number;
}

export async function aggregateBandMaps(
  prisma: PrismaClient,
  sweepId: string,
  resolved: ResolvedSweep,
  heartbeat: () => void = () => {},
): Promise<number> {
  const hasRatio = resolved.axes.some((a) => a.name === 'ratio');
  const main = gameParamName(resolved);
  if (!hasRatio || main === null || resolved.kind === 'stepsize') return 0;
  const R = ratioLength(resolved);
  // Pages of whole groups; PostgreSQL folds each group into one row, with the group's first
  // cell's game-level values (reading every cell through Prisma cost ~30 us a cell).
  const page = Math.max(1, Math.floor(PAGE / R)) * R;
  const maps: BandMapRow[] = [];
  for (let from = 0; from < resolved.totalCells; from += page) {
    heartbeat();
    const groups = await prisma.$queryRaw<GroupRow[]>`
      WITH g AS (
        SELECT cell_index / ${R}::int AS g, min(cell_index) AS first,
          array_agg(ratio ORDER BY cell_index) AS ratios, array_agg(alpha ORDER BY cell_index) AS alphas,
          (count(*) FILTER (WHERE certified))::int AS certified
        FROM cell_results
        WHERE sweep_id = ${sweepId} AND cell_index >= ${from}::int AND cell_index < ${from + page}::int
        GROUP BY 1
      )
      SELECT g.g, g.ratios, g.alphas, g.certified, c.params, c.game_param, c.band_minus, c.band_plus,
        c.optimal_ratio, c.optimal_alpha
      FROM g JOIN cell_results c ON c.sweep_id = ${sweepId} AND c.cell_index = g.first
      ORDER BY g.g`;
    for (const row of groups) {
      const ratios = row.ratios.map((x) => x ?? Number.NaN);
      maps.push({
        paramName: groupLabel(resolved, row.params, main),
        paramValue: row.game_param ?? Number.NaN,
        ratios,
        alphas: row.alphas.map((x) => x ?? Number.NaN),
        rMinus: row.band_minus,
        rPlus: row.band_plus,
        optimalRatio: row.optimal_ratio,
        alphaMax: row.optimal_alpha,
        certifiedFraction: row.certified / ratios.length,
      });
    }
  }
  await prisma.$transaction(
    async (tx) => {
      await tx.bandMap.deleteMany({ where: { sweepId } });
      await insertBandMaps(tx, sweepId, maps);
    },
    { timeout: 120_000 },
  );
  return maps.length;
}
