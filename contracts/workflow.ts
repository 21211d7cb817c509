/**
 * The sweep workflow's contract with its clients: its input and result, its signals and query,
 * and its workflow id. Shared by the workflow, the application layer and tests; workflow code
 * imports this file, so it stays free of I/O and heavy imports.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SweepPlan } from './activities.js';

/** The workflow type name workers register and clients start. */
export const SWEEP_WORKFLOW_TYPE = 'sweepWorkflow';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');

export interface SweepProgress {
  readonly sweepId: string;
  readonly phase: string;
  readonly batchesTotal: number;
  /** Batches below this index are done (window start). */
  readonly batchesDone: number;
  readonly inFlight: number;
  readonly paused: boolean;
  readonly cancelling: boolean;
  /** Continue-as-new generation of this execution. */
  readonly generation: number;
}

export const progressQuery = defineQuery<SweepProgress>('progress');

/**
 * The workflow id of a sweep being registered: `sgn-sweep-<id>-<suffix>`, where the suffix is
 * random hex chosen once, at registration (app/sweeps.ts), and stored in `sweeps.workflow_id`.
 * Every client reads the id from there, so two databases that share one Temporal namespace never
 * address each other's workflows even when they hold sweeps of the same id. (Sweeps registered
 * before the suffix keep their stored `sgn-sweep-<id>`.) Pure: workflow code imports this file.
 */
export function sweepWorkflowId(sweepId: string, suffix: string): string {
  return `sgn-sweep-${sweepId}-${suffix}`;
}

/** A batch (or a part of a split one) waiting to run again. */
export interface PendingRange {
  readonly start: number;
  readonly end: number;
  /** Times it was put back whole because its worker died while it only waited in the queue. */
  readonly requeued: number;
}

export interface SweepWorkflowInput {
  readonly sweepId: string;
  /** Carried across continue-as-new. */
  readonly plan?: SweepPlan;
  readonly phaseIndex?: number;
  readonly nextBatch?: number;
  /** Parts of split batches, and batches put back, still to run in this phase. */
  readonly pending?: readonly PendingRange[];
  readonly paused?: boolean;
  readonly generation?: number;
  /** The starter already marked the sweep running (the CLI does, before starting the workflow). */
  readonly markedRunning?: boolean;
}

export interface SweepWorkflowResult {
  readonly sweepId: string;
  readonly status: 'completed' | 'cancelled';
}
