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
  const maps: BandMapRow[] = [];
  let current: BandMapRow | null = null;
  let currentGroup = -1;
  let certified = 0;
  for (let from = 0; ; from += PAGE) {
    heartbeat();
    const page = await prisma.cellResult.findMany({
      where: { sweepId, cellIndex: { gte: from, lt: from + PAGE } },
      orderBy: { cellIndex: 'asc' },
      select: {
        cellIndex: true,
        params: true,
        gameParam: true,
        ratio: true,
        alpha: true,
        bandMinus: true,
        bandPlus: true,
        optimalRatio: true,
        optimalAlpha: true,
        certified: true,
      },
    });
    for (const row of page) {
      const group = Math.floor(row.cellIndex / R);
      if (group !== currentGroup) {
        if (current) maps.push({ ...current, certifiedFraction: certified / current.ratios.length });
        currentGroup = group;
        certified = 0;
        current = {
          paramName: groupLabel(resolved, row.params as Record<string, unknown>, main),
          paramValue: row.gameParam ?? Number.NaN,
          ratios: [],
          alphas: [],
          rMinus: row.bandMinus,
          rPlus: row.bandPlus,
          optimalRatio: row.optimalRatio,
          alphaMax: row.optimalAlpha,
          certifiedFraction: 0,
        };
      }
      current!.ratios.push(row.ratio ?? Number.NaN);
      current!.alphas.push(row.alpha ?? Number.NaN);
      if (row.certified) certified++;
    }
    if (from + PAGE >= resolved.totalCells) break;
  }
  if (current) maps.push({ ...current, certifiedFraction: certified / current.ratios.length });
  await prisma.$transaction(
    async (tx) => {
      await tx.bandMap.deleteMany({ where: { sweepId } });
      await insertBandMaps(tx, sweepId, maps);
    },
    { timeout: 120_000 },
  );
  return maps.length;
}
