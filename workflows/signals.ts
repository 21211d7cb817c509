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

/** Deterministic workflow id for a sweep: one workflow per sweep id. */
export function sweepWorkflowId(sweepId: string): string {
  return `sgn-sweep-${sweepId}`;
}
