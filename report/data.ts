/**
 * The demo's tables, read back from the stored sweeps: band map (per lambda and ratio), band
 * edges, margins against lambda and step-size runs. The true margin at the optimal weights is
 * computed in-process with `certifyWeights` (exact, at the optimal ratio itself rather than
 * the nearest grid cell).
 */
import type { PrismaClient } from '../../db/client.js';
import { bandMapRows, resultRows, type ResultRow } from '../../sweep/queries.js';
import { cellAt, ratioLength } from '../../sweep/cells.js';
import type { ResolvedSweep } from '../../sweep/resolve.js';
import { buildGame } from '../../sgn/games/quadratic.js';
import { analyseGame, certifyWeights } from '../../sgn/certificate.js';

export interface BandCell {
  lambda: number;
  ratio: number;
  alpha: number;
  certified: boolean;
}

export interface BandEdge {
  lambda: number;
  rMinus: number | null;
  rPlus: number | null;
  optimalRatio: number | null;
  alphaMax: number | null;
  certifiedFraction: number;
}

export interface MarginRow {
  lambda: number;
  /** Euclidean margin: the classical test certifies when it is > 0. */
  gammaEuclidean: number;
  /** SGN margin at the optimal weights (alpha_max). */
  optimalAlpha: number;
  /** True contraction rate in M(w) at the optimal weights (computed in-process). */
  alphaTrue: number | null;
  /** alphaTrue of the stored cell whose ratio is nearest the optimal ratio (log distance). */
  alphaTrueNearestCell: number | null;
  nearestCellRatio: number | null;
  optimalRatio: number | null;
}

export interface StepsizePoint {
  lambda: number;
  integrator: string;
  multiplier: number;
  step: number;
  certifiedStep: number;
  exactThreshold: number | null;
  convergedFraction: number;
  empiricalFactor: number | null;
  predictedFactor: number | null;
}

export interface DemoData {
  cells: ResultRow[];
  band: BandCell[];
  edges: BandEdge[];
  margins: MarginRow[];
  steps: StepsizePoint[];
}

export async function loadDemoData(
  prisma: PrismaClient,
  certify: { id: string; resolved: ResolvedSweep },
  stepsize: { id: string; resolved: ResolvedSweep },
): Promise<DemoData> {
  const cells = await resultRows(prisma, certify.id, []);
  const maps = await bandMapRows(prisma, certify.id);
  const band: BandCell[] = [];
  const edges: BandEdge[] = [];
  for (const m of maps) {
    m.ratios.forEach((ratio, i) => {
      const alpha = m.alphas[i];
      band.push({ lambda: m.paramValue, ratio, alpha, certified: alpha > 0 });
    });
    edges.push({
      lambda: m.paramValue,
      rMinus: m.rMinus,
      rPlus: m.rPlus,
      optimalRatio: m.optimalRatio,
      alphaMax: m.alphaMax,
      certifiedFraction: m.certifiedFraction,
    });
  }

  // One row per lambda: the group's first cell carries the weight-independent fields.
  const R = ratioLength(certify.resolved);
  const margins: MarginRow[] = [];
  for (let g = 0; g * R < cells.length; g++) {
    const group = cells.slice(g * R, (g + 1) * R);
    const first = group[0];
    const lambda = first.params.lambda;
    const analysis = analyseGame(buildGame(cellAt(certify.resolved, g * R).game), {
      groundTruth: certify.resolved.certify.groundTruth,
    });
    const atOptimum = certifyWeights(analysis, analysis.optimal.weights, { c4: certify.resolved.certify.c4 });
    let nearest: ResultRow | null = null;
    if (first.optimalRatio !== null && first.optimalRatio > 0) {
      const target = Math.log(first.optimalRatio);
      for (const c of group) {
        const r = c.params.ratio;
        if (!(r > 0)) continue;
        if (!nearest || Math.abs(Math.log(r) - target) < Math.abs(Math.log(nearest.params.ratio) - target))
          nearest = c;
      }
    }
    margins.push({
      lambda,
      gammaEuclidean: first.gammaEuclidean ?? analysis.gammaEuclidean,
      optimalAlpha: first.optimalAlpha ?? analysis.optimal.alpha,
      alphaTrue: atOptimum.alphaTrue,
      alphaTrueNearestCell: nearest?.alphaTrue ?? null,
      nearestCellRatio: nearest ? nearest.params.ratio : null,
      optimalRatio: first.optimalRatio,
    });
  }

  const stepRows = await prisma.stepsizeResult.findMany({
    where: { sweepId: stepsize.id },
    orderBy: [{ cellIndex: 'asc' }, { integrator: 'asc' }, { multiplier: 'asc' }],
  });
  const SR = ratioLength(stepsize.resolved);
  const lambdaOf = new Map<number, number>();
  const steps: StepsizePoint[] = stepRows.map((s) => {
    let lambda = lambdaOf.get(s.cellIndex);
    if (lambda === undefined) {
      lambda = cellAt(stepsize.resolved, s.cellIndex * SR).params.lambda;
      lambdaOf.set(s.cellIndex, lambda);
    }
    return {
      lambda,
      integrator: s.integrator,
      multiplier: s.multiplier,
      step: s.step,
      certifiedStep: s.certifiedStep,
      exactThreshold: s.exactThreshold,
      convergedFraction: s.convergedFraction,
      empiricalFactor: s.empiricalFactor,
      predictedFactor: s.predictedFactor,
    };
  });
  return { cells, band, edges, margins, steps };
}
