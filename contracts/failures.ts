/**
 * The failure types of sweeps, by the names Temporal reports them under (an error thrown in an
 * activity reaches the workflow as an ApplicationFailure whose type is the error's `name`).
 * The classes live where they are raised (InputError on the bottom floor, config/errors.ts, for
 * inputs and settings alike; SweepNotFoundError in the write path, WrongDatabaseError in the
 * worker); which of them are retried is declared here once, and failures.test.ts checks every
 * class's name against these lists.
 */
export const FAILURE_TYPES = {
  /** Invalid input: the same input fails the same way on every attempt. */
  input: 'InputError',
  /** The sweep's row is gone (deleted while its workflow ran). */
  sweepNotFound: 'SweepNotFound',
  /** A worker of another database polled this sweep's task queue. */
  wrongDatabase: 'WrongDatabase',
  /** The sweep workflow's own failure, as its clients see it. */
  sweepFailed: 'SweepFailed',
} as const;

/** Error types that must never be retried. */
export const NON_RETRYABLE_ERRORS: readonly string[] = [
  FAILURE_TYPES.input,
  FAILURE_TYPES.sweepNotFound,
  FAILURE_TYPES.wrongDatabase,
];

/** Failures that end the sweep (its row is gone, or the worker is not its database's). */
export const SWEEP_ENDING_ERRORS: readonly string[] = [
  FAILURE_TYPES.sweepNotFound,
  FAILURE_TYPES.wrongDatabase,
];
