/**
 * The Node/V8 flags sgn processes run with: package.json's `sgn`, `bench` and `demo` scripts,
 * bin/sgn.js, the Dockerfile's and docker-compose's worker commands and the test launchers pass
 * them (test/compose.test.ts keeps those in step).
 *
 * --single-threaded-gc: V8 collects garbage on the thread that allocated it instead of sharing
 * the work with helper threads. A worker computes on one thread beside PostgreSQL and the
 * Temporal server, typically one worker per core, so there is no idle core for the helpers,
 * and on these 2-core machines the parallel collector costs more than it saves even when there
 * is. Measured here: 20,000 cells certified in one process in 0.87-0.91 s instead of
 * 1.08-1.25 s; a one-worker sweep of them 1.14-1.17 s instead of 1.24-1.26 s (medians of 8
 * sweeps each, alternating); two workers unchanged.
 */
export const NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/** The flags in NODE_FLAGS that this process was started without. */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return NODE_FLAGS.filter((f) => !execArgv.includes(f));
}
