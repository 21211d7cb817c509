/**
 * One measured run of the LQ-64 pipeline, in a fresh process (spawned by lq64.ts, as compiled
 * JavaScript from dist/):
 *
 *   node dist/bench/lq64-child.js --game G --out DIR [--threads 1|2] [--warm]
 *
 * This thread runs the 61 lambdas in two chains (lq64-chain.ts): lambdas 31 down to 0, then 32 up
 * to 60. With two threads a worker thread computes the exact thresholds of every lambda
 * meanwhile (the same numbers, bit for bit). The timed region goes from before the worker is
 * created and the game is read to after the CSVs are written; everything before it is process
 * and module start-up, reported as `startMs`. `--warm` repeats the pipeline in the same process
 * (same worker) and reports that too. The last stdout line is the JSON of ChildResult.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TwoPlayerQuadraticSpec } from '../../sgn/games/spec.js';
import { parseGameSpec } from '../../formats/game-file.js';
import { parseArgs, writeCsvFlat } from './common.js';
import {
  GRID_COLS,
  GRID_HEADER,
  N_LAMBDA,
  N_RATIO,
  runChain,
  SUMMARY_COLS,
  SUMMARY_HEADER,
  H_EULER_COL,
} from './lq64-chain.js';

/** The two chains: lambdas [0, SPLIT) downwards, then [SPLIT, N_LAMBDA) upwards. */
export const SPLIT = 32;

export interface Timings {
  /** Timed region, ms. */
  totalMs: number;
  /** Process start to the timed region (node start-up, module loading), ms; cold run only. */
  startMs: number;
  threads: number;
  mainAnalysisMs: number;
  mainGridMs: number;
  /** The second chain. */
  otherAnalysisMs: number;
  otherGridMs: number;
  /** Worker creation to the worker starting the thresholds (module loading), ms; 0 with one thread. */
  workerBootMs: number;
  /** The worker's thresholds, ms; 0 with one thread. */
  workerMs: number;
  /** Main thread idle, waiting for the worker after its chains, ms. */
  waitMs: number;
  csvMs: number;
}

export interface ChildResult {
  cold: Timings;
  warm: Timings | null;
}

/** Reads and validates the two-player game (Q1, Q2, R, a, b); each lambda then scales its coupling. */
function readGame(gamePath: string): TwoPlayerQuadraticSpec {
  const spec = parseGameSpec(JSON.parse(readFileSync(gamePath, 'utf8')));
  if (!('Q1' in spec)) throw new Error(`${gamePath}: expected the two-player form (Q1, Q2, R, a, b)`);
  return spec;
}

interface ThresholdReply {
  rows: Float64Array<ArrayBuffer>;
  /** Epoch ms when the worker started computing, and how long it took. */
  startedAt: number;
  ms: number;
}

/** The thresholds worker (two-thread mode) and its next reply. */
class ThresholdWorker {
  private readonly worker = new Worker(new URL('./lq64-thresholds-worker.js', import.meta.url));
  private next: Promise<ThresholdReply> | null = null;

  request(spec: TwoPlayerQuadraticSpec): void {
    this.next = new Promise<ThresholdReply>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.worker.once('error', onError);
      this.worker.once('message', (r: ThresholdReply) => {
        this.worker.off('error', onError);
        resolve(r);
      });
    });
    this.worker.postMessage(spec);
  }

  reply(): Promise<ThresholdReply> {
    if (this.next === null) throw new Error('lq64 thresholds: nothing requested');
    return this.next;
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * One run of the pipeline. One thread: everything here, the 61 lambdas in two chains (31 down to
 * 0, then 32 up to 60; see lq64-chain.ts). Two threads: the same, except that the exact
 * thresholds (one general eigendecomposition per lambda) are computed on a worker thread
 * meanwhile, created before the game is read.
 */
async function runPipeline(
  gamePath: string,
  out: string,
  threads: number,
  state: { worker: ThresholdWorker | null },
): Promise<Timings> {
  const t0 = performance.now();
  if (threads > 1) state.worker ??= new ThresholdWorker();
  const spec = readGame(gamePath);
  state.worker?.request(spec);
  const where = state.worker !== null ? 'elsewhere' : 'here';
  const first = runChain(spec, 0, SPLIT, 'down', where);
  const other = runChain(spec, SPLIT, N_LAMBDA, 'up', where);
  const tw = performance.now();
  let workerBootMs = 0;
  let workerMs = 0;
  const summary = new Float64Array(N_LAMBDA * SUMMARY_COLS);
  summary.set(first.summary, 0);
  summary.set(other.summary, first.summary.length);
  if (state.worker !== null) {
    const r = await state.worker.reply();
    workerBootMs = Math.max(0, r.startedAt - (performance.timeOrigin + t0));
    workerMs = r.ms;
    for (let li = 0; li < N_LAMBDA; li++) {
      summary[li * SUMMARY_COLS + H_EULER_COL] = r.rows[2 * li];
      summary[li * SUMMARY_COLS + H_EULER_COL + 1] = r.rows[2 * li + 1];
    }
  }
  const tc = performance.now();
  const grid = new Float64Array(N_LAMBDA * N_RATIO * GRID_COLS);
  grid.set(first.grid, 0);
  grid.set(other.grid, first.grid.length);
  writeCsvFlat(join(out, 'grid.csv'), GRID_HEADER, grid);
  writeCsvFlat(join(out, 'summary.csv'), SUMMARY_HEADER, summary);
  const t1 = performance.now();
  return {
    totalMs: t1 - t0,
    startMs: t0,
    threads,
    mainAnalysisMs: first.analysisMs,
    mainGridMs: first.gridMs,
    otherAnalysisMs: other.analysisMs,
    otherGridMs: other.gridMs,
    workerBootMs,
    workerMs,
    waitMs: tc - tw,
    csvMs: t1 - tc,
  };
}

async function main(args: string[]): Promise<void> {
  const { opts } = parseArgs(args);
  const gamePath = opts.get('game');
  const out = opts.get('out');
  if (gamePath === undefined || out === undefined)
    throw new Error('lq64-child: --game and --out are required');
  const threads = Number(opts.get('threads') ?? 1);
  if (threads !== 1 && threads !== 2) throw new Error('lq64-child: --threads must be 1 or 2');
  const state = { worker: null as ThresholdWorker | null };
  const cold = await runPipeline(gamePath, out, threads, state);
  const warm = opts.has('warm') ? await runPipeline(gamePath, out, threads, state) : null;
  await state.worker?.terminate();
  console.log(JSON.stringify({ cold, warm } satisfies ChildResult));
}

await main(process.argv.slice(2));
