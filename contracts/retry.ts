/**
 * How the sweep workflow retries. Batches are retried by the workflow itself (one activity
 * attempt at a time), so that it can tell a batch's worker deaths from its services' errors;
 * the bookkeeping steps are retried by Temporal with the policy below.
 */
import type { RetryPolicy } from '@temporalio/common';
import { NON_RETRYABLE_ERRORS } from './failures.js';

/** Retries of the bookkeeping steps: ~10 minutes of a service's outage, then the sweep fails. */
export const BOOKKEEPING_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '60s',
  maximumAttempts: 15,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS],
};

/** Seconds the workflow waits before a batch's n-th retry (n >= 1): 1, 2, 4, ... up to 30. */
export function batchBackoffSeconds(n: number): number {
  return Math.min(30, 2 ** (n - 1));
}

/** A batch whose worker died while it waited in the queue is put back whole at most this often. */
export const MAX_REQUEUES = 5;

/** The batch activity's policy in histories recorded before every sweep ended (retried by Temporal, without end). */
export const LEGACY_BATCH_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS],
};
