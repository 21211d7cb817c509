/**
 * The states a sweep moves through. A leaf module (no imports): the workflow's contract names
 * them too, and workflow code must not reach the database client, even through types.
 */
export type SweepStatus = 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

/** Statuses a sweep ends in (its `finished_at` is set). */
export const FINAL_STATUSES: readonly SweepStatus[] = ['completed', 'failed', 'cancelled'];
