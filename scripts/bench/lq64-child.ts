/**
 * One measured run of the LQ-64 pipeline, in a fresh process (spawned by lq64.ts, as compiled
 * JavaScript from dist/):
 *
 *   node dist/bench/lq64-child.js --game G --out DIR [--threads 1|2] [--warm]
 *
 * The 61 lambdas are split into two chains (lq64-chain.ts): lambdas 31 down to 0 and 32 up to
 * 60. With two threads a worker thread runs the second one while this thread runs the first; with one thread this thread runs both,
 * one after the other (same results, bit for bit). The timed region goes from before the worker
 * is created and the game is read to after the CSVs are written; everything before it is process
 * and module start-up, reported as `startMs`. `--warm` repeats the pipeline in the same process
 * (same worker) and reports that too. The last stdout line is the JSON of ChildResult.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGameSpec, type TwoPlayerQuadraticSpec } from '../../sgn/games/spec.js';
import { parseArgs, writeCsvFlat } from './common.js';
import {
  GRID_COLS,
  GRID_HEADER,
  N_LAMBDA,
  N_RATIO,
  runChain,
  SUMMARY_COLS,
  SUMMARY_HEADER,
  type ChainResult,
} from './lq64-chain.js';
import type { ChainJob } from './lq64-worker.js';

/**
 * The main thread's chain is the longer one: the worker starts computing only after its own
 * module loading (~20-40 ms), and the main thread also writes the CSVs.
 */
export const SPLIT = 32;

export interface Timings {
  /** Timed region, ms. */
  totalMs: number;
  /** Process start to the timed region (node start-up, module loading), ms; cold run only. */
  startMs: number;
  threads: number;
  mainAnalysisMs: number;
  mainGridMs: number;
  /** The worker's chain (or, with one thread, the main thread's second chain). */
  otherAnalysisMs: number;
  otherGridMs: number;
  /** Worker creation to the worker starting its chain (module loading), ms; 0 with one thread. */
  workerBootMs: number;
  /** Main thread idle, waiting for the worker after its own chain, ms. */
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

type WorkerReply = ChainResult & { startedAt: number };

/** The worker thread and the replies it has not delivered yet (one job in flight at a time). */
class ChainWorker {
  private readonly worker: Worker;
  private waiting: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;
  private ready: WorkerReply | Error | null = null;
  readonly createdAt = performance.timeOrigin + performance.now();

  constructor(first: ChainJob) {
    this.worker = new Worker(new URL('./lq64-worker.js', import.meta.url), { workerData: first });
    this.worker.on('message', (r: WorkerReply) => this.deliver(r));
    this.worker.on('error', (e: Error) => this.deliver(e));
    this.worker.on('exit', (code) => this.deliver(new Error(`lq64 worker exited (${code})`)));
  }

  private deliver(r: WorkerReply | Error): void {
    const w = this.waiting;
    this.waiting = null;
    if (w === null) this.ready = r;
    else if (r instanceof Error) w.reject(r);
    else w.resolve(r);
  }

  /** The reply to the job in flight. */
  reply(): Promise<WorkerReply> {
    const r = this.ready;
    this.ready = null;
    if (r instanceof Error) return Promise.reject(r);
    if (r !== null) return Promise.resolve(r);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  post(job: ChainJob): void {
    this.worker.postMessage(job);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

async function runPipeline(
  gamePath: string,
  out: string,
  threads: number,
  state: { worker: ChainWorker | null },
): Promise<Timings> {
  const t0 = performance.now();
  const spec = readGame(gamePath);
  const second: ChainJob = { spec, from: SPLIT, to: N_LAMBDA };
  let workerBootMs = 0;
  if (threads > 1) {
    if (state.worker === null) state.worker = new ChainWorker(second);
    else state.worker.post(second);
  }
  const first = runChain(spec, 0, SPLIT, 'down');
  let other: ChainResult;
  const tw = performance.now();
  if (state.worker !== null) {
    const r = await state.worker.reply();
    workerBootMs = Math.max(0, r.startedAt - (performance.timeOrigin + t0));
    other = r;
  } else other = runChain(spec, SPLIT, N_LAMBDA, 'up');
  const tc = performance.now();
  const waitMs = state.worker !== null ? tc - tw : 0;
  const grid = new Float64Array(N_LAMBDA * N_RATIO * GRID_COLS);
  grid.set(first.grid, 0);
  grid.set(other.grid, first.grid.length);
  const summary = new Float64Array(N_LAMBDA * SUMMARY_COLS);
  summary.set(first.summary, 0);
  summary.set(other.summary, first.summary.length);
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
    waitMs,
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
  const state = { worker: null as ChainWorker | null };
  const cold = await runPipeline(gamePath, out, threads, state);
  const warm = opts.has('warm') ? await runPipeline(gamePath, out, threads, state) : null;
  await state.worker?.terminate();
  console.log(JSON.stringify({ cold, warm } satisfies ChildResult));
}

await main(process.argv.slice(2));
