/**
 * The `markov` game-file format, validated with zod so that every error names its field, into
 * the shape of sgn/games/markov/spec.ts (whose markovTables then checks the tables' shapes).
 */
import { z } from 'zod';
import { PAPER_GAMMA, PAPER_TAU } from '../sgn/games/markov/model.js';
import {
  MAX_BLOCK_REGULARISATION,
  MAX_REWARD,
  markovTables,
  type MarkovSpec,
} from '../sgn/games/markov/spec.js';
import type { SameType } from './same-type.js';
import { inputErrorFromZod } from './zod-errors.js';

const finite = z
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .refine((x) => Math.abs(x) <= MAX_REWARD, `must be at most ${MAX_REWARD} in magnitude`);
const probability = z
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .refine((x) => x >= 0 && x <= 1, 'must be a probability in [0, 1]');
const rewardTable = z.array(z.array(z.array(finite)));

export const markovGameSchema = z.strictObject({
  family: z.literal('markov'),
  name: z.string().optional(),
  states: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  actions: z
    .number()
    .int('must be an integer')
    .min(2, 'must be at least 2 (one action leaves no policy)')
    .optional(),
  gamma: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .refine((g) => g >= 0 && g < 1, 'must be in [0, 1)')
    .default(PAPER_GAMMA),
  tau: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .refine((t) => t >= 0, 'must be >= 0')
    .default(PAPER_TAU),
  /** P[s][a1][a2][s']: a distribution over next states for every state and joint action. */
  P: z.array(z.array(z.array(z.array(probability)))).optional(),
  /** R[s][a1][a2]: player 1's reward, and player 2's too unless R2 is given (cooperative). */
  R: rewardTable.optional(),
  R2: rewardTable.optional(),
  /** Start distribution over states (default: state 0). */
  start: z.array(probability).optional(),
  /** Scale the discounted return by 1 - gamma, as the paper's code does (default true). */
  normalisedReturn: z.boolean().default(true),
  /** The Fisher geometry (sgn/games/markov/spec.ts MarkovSpec.fisher). */
  fisher: z
    .strictObject({
      blockRegularisation: z
        .number()
        .refine(Number.isFinite, 'must be a finite number')
        .refine((e) => e >= 0 && e <= MAX_BLOCK_REGULARISATION, `must be in [0, ${MAX_BLOCK_REGULARISATION}]`)
        .default(0),
    })
    .optional(),
});

/** Validates a parsed `markov` game object; throws InputError naming the field (rooted at `root`). */
// What the schema yields is exactly the shape the mathematics takes.
const schemaMatches: SameType<z.infer<typeof markovGameSchema>, MarkovSpec> = true;
void schemaMatches;

export function parseMarkovSpec(obj: Record<string, unknown>, root = 'game'): MarkovSpec {
  const parsed = markovGameSchema.safeParse(obj);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  markovTables(parsed.data, root);
  return parsed.data;
}
