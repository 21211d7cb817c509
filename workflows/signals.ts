/** Signals and queries of the sweep workflow, as typed constants shared with the client. */
import { defineQuery, defineSignal } from '@temporalio/workflow';

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
 * random hex chosen once, at registration (sweep/service.ts), and stored in `sweeps.workflow_id`.
 * Every client reads the id from there, so two databases that share one Temporal namespace never
 * address each other's workflows even when they hold sweeps of the same id. (Sweeps registered
 * before the suffix keep their stored `sgn-sweep-<id>`.) Pure: workflow code imports this file.
 */
export function sweepWorkflowId(sweepId: string, suffix: string): string {
  return `sgn-sweep-${sweepId}-${suffix}`;
}
