/**
 * How a sweep's cells are run, beyond what they compute: batch size, the window of batches in
 * flight, and the budgets that make every sweep end (a cell's time budget, attempts at a batch
 * before its cells are stored as failed, the heartbeat timeout after which a silent worker's
 * batch is taken for dead). Not part of the spec's hash: changing them keeps a sweep resumable.
 */
export interface ExecutionSettings {
  readonly batchSize: number;
  readonly concurrency: number;
  /** Seconds one cell may compute before it is stopped and stored with `timeout after N s`. */
  readonly cellTimeout: number;
  /**
   * Attempts at a batch whose services fail (the database, Temporal): with backoff from 1 s to
   * 30 s, the default rides out ~2.5 minutes of an outage. Not its cells' own failures: those are
   * stored failed at once.
   */
  readonly maxAttempts: number;
  /** Deaths of a batch's worker while it computes before the batch is split (a lone cell: stored failed). */
  readonly maxWorkerDeaths: number;
  /** Seconds without a heartbeat after which a batch's worker is taken for dead. */
  readonly heartbeatTimeout: number;
}

export const EXECUTION_DEFAULTS: ExecutionSettings = {
  batchSize: 200,
  concurrency: 4,
  cellTimeout: 900,
  maxAttempts: 10,
  maxWorkerDeaths: 3,
  heartbeatTimeout: 20,
};

/** A stored spec's settings, with the defaults for fields older specs do not have. */
export function executionOf(resolved: {
  readonly execution?: Partial<ExecutionSettings>;
}): ExecutionSettings {
  return { ...EXECUTION_DEFAULTS, ...(resolved.execution ?? {}) };
}
