/**
 * Worker thread of the LQ-64 benchmark child (two-thread mode): the exact Euler and RK4
 * thresholds of every lambda (one general eigendecomposition each), while the main thread runs
 * the bounds, optimal weights, bands and the grid. Gets the validated game by message (so that
 * its start-up overlaps the main thread reading the game) and posts the thresholds back.
 */
import { parentPort } from 'node:worker_threads';
import type { TwoPlayerQuadraticSpec } from '../../sgn/games/spec.js';
import { thresholdRows } from './lq64-chain.js';

parentPort?.on('message', (spec: TwoPlayerQuadraticSpec) => {
  const startedAt = performance.timeOrigin + performance.now();
  const rows = thresholdRows(spec);
  const ms = performance.timeOrigin + performance.now() - startedAt;
  parentPort!.postMessage({ rows, startedAt, ms }, [rows.buffer]);
});
