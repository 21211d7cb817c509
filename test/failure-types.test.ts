import { describe, expect, it } from 'vitest';
import { SweepNotFoundError } from '../db/cell-batches.js';
import { InputError } from '../sgn/util/errors.js';
import { WrongDatabaseError } from '../workers/worker.js';
import { FAILURE_TYPES, NON_RETRYABLE_ERRORS, SWEEP_ENDING_ERRORS } from '../contracts/failures.js';

// Temporal reports an activity's error under its `name`: the classes must carry exactly the
// types the workflow's retry decisions are declared with.
describe('failure types', () => {
  it('names every failure class by its declared type', () => {
    expect(new InputError('field', 'bad').name).toBe(FAILURE_TYPES.input);
    expect(new SweepNotFoundError('s').name).toBe(FAILURE_TYPES.sweepNotFound);
    expect(new WrongDatabaseError('w').name).toBe(FAILURE_TYPES.wrongDatabase);
  });

  it('never retries invalid input or a sweep that cannot go on, and ends the sweep only for the latter', () => {
    expect([...NON_RETRYABLE_ERRORS].sort()).toEqual(['InputError', 'SweepNotFound', 'WrongDatabase']);
    expect([...SWEEP_ENDING_ERRORS].sort()).toEqual(['SweepNotFound', 'WrongDatabase']);
    for (const t of SWEEP_ENDING_ERRORS) expect(NON_RETRYABLE_ERRORS).toContain(t);
  });
});
