/**
 * The activity contract between sweep workflows and workers. Payloads are ids and index
 * ranges only: workers read the resolved spec from the database and expand their own cells.
 * (Types only: workflow code imports this file, so it must stay free of runtime imports.)
 */
import type { SweepStatus } from '../db/sweep-states.js';

export type WorkKind = 'certify' | 'stepsize';

export interface SweepPlan {
  readonly concurrency: number;
  /** Batches per workflow execution before continue-as-new. */
  readonly batchesPerRun: number;
  /** Phases in order (certify before stepsize for kind `both`), each over its own index range. */
  readonly phases: readonly { readonly kind: WorkKind; readonly cells: number; readonly batchSize: number }[];
  /** Attempts at a batch whose services fail before its cells are stored failed. Absent in older plans. */
  readonly maxAttempts?: number;
  /** Deaths of a batch's worker while computing before the batch is split. Absent in older plans. */
  readonly maxWorkerDeaths?: number;
  /** Seconds without a heartbeat before a batch's worker is taken for dead. Absent in older plans. */
  readonly heartbeatTimeout?: number;
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

/** A batch given up on: its cells not stored yet are stored failed with `reason`. */
export interface FailedBatchInput extends BatchInput {
  readonly reason: string;
}

export interface SweepActivities {
  loadPlan(sweepId: string): Promise<SweepPlan>;
  runBatch(input: BatchInput): Promise<BatchOutcome>;
  /** Stores a given-up batch's missing cells as failed (idempotent). */
  recordFailedCells(input: FailedBatchInput): Promise<BatchOutcome>;
  /** Folds the band-map rows no batch folded; resolves to how many. */
  aggregateBands(sweepId: string): Promise<number>;
  setSweepStatus(sweepId: string, status: SweepStatus, error?: string): Promise<void>;
}
