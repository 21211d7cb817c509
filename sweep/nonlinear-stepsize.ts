/**
 * Step-size experiments of a nonlinear game group (tanh on its region, markov on its logit box):
 * trajectories at h = c x (certified step) from seeded starts inside the certified region, through
 * sgn/experiments/ (the runs `sgn simulate` makes), or at absolute steps h (stepsize.h; then a
 * group that is not certified runs too, with certified step 0). Each row stores the converged fraction, the
 * median tail-fitted factor per step and the certified factor. There is no exact stability
 * threshold for a nonlinear game, so exactThreshold and stableExact stay null.
 *
 * Starts: tanh (and any non-Markov nonlinear game) uniformly in the M(w)-ball of radius
 * spread x rho around x*, rho the largest such ball inside the region (spread <= 1 keeps every
 * start covered by the certificate); markov uniformly in the logit box scaled by spread around x*.
 * A group whose certificate fails has no certified step: its rows have step 0 and no runs.
 */
import { certify } from '../sgn/certificate.js';
import { markovOptimalCertificates } from '../sgn/games/markov/region-setup.js';
import type { MarkovGame } from '../sgn/games/markov/markov-game.js';
import {
  invariantMetricRadius,
  uniformInMetricBall,
  uniformInRegion,
} from '../sgn/experiments/initial-points.js';
import { gameSimulation, markovSimulation, type Simulation } from '../sgn/experiments/simulation.js';
import { runStudy } from '../sgn/experiments/trajectories.js';
import type { StepsizeInsert } from '../db/exact-writes.js';
import type { RunTrace } from '../sgn/experiments/trace.js';
import type { GroupAnalysis } from './groups.js';
import { REGION_ROOT, type ResolvedSweep } from './resolved.js';
import { convergenceText, gameStarts, runOptionsOf } from './run-options.js';
import type { Integrator } from './spec.js';

type Row = StepsizeInsert & { integrator: Integrator; traces?: RunTrace[] };

interface Plan {
  /** One simulation per integrator, null when its certificate fails. */
  readonly simulations: (Simulation | null)[];
  readonly starts: Float64Array[];
}

function markovPlan(
  resolved: ResolvedSweep,
  group: Extract<GroupAnalysis, { family: 'markov' }>,
  seed: number,
): Plan {
  const opts = resolved.stepsize!;
  const certs = markovOptimalCertificates(group.bounds);
  const absolute = opts.base === 'absolute';
  const simulations = opts.integrators.map((integrator) => {
    const pg = integrator === 'npg' || integrator === 'epg';
    if (!absolute && !(pg ? certs.fisher : certs.euclidean).certified) return null;
    return markovSimulation(group.game as MarkovGame, certs, group.xStar, integrator, {
      c4: resolved.certify.c4,
      uncertified: absolute,
    });
  });
  const region = group.bounds.region;
  const scaled = { ...region, radii: region.radii.map((r) => r * opts.spread) };
  const starts = gameStarts(opts, seed, group.xStar, group.game.blocks, certs.fisher.weights, () =>
    uniformInRegion(scaled, opts.seeds, seed),
  );
  return { simulations, starts };
}

function gamePlan(
  resolved: ResolvedSweep,
  group: Extract<GroupAnalysis, { family: 'generic' }>,
  xStar: Float64Array,
  seed: number,
): Plan {
  const opts = resolved.stepsize!;
  const { game, sampling } = group;
  if (!sampling) throw new Error('a nonlinear game is certified on a region');
  // The full certificate (at the optimal weights) is what gameSimulation holds an iteration to.
  const cert = certify(game, { region: sampling, c4: resolved.certify.c4, groundTruth: 'never' });
  const absolute = opts.base === 'absolute';
  if (!cert.certified && !absolute) return { simulations: opts.integrators.map(() => null), starts: [] };
  const simulations = opts.integrators.map((integrator) =>
    gameSimulation(game, cert, xStar, integrator, {
      field: 'spec.stepsize.integrators',
      uncertified: absolute,
    }),
  );
  const starts = gameStarts(opts, seed, xStar, game.blocks, cert.weights, () => {
    const rho = invariantMetricRadius(sampling.region, xStar, cert.weights, REGION_ROOT);
    return uniformInMetricBall(xStar, game.blocks, cert.weights, opts.spread * rho, opts.seeds, seed);
  });
  return { simulations, starts };
}

/** The rows of one game group (index g, key `key`): integrators x multipliers. */
export function nonlinearStepsizeRows(
  resolved: ResolvedSweep,
  group: GroupAnalysis,
  xStar: Float64Array,
  g: number,
  key: string,
  seed: number,
): Row[] {
  const opts = resolved.stepsize;
  if (!opts) throw new Error('this sweep has no stepsize section');
  const plan =
    group.family === 'markov' ? markovPlan(resolved, group, seed) : gamePlan(resolved, group, xStar, seed);
  const rows: Row[] = [];
  const convergence = convergenceText(opts, false);
  opts.integrators.forEach((integrator, k) => {
    const sim = plan.simulations[k];
    for (const multiplier of opts.multipliers) {
      const base = {
        cellIndex: g,
        cellKey: key,
        integrator,
        multiplier,
        exactThreshold: null,
        stableExact: null,
      };
      if (!sim) {
        rows.push({
          ...base,
          step: 0,
          certifiedStep: 0,
          convergedFraction: 0,
          empiricalFactor: null,
          predictedFactor: null,
          spectralRadius: null,
          gammaEuclidean: null,
          error: null,
          convergence,
        });
        continue;
      }
      const run = { steps: opts.steps, tol: opts.tolerance, ...runOptionsOf(opts) };
      // No starts (seeds: 0) or h = 0: nothing to run.
      if (plan.starts.length === 0 || (opts.base === 'absolute' && multiplier === 0)) {
        rows.push({
          ...base,
          step: opts.base === 'absolute' ? multiplier : multiplier * sim.certificate.hCertified,
          certifiedStep: sim.certificate.hCertified,
          convergedFraction: plan.starts.length ? 0 : null,
          empiricalFactor: null,
          predictedFactor: null,
          spectralRadius: null,
          gammaEuclidean: null,
          error: null,
          convergence,
        });
        continue;
      }
      const study = runStudy(
        sim.dynamics,
        sim.certificate,
        xStar,
        plan.starts,
        opts.base === 'absolute' ? { h: multiplier, ...run } : { multiplier, ...run },
      );
      rows.push({
        ...base,
        step: study.h,
        certifiedStep: study.hCertified,
        convergedFraction: study.convergedFraction,
        empiricalFactor: study.medianFactor,
        predictedFactor: study.predictedFactor,
        spectralRadius: null,
        gammaEuclidean: null,
        error: null,
        convergence,
        ...(study.traces ? { traces: study.traces } : {}),
      });
    }
  });
  return rows;
}
