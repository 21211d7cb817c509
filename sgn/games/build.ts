/** Builds the game a validated spec describes, by family. */
import type { Game } from './game.js';
import type { GameSpec } from './spec.js';
import { buildQuadraticGame } from './quadratic.js';
import { buildTanhGame } from './tanh.js';
import { buildMarkovGame } from './markov/spec.js';
import { buildSampledGame } from './sampled.js';

export function buildGame(spec: GameSpec): Game {
  switch (spec.family) {
    case 'quadratic':
      return buildQuadraticGame(spec);
    case 'tanh':
      return buildTanhGame(spec);
    case 'markov':
      return buildMarkovGame(spec);
    case 'sampled-jacobians':
      return buildSampledGame(spec);
  }
}
