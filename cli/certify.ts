/**
 * `sgn certify <game.json> [--weights w1,w2,...] [--c4 2.5] [--json] [--step-weights]
 *   [--ground-truth auto|always|never] [--region box:R|ball:R] [--sampler S] [--rigorous]`
 */
import { buildGame } from '../sgn/games/build.js';
import { parseGameSpec } from '../formats/game-file.js';
import { splitGameFile } from '../formats/region-section.js';
import type { RegionRecord } from '../sgn/regions/sampling.js';
import { regionText } from '../sgn/regions/region.js';
import {
  certify,
  certificateToJson,
  jsonWithoutInfinities,
  normaliseWeights,
  type Certificate,
} from '../sgn/certificate.js';
import { certifyMarkov, markovSummary } from './certify-markov.js';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { readGameData } from '../formats/sampled-file.js';
import { numberFlag, numberListFlag, parse } from './args.js';
import { regionSampling } from './region-options.js';
import { checkGameFileBudget } from '../sweep/budget.js';

export const certifyUsage =
  'sgn certify <game.json> [--weights w1,w2,...] [--c4 2.5] [--json] [--step-weights] [--ground-truth auto|always|never] [--region box:R|box:R1,R2,..|ball:R] [--sampler centre|vertices|grid:K|random:N|sobol:N|halton:N] [--rigorous]';

/** Largest max(w) / min(w) the engine computes with in double precision. */
const MAX_WEIGHT_SPREAD = 1e300;

/** `config`: the settings main() built (tests calling this directly get the defaults). */
export function runCertify(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig = DEFAULT_CONFIG,
): void {
  const { values, positionals } = parse(
    argv,
    {
      weights: { type: 'string' },
      c4: { type: 'string' },
      json: { type: 'boolean', default: false },
      'step-weights': { type: 'boolean', default: false },
      'ground-truth': { type: 'string', default: 'auto' },
      region: { type: 'string' },
      sampler: { type: 'string' },
      rigorous: { type: 'boolean', default: false },
    },
    'certify',
  );
  if (positionals.length !== 1)
    throw new InputError('certify', `expects one game file; usage: ${certifyUsage}`);
  const groundTruth = values['ground-truth'];
  if (groundTruth !== 'auto' && groundTruth !== 'always' && groundTruth !== 'never') {
    throw new InputError('--ground-truth', `must be auto, always or never, got "${groundTruth}"`);
  }
  const c4 = numberFlag(values.c4, '--c4');
  if (c4 !== undefined && !(c4 > 0)) throw new InputError('--c4', `must be positive, got ${c4}`);
  const weights = numberListFlag(values.weights, '--weights');
  const file = splitGameFile(readGameData(positionals[0], config));
  const spec = parseGameSpec(file.game, 'game');
  if (spec.family === 'sampled-jacobians') {
    // The file's samples are the region; a region of another kind would silently mean nothing.
    const flag =
      values.region !== undefined
        ? '--region'
        : values.sampler !== undefined
          ? '--sampler'
          : values.rigorous
            ? '--rigorous'
            : null;
    if (flag || file.region !== undefined)
      throw new InputError(
        flag ?? 'game.region',
        'does not apply to a sampled-jacobians game: its bounds are taken over the samples the file gives',
      );
  }
  // Refuses, before the game is built, what would not fit in memory or a bounded time.
  checkGameFileBudget(
    spec,
    {
      region: values.region !== undefined,
      sampler: values.sampler,
      regionSection: file.region,
      rigorous: values.rigorous,
      groundTruth,
    },
    config,
  );
  if (spec.family === 'markov') {
    const report = certifyMarkov(spec, file.region, {
      weights: weights && normaliseWeights(weights, 2, '--weights'),
      c4,
      stepWeights: values['step-weights'],
      region: values.region,
      sampler: values.sampler,
      rigorous: values.rigorous,
    });
    out(values.json ? jsonWithoutInfinities(report) : markovSummary(report));
    return;
  }
  const game = buildGame(spec);
  if (weights) {
    if (weights.length !== game.blocks.dims.length) {
      throw new InputError(
        '--weights',
        `has ${weights.length} entries, the game has ${game.blocks.dims.length} players`,
      );
    }
    weights.forEach((w, i) => {
      if (!(w > 0)) throw new InputError(`--weights[${i}]`, `must be positive, got ${w}`);
    });
    // The engine works with ratios w_i / w_j (and their square roots): a wider spread overflows.
    const spread = Math.max(...weights) / Math.min(...weights);
    if (!(spread <= MAX_WEIGHT_SPREAD)) {
      throw new InputError(
        '--weights',
        `largest / smallest is ${spread}, over the limit of ${MAX_WEIGHT_SPREAD}`,
      );
    }
  }
  const region = regionSampling(
    { region: values.region, sampler: values.sampler, rigorous: values.rigorous },
    file.region,
    game,
  );
  const cert = certify(game, { weights, c4, groundTruth, stepWeights: values['step-weights'], region });
  out(values.json ? certificateToJson(cert) : summary(cert));
}

function n(x: number | null, digits = 6): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Number(x.toPrecision(digits)).toString();
}

export function summary(c: Certificate): string {
  const lines: string[] = [];
  const players = c.dims.length;
  lines.push(verdict(c));
  // Euclidean only: the SGN failure is no longer why the game is uncertified.
  if (c.reason) lines.push(`  ${c.euclidean.certified ? 'why not SGN' : 'why'}: ${c.reason}`);
  lines.push(
    `  game: ${players} players, blocks [${c.dims.join(', ')}] (d = ${c.dims.reduce((s, d) => s + d, 0)})`,
  );
  lines.push(...regionLines(c.region, c.linear !== null));
  lines.push(`  own curvature mu:   [${c.mu.map((v) => n(v)).join(', ')}]`);
  lines.push(`  coupling L:         ${c.L.map((row) => `[${row.map((v) => n(v)).join(', ')}]`).join(' ')}`);
  lines.push(
    `  Euclidean margin:   ${n(c.gammaEuclidean)} (${c.gammaEuclidean > 0 ? 'monotone' : 'the classical test fails'})`,
  );
  lines.push(`  weights:            [${c.weights.map((v) => n(v)).join(', ')}]`);
  lines.push(`  SGN margin alpha:   ${n(c.alpha)}   Lipschitz beta: ${n(c.beta)}`);
  lines.push(`  safe Euler step:    ${n(c.eulerStep)}   (2 alpha / beta^2)`);
  lines.push(`  safe RK4 step:      ${n(c.rk4Step)}   (C4 / beta, C4 = ${c.c4})`);
  const e = c.euclidean;
  if (e.certified) {
    lines.push(
      `  Euclidean steps:    Euler ${n(e.eulerStep)} (2 gamma / ||J||^2), RK4 ${n(e.rk4Step)} (C4 / ||J||), ||J|| = ${n(e.beta)}`,
    );
  }
  lines.push(
    `  optimal weights:    [${c.optimal.weights.map((v) => n(v)).join(', ')}] with alpha = ${n(c.optimal.alpha)}${
      c.optimal.attained ? '' : ' (supremum, approached: the coupling graph is reducible)'
    }`,
  );
  if (c.band) lines.push(`  timescale band:     r = w2/w1 in (${n(c.band.rMinus)}, ${n(c.band.rPlus)})`);
  else if (players === 2) lines.push('  timescale band:     empty (no ratio certifies)');
  if (c.axisBands) {
    for (const b of c.axisBands)
      lines.push(`  band along w${b.axis + 1}/w1: (${n(b.rMinus)}, ${n(b.rPlus)})`);
  }
  if (c.linear) {
    lines.push(`  true margin in M(w): ${n(c.linear.alphaTrue)}`);
    lines.push(`  exact stability:    Euler h < ${n(c.linear.hStabEuler)}, RK4 h < ${n(c.linear.hStabRk4)}`);
  }
  if (c.stepWeights) {
    for (const [k, s] of Object.entries(c.stepWeights)) {
      if (s)
        lines.push(
          `  best ${k} weights:  [${s.weights.map((v) => n(v)).join(', ')}] (alpha ${n(s.alpha)}, beta ${n(s.beta)})`,
        );
    }
  }
  return lines.join('\n');
}

/**
 * First line: certified when SGN (at the certificate's weights) or the Euclidean test certifies,
 * naming which, with the contraction rate each gives in its own norm.
 */
export function verdict(c: Certificate): string {
  const sgn = `rate ${n(c.alpha)} in the SGN metric`;
  const euc = `rate ${n(c.euclidean.gamma)} in the Euclidean norm`;
  const by = c.certifiedBy;
  if (by.length === 2) return `CERTIFIED (SGN and Euclidean): gradient play contracts at ${sgn}, at ${euc}`;
  if (by[0] === 'SGN') return `CERTIFIED (SGN only): gradient play contracts at ${sgn}`;
  if (by[0] === 'Euclidean') return `CERTIFIED (Euclidean only): gradient play contracts at ${euc}`;
  return 'NOT CERTIFIED';
}

function point(x: readonly number[]): string {
  const shown = x.slice(0, 4).map((v) => n(v, 4));
  return `[${shown.join(', ')}${x.length > 4 ? `, ... (${x.length} entries)` : ''}]`;
}

/** Where the bounds hold and how they were obtained. Nothing for a linear game without a region. */
function regionLines(r: RegionRecord | null, linear: boolean): string[] {
  if (!r)
    return linear
      ? []
      : ['  region:             none: bounds at x = 0 only (give --region for bounds on a region)'];
  if (r.kind === 'samples')
    return [
      `  region:             the file's ${r.points} samples${r.centre.length > 0 ? ` around their mean ${point(r.centre)}, per-player spread [${r.radii.map((v) => n(v, 4)).join(', ')}]` : ' (no points given)'}`,
      `  bounds:             sampled: min/max over the ${r.points} given Jacobians, an estimate for the region they stand for`,
      ...(r.gradientNorms
        ? [
            `  pseudo-gradient:    ||F(x_s)|| from ${n(r.gradientNorms.min)} to ${n(r.gradientNorms.max)} over the samples`,
          ]
        : []),
    ];
  const around = r.centreSource === 'equilibrium' ? 'the equilibrium' : 'the given centre';
  const lines = [
    `  region:             ${regionText({ kind: r.kind, radii: r.radii })} around ${around} ${point(r.centre)}`,
  ];
  if (r.mode === 'exact')
    lines.push('  bounds:             exact on the region (linear game: J is constant)');
  else if (r.mode === 'sampled')
    lines.push(
      `  bounds:             sampled: min/max over ${r.sampler} (${r.points} points), an estimate (--rigorous bounds the whole region)`,
    );
  else if (r.inflation) {
    const i = r.inflation;
    lines.push(
      `  bounds:             rigorous: ${r.sampler} (${r.points} points) inflated by ${n(i.amount)} = Lip(J) ${n(i.jacobianLipschitz)} x covering radius ${n(i.coveringRadius)}${i.coveringMethod === 'exact' ? '' : ' (upper bound)'}`,
    );
  }
  return lines;
}
