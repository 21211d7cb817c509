/**
 * The data of a two-player tabular Markov game: S states, A actions per player, transitions
 * P[s][a1][a2][s'], rewards R_i[s][a1][a2], discount gamma, entropy weight tau, start
 * distribution. Flat Float64Arrays so the evaluation loops index them directly.
 */

export interface MarkovModel {
  readonly states: number;
  readonly actions: number;
  readonly gamma: number;
  readonly tau: number;
  /** P[((s * A + a1) * A + a2) * S + t] = Pr(next state t | state s, joint action (a1, a2)). */
  readonly P: Float64Array;
  /** Per player: R_i[(s * A + a1) * A + a2]. */
  readonly R: readonly [Float64Array, Float64Array];
  /** Start distribution over states. */
  readonly start: Float64Array;
  /**
   * Multiplier of the discounted return in the losses: 1 - gamma (the return in per-step
   * units, as the paper's code computes it with the normalised occupancy measure) or 1.
   */
  readonly returnScale: number;
  /**
   * The Fisher geometry's per-block regularisation eps: each player's Fisher block G_i is used as
   * G_i + eps I by the certificate, natural policy gradient and its metric. 0 (the default) is the
   * paper's convention: G_i unregularised (its eigenvalues floored at 1e-6 where inverted).
   */
  readonly fisherRegularisation: number;
}

/** Rewards and transitions given as nested arrays (the game-file form). */
export interface MarkovTables {
  readonly gamma: number;
  readonly tau: number;
  readonly P: readonly (readonly (readonly (readonly number[])[])[])[];
  readonly R: readonly (readonly (readonly number[])[])[];
  /** Player 2's reward; the game is cooperative (R_2 = R) when absent. */
  readonly R2?: readonly (readonly (readonly number[])[])[];
  readonly start: readonly number[];
  /** Scale the return by 1 - gamma (the paper's convention); default true. */
  readonly normalisedReturn?: boolean;
  /** Per-block Fisher regularisation eps (MarkovModel.fisherRegularisation); default 0. */
  readonly fisherRegularisation?: number;
}

/** The paper's coordination game on 2 states, 2 actions (see sgn-math.md, "Mirror / Fisher geometry"). */
export const PAPER_GAMMA = 0.9;
export const PAPER_TAU = 1;

/** In either state: (0,0) leads to state 0 w.p. 0.9, (1,1) to state 1 w.p. 0.9, mismatches 50/50. */
export function paperTransitions(): number[][][][] {
  const row = (a1: number, a2: number): number[] =>
    a1 !== a2 ? [0.5, 0.5] : a1 === 0 ? [0.9, 0.1] : [0.1, 0.9];
  return [0, 1].map(() => [0, 1].map((a1) => [0, 1].map((a2) => row(a1, a2))));
}

/** Cooperative: +1 when the actions match, -1 otherwise, in both states. */
export function paperRewards(): number[][][] {
  return [0, 1].map(() => [0, 1].map((a1) => [0, 1].map((a2) => (a1 === a2 ? 1 : -1))));
}

export function paperTables(): MarkovTables {
  return {
    gamma: PAPER_GAMMA,
    tau: PAPER_TAU,
    P: paperTransitions(),
    R: paperRewards(),
    start: [1, 0],
    normalisedReturn: true,
  };
}

/** Flattens validated tables (shapes are checked by the spec layer; asserted again here). */
export function markovModel(t: MarkovTables): MarkovModel {
  const S = t.P.length;
  const A = S > 0 ? t.P[0].length : 0;
  if (S < 1 || A < 1) throw new Error('a Markov game needs at least one state and one action');
  const P = new Float64Array(S * A * A * S);
  const flatReward = (r: MarkovTables['R']): Float64Array => {
    const out = new Float64Array(S * A * A);
    if (r.length !== S) throw new Error(`reward table has ${r.length} states, expected ${S}`);
    for (let s = 0; s < S; s++)
      for (let a1 = 0; a1 < A; a1++)
        for (let a2 = 0; a2 < A; a2++) {
          const v = r[s]?.[a1]?.[a2];
          if (v === undefined) throw new Error(`reward table is missing entry [${s}][${a1}][${a2}]`);
          out[(s * A + a1) * A + a2] = v;
        }
    return out;
  };
  for (let s = 0; s < S; s++)
    for (let a1 = 0; a1 < A; a1++)
      for (let a2 = 0; a2 < A; a2++)
        for (let u = 0; u < S; u++) {
          const v = t.P[s]?.[a1]?.[a2]?.[u];
          if (v === undefined)
            throw new Error(`transition table is missing entry [${s}][${a1}][${a2}][${u}]`);
          P[((s * A + a1) * A + a2) * S + u] = v;
        }
  if (t.start.length !== S) throw new Error(`start has ${t.start.length} entries, expected ${S}`);
  const R1 = flatReward(t.R);
  return {
    states: S,
    actions: A,
    gamma: t.gamma,
    tau: t.tau,
    P,
    R: [R1, t.R2 ? flatReward(t.R2) : R1],
    start: Float64Array.from(t.start),
    returnScale: t.normalisedReturn === false ? 1 : 1 - t.gamma,
    fisherRegularisation: t.fisherRegularisation ?? 0,
  };
}
