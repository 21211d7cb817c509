/**
 * The activity contract between sweep workflows and workers. Payloads are ids and index
 * ranges only: workers read the resolved spec from the database and expand their own cells.
 * (Types only: workflow code imports this file, so it must stay free of runtime imports.)
 */
export type WorkKind = 'certify' | 'stepsize';
export type SweepStatus = 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface SweepPlan {
  readonly concurrency: number;
  /** Batches per workflow execution before continue-as-new. */
  readonly batchesPerRun: number;
  /** Phases in order (certify before stepsize for kind `both`), each over its own index range. */
  readonly phases: readonly { readonly kind: WorkKind; readonly cells: number; readonly batchSize: number }[];
}

export interface BatchInput {
  readonly sweepId: string;
  readonly kind: WorkKind;
  /** Index range [start, end): cells for certify, game groups for stepsize. */
  readonly start: number;
  readonly end: number;
}

export interface BatchOutcome {
  /** Rows this attempt inserted (0 for cells already stored). */
  readonly inserted: number;
  /** Cells found already stored, e.g. by an earlier attempt or run. */
  readonly alreadyStored: number;
  /** Inserted cells whose computation failed (stored with an error). */
  readonly failed: number;
}

export interface SweepActivities {
  loadPlan(sweepId: string): Promise<SweepPlan>;
  runBatch(input: BatchInput): Promise<BatchOutcome>;
  /** Folds the band-map rows no batch folded; resolves to how many. */
  aggregateBands(sweepId: string): Promise<number>;
  setSweepStatus(sweepId: string, status: SweepStatus, error?: string): Promise<void>;
}

/** Error type names that must never be retried (invalid input). */
export const NON_RETRYABLE_ERRORS = ['InputError', 'SweepNotFound'];
