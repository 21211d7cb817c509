/**
 * A two-player tabular Markov game with softmax policies, as data (formats/markov-file.ts reads
 * it from a file): its tables completed and checked, and the game built from them. Every field
 * is optional; the defaults are the paper's coordination game (2 states, 2 actions, gamma = 0.9,
 * tau = 1, start in state 0, see model.ts). Errors name the field.
 */
import { InputError } from '../../util/errors.js';
import { markovModel, paperRewards, paperTransitions, type MarkovTables } from './model.js';
import { markovGame, type MarkovGame } from './markov-game.js';

/** Largest S x A: the Jacobian is 2 S A square, one exact tangent per column. */
export const MAX_STATE_ACTIONS = 256;
/** Rewards beyond this would swamp the entropy term in double precision anyway. */
export const MAX_REWARD = 1e12;
/** Beyond this a Fisher block's regularisation swamps it (its eigenvalues are at most 1). */
export const MAX_BLOCK_REGULARISATION = 1e3;
/** Tolerance on "sums to 1" for transition rows and the start distribution. */
export const DISTRIBUTION_TOLERANCE = 1e-9;

/** A two-player tabular Markov game; absent tables are the paper's (see markovTables). */
export interface MarkovSpec {
  family: 'markov';
  name?: string;
  states?: number;
  actions?: number;
  gamma: number;
  tau: number;
  /** P[s][a1][a2][s']: a distribution over next states for every state and joint action. */
  P?: number[][][][];
  /** R[s][a1][a2]: player 1's reward, and player 2's too unless R2 is given (cooperative). */
  R?: number[][][];
  R2?: number[][][];
  /** Start distribution over states (default: state 0). */
  start?: number[];
  /** Scale the discounted return by 1 - gamma, as the paper's code does (default true). */
  normalisedReturn: boolean;
  /**
   * The Fisher geometry. blockRegularisation eps > 0 uses each player's Fisher block as G_i + eps I
   * (the certificate, natural policy gradient and its metric); 0, the default, is the paper's
   * convention (markov/sgn_theory.py: G_i unregularised, eigenvalues floored at 1e-6).
   */
  fisher?: { blockRegularisation: number };
}

function expectLength(v: readonly unknown[], n: number, field: string, what: string): void {
  if (v.length !== n) throw new InputError(field, `has ${v.length} entries, expected ${n} (${what})`);
}

function checkSum(v: readonly number[], field: string): void {
  const sum = v.reduce((a, b) => a + b, 0);
  if (!(Math.abs(sum - 1) <= DISTRIBUTION_TOLERANCE))
    throw new InputError(field, `must sum to 1 (a probability distribution), sums to ${sum}`);
}

function checkRewards(R: MarkovSpec['R'] & object, S: number, A: number, field: string): void {
  expectLength(R, S, field, 'one per state');
  R.forEach((byA1, s) => {
    expectLength(byA1, A, `${field}[${s}]`, "one per player 1's action");
    byA1.forEach((byA2, a1) => expectLength(byA2, A, `${field}[${s}][${a1}]`, "one per player 2's action"));
  });
}

/**
 * The complete tables of a validated spec: defaults filled in (the paper's game), shapes and
 * distributions checked. Sizes come from `states`/`actions`, else from P, else 2 x 2.
 */
export function markovTables(spec: MarkovSpec, root = 'game'): MarkovTables {
  const S = spec.states ?? spec.P?.length ?? 2;
  const A = spec.actions ?? spec.P?.[0]?.length ?? 2;
  if (A < 2) throw new InputError(`${root}.P[0]`, 'needs at least 2 actions (one action leaves no policy)');
  if (S * A > MAX_STATE_ACTIONS)
    throw new InputError(root, `states x actions = ${S * A} exceeds the limit of ${MAX_STATE_ACTIONS}`);
  const paperSize = S === 2 && A === 2;
  if (!spec.P && !paperSize)
    throw new InputError(
      `${root}.P`,
      `is required when the game is not 2 states x 2 actions (got ${S} x ${A})`,
    );
  if (!spec.R && !paperSize)
    throw new InputError(
      `${root}.R`,
      `is required when the game is not 2 states x 2 actions (got ${S} x ${A})`,
    );
  const P = spec.P ?? paperTransitions();
  expectLength(P, S, `${root}.P`, 'one per state');
  P.forEach((byA1, s) => {
    expectLength(byA1, A, `${root}.P[${s}]`, "one per player 1's action");
    byA1.forEach((byA2, a1) => {
      expectLength(byA2, A, `${root}.P[${s}][${a1}]`, "one per player 2's action");
      byA2.forEach((next, a2) => {
        const field = `${root}.P[${s}][${a1}][${a2}]`;
        expectLength(next, S, field, 'a distribution over next states');
        checkSum(next, field);
      });
    });
  });
  const R = spec.R ?? paperRewards();
  checkRewards(R, S, A, `${root}.R`);
  if (spec.R2) checkRewards(spec.R2, S, A, `${root}.R2`);
  const start = spec.start ?? Array.from({ length: S }, (_, s) => (s === 0 ? 1 : 0));
  expectLength(start, S, `${root}.start`, 'one per state');
  checkSum(start, `${root}.start`);
  return {
    gamma: spec.gamma,
    tau: spec.tau,
    P,
    R,
    R2: spec.R2,
    start,
    normalisedReturn: spec.normalisedReturn,
    fisherRegularisation: spec.fisher?.blockRegularisation ?? 0,
  };
}

/** The game a validated spec describes. */
export function buildMarkovGame(spec: MarkovSpec): MarkovGame {
  return markovGame(markovModel(markovTables(spec)));
}
