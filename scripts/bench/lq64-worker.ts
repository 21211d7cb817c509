/**
 * Worker thread of the LQ-64 benchmark child: runs the chain of lambdas it is given (first in
 * workerData, so that it starts computing as soon as its modules are loaded; later ones by
 * message) and posts the result back, its arrays transferred. Runs as compiled JavaScript
 * (dist/, see compile.ts): worker threads do not inherit tsx's module hooks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TwoPlayerQuadraticSpec } from '../../sgn/games/spec.js';
import { runChain } from './lq64-chain.js';

export interface ChainJob {
  /** Validated by the main thread (the worker's bundle has no zod). */
  readonly spec: TwoPlayerQuadraticSpec;
  readonly from: number;
  readonly to: number;
}

function run(job: ChainJob): void {
  // Epoch ms, comparable with the parent thread's performance.timeOrigin + performance.now().
  const startedAt = performance.timeOrigin + performance.now();
  const r = runChain(job.spec, job.from, job.to, 'up');
  parentPort?.postMessage({ ...r, startedAt }, [r.grid.buffer, r.summary.buffer]);
}

if (parentPort !== null) {
  run(workerData as ChainJob);
  parentPort.on('message', (job: ChainJob) => run(job));
}
