/** Seeded random Markov games for the tests of this family (general-sum, S states, A actions). */
import { defaultRng } from '../../random/generator.js';
import { markovModel, type MarkovModel, type MarkovTables } from './model.js';

export function randomTables(S: number, A: number, seed: number, gamma = 0.8, tau = 0.7): MarkovTables {
  const rng = defaultRng(seed);
  const distribution = (k: number): number[] => {
    const raw = Array.from({ length: k }, () => 0.05 + rng.uniform());
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / sum);
  };
  const rewards = (): number[][][] =>
    Array.from({ length: S }, () =>
      Array.from({ length: A }, () => Array.from({ length: A }, () => 2 * rng.uniform() - 1)),
    );
  return {
    gamma,
    tau,
    P: Array.from({ length: S }, () =>
      Array.from({ length: A }, () => Array.from({ length: A }, () => distribution(S))),
    ),
    R: rewards(),
    R2: rewards(),
    start: distribution(S),
    normalisedReturn: true,
  };
}

export function randomModel(S: number, A: number, seed: number, gamma?: number, tau?: number): MarkovModel {
  return markovModel(randomTables(S, A, seed, gamma, tau));
}

export function randomLogits(d: number, seed: number, spread = 1): Float64Array {
  const rng = defaultRng(seed);
  return Float64Array.from({ length: d }, () => spread * rng.normal());
}
