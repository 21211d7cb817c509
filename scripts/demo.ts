/**
 * `npm run demo [-- --small] [--out DIR] [--state DIR] [--workers N]`: the paper's LQ-64 study
 * end to end. Uses DATABASE_URL / TEMPORAL_ADDRESS when set; otherwise starts an embedded
 * PostgreSQL and a local Temporal dev server. Runs workers in-process, runs the certify and
 * step-size sweeps (or reuses them when already stored), and writes figures, CSV tables and
 * report.html into the output folder (default out/demo).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type SgnConfig } from '../config/config.js';
import { InputError } from '../config/errors.js';
import { redactUrl } from '../db/client.js';
import { PROJECT_ROOT } from '../config/project-root.js';
import { progressPrinter } from '../cli/progress.js';
import { temporalConfig, type TemporalConfig } from '../workers/config.js';
import { createSweepWorker } from '../workers/worker.js';
import { sweepIdFor } from '../sweep/resolve.js';
import { type ResolvedSweep } from '../sweep/resolved.js';
import { startSweep, waitForSweep } from '../app/sweeps.js';
import { openContext, type SweepContext } from '../app/context.js';
import { startEmbeddedPostgres, startLocalTemporal } from './demo/services.js';
import { demoSpecs, type DemoScale } from './demo/specs.js';
import { loadSweepData } from '../report/data.js';
import {
  bandMapFigure,
  marginsFigure,
  phaseFigure,
  renderFigure,
  type FigureLabels,
} from '../report/figures.js';
import { writeFigures, writeTables, type ReportTables } from '../report/files.js';
import { reportHtml, summarise, type SweepInfo } from './demo/report.js';

const USAGE = `usage: npm run demo -- [--small] [--out DIR] [--state DIR] [--workers N]
  --small        reduced grids (also SGN_DEMO_SCALE=small): runs in well under a minute
  --out DIR      output folder (default out/demo)
  --state DIR    embedded PostgreSQL data, kept across runs (default .tmp/demo-state)
  --workers N    in-process sweep workers (default 2, 2 batches each)
Environment: DATABASE_URL and TEMPORAL_ADDRESS select existing services; without them the demo
starts an embedded PostgreSQL and a Temporal dev server (the \`temporal\` CLI, TEMPORAL_CLI_PATH).`;

const log = (s: string): void => {
  process.stderr.write(`demo: ${s}\n`);
};

type Closer = { name: string; close: () => Promise<void>; timeoutMs: number };

/** Things to stop at the end or on SIGINT, newest first. */
class Shutdown {
  private readonly closers: Closer[] = [];
  private running: Promise<void> | null = null;
  interrupted = false;

  add(name: string, close: () => Promise<void>, timeoutMs = 30_000): void {
    this.closers.push({ name, close, timeoutMs });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.closers.length) {
        const c = this.closers.pop()!;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((r) => {
          timer = setTimeout(() => {
            log(`stopping ${c.name}: no answer after ${c.timeoutMs / 1000} s, going on`);
            r();
          }, c.timeoutMs);
        });
        await Promise.race([
          c
            .close()
            .catch((e: unknown) => log(`stopping ${c.name}: ${e instanceof Error ? e.message : String(e)}`)),
          timeout,
        ]);
        clearTimeout(timer);
      }
    })();
    return this.running;
  }
}

async function startWorkers(
  n: number,
  config: SgnConfig,
  temporal: TemporalConfig,
  databaseUrl: string,
  shutdown: Shutdown,
): Promise<void> {
  // Worker lifecycle messages would drown the progress lines; CPU-bound batches share this
  // thread with the workflows, so core's "workflow task took > 5 s" warnings are expected here.
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  for (let i = 0; i < n; i++) {
    const { worker, close } = await createSweepWorker({ config, concurrency: 2, temporal, databaseUrl });
    const running = worker.run();
    shutdown.add(`worker ${i + 1}`, async () => {
      stopWorker(worker);
      await running.catch(() => undefined);
      await close();
    });
  }
}

function stopWorker(worker: Worker): void {
  try {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  } catch {
    // already stopping (the Temporal runtime also stops workers on SIGINT)
  }
}

async function isComplete(ctx: SweepContext, id: string, resolved: ResolvedSweep): Promise<boolean> {
  const row = await ctx.prisma.sweep.findUnique({
    where: { id },
    select: { status: true, doneCells: true, totalCells: true, specHash: true },
  });
  return (
    row !== null &&
    row.specHash === resolved.specHash &&
    row.status === 'completed' &&
    row.doneCells >= row.totalCells
  );
}

async function main(argv: string[], shutdown: Shutdown): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      small: { type: 'boolean', default: false },
      out: { type: 'string' },
      state: { type: 'string' },
      workers: { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The settings, read and checked once (config/config.ts); a bad one is one line, exit 2.
  let config: SgnConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(`demo: ${e.message}\n`);
    return 2;
  }
  const scale: DemoScale = values.small || config.demoScale === 'small' ? 'small' : 'full';
  const outDir = resolve(values.out ?? join(PROJECT_ROOT, 'out', 'demo'));
  const stateDir = resolve(values.state ?? join(PROJECT_ROOT, '.tmp', 'demo-state'));
  const workerCount = Number(values.workers);
  if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 16) {
    process.stderr.write(`demo: --workers must be an integer from 1 to 16, got "${values.workers}"\n`);
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  const specs = demoSpecs(scale, outDir);
  log(
    `LQ-64 study at ${scale} size: ${specs.certify.totalCells} certify cells, ${specs.stepsize.totalCells} step-size cells`,
  );

  // Services: the environment's, else embedded ones.
  let databaseUrl = config.databaseUrl;
  if (config.databaseUrlSet) log(`PostgreSQL: DATABASE_URL=${redactUrl(databaseUrl)}`);
  else {
    const pg = await startEmbeddedPostgres(stateDir, log);
    shutdown.add('embedded PostgreSQL', () => pg.stop(), 15_000);
    databaseUrl = pg.url;
    log(`PostgreSQL: ${pg.description}`);
  }
  // Check the database first: when both sweeps are stored, no Temporal server is needed. The
  // demo sets its database up itself (creates it, applies the migrations), as `sgn migrate` does.
  let temporal = temporalConfig(config.temporal);
  let ctx = await openContext({ config, databaseUrl, temporal, autoMigrate: 'always', create: true, log });
  shutdown.add('database connection', () => ctx.close());
  const sweeps = [
    { key: 'certify' as const, label: 'certify ', resolved: specs.certify },
    { key: 'stepsize' as const, label: 'stepsize', resolved: specs.stepsize },
  ].map((s) => ({ ...s, id: sweepIdFor(s.resolved) }));
  const done = new Map<string, boolean>();
  for (const s of sweeps) done.set(s.id, await isComplete(ctx, s.id, s.resolved));
  const info: Record<'certify' | 'stepsize', SweepInfo> = {
    certify: { id: '', name: null, cells: 0, reused: true, seconds: 0 },
    stepsize: { id: '', name: null, cells: 0, reused: true, seconds: 0 },
  };
  const needWork = sweeps.some((s) => !done.get(s.id));
  if (!needWork) log('both sweeps are stored: no Temporal server needed');
  else if (config.temporal.variables.TEMPORAL_ADDRESS?.trim())
    log(`Temporal: TEMPORAL_ADDRESS=${temporal.address}`);
  else {
    const t = await startLocalTemporal(config, log);
    shutdown.add('Temporal dev server', () => t.stop());
    temporal = { ...temporal, address: t.address };
    log(`Temporal: ${t.description}`);
    const first = ctx;
    await first.close();
    ctx = await openContext({ config, databaseUrl, temporal });
  }
  if (needWork) {
    log(`starting ${workerCount} in-process worker(s)`);
    await startWorkers(workerCount, config, temporal, databaseUrl, shutdown);
  }
  const started = new Map<string, number>();
  for (const s of sweeps) {
    if (done.get(s.id)) {
      log(`sweep ${s.id}: already complete in the database, reusing it`);
      continue;
    }
    const r = await startSweep(ctx, s.resolved, { id: s.id });
    started.set(s.id, Date.now());
    log(`sweep ${s.id}: ${r.created ? 'registered and started' : r.started ? 'resumed' : 'already running'}`);
  }
  for (const s of sweeps) {
    const t0 = started.get(s.id);
    if (t0 === undefined) {
      info[s.key] = {
        id: s.id,
        name: s.resolved.name ?? null,
        cells: s.resolved.totalCells,
        reused: true,
        seconds: 0,
      };
      continue;
    }
    const final = await waitForSweep(
      ctx,
      s.id,
      progressPrinter(() => s.label, 3000),
      500,
    );
    if (final.status !== 'completed') {
      log(`sweep ${s.id} ended ${final.status}${final.error ? `: ${final.error}` : ''}`);
      return 1;
    }
    if (final.failedCells > 0)
      log(`sweep ${s.id}: ${final.failedCells} cells failed (see cells.csv, column error)`);
    info[s.key] = {
      id: s.id,
      name: s.resolved.name ?? null,
      cells: final.totalCells,
      reused: false,
      seconds: (Date.now() - t0) / 1000,
    };
  }

  log('reading results and drawing figures');
  const certify = sweeps[0];
  const stepsize = sweeps[1];
  // Band map and margins from the certify sweep (true margin computed exactly at the optimal
  // weights, not read from the nearest grid ratio), phase diagrams from the step-size sweep.
  const certifyData = await loadSweepData(ctx.prisma, certify.id, { exactTrueMargin: true });
  const stepsizeData = await loadSweepData(ctx.prisma, stepsize.id);
  const data: ReportTables = { ...certifyData, steps: stepsizeData.steps };
  const labels: FigureLabels = { subject: 'LQ-64', param: certifyData.param ?? 'lambda' };
  const figures = [];
  for (const f of [
    bandMapFigure(data.band, data.edges, labels),
    marginsFigure(data.margins, labels),
    phaseFigure(data.steps, 'euler', labels),
    phaseFigure(data.steps, 'rk4', labels),
  ])
    figures.push(await renderFigure(f));
  const files = [
    ...writeTables(outDir, data),
    ...writeFigures(outDir, figures),
    'summary.json',
    'report.html',
  ];
  const summary = summarise(data, scale, info, files);
  writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(outDir, 'report.html'), reportHtml(summary, figures));

  const a = summary.atLambda1;
  const where = relative(process.cwd(), outDir) || '.';
  process.stdout.write(
    [
      `report: ${join(where, 'report.html')}`,
      a
        ? `lambda = 1: certified band r in (${a.rMinus?.toFixed(2)}, ${a.rPlus?.toFixed(2)}), alpha_max = ${a.alphaMax?.toFixed(4)} at r* = ${a.optimalRatio?.toFixed(2)}, Euclidean margin ${a.gammaEuclidean?.toFixed(3)}`
        : 'lambda = 1 is not on the grid',
      `files in ${where}: ${files.join(' ')}`,
    ].join('\n') + '\n',
  );
  return 0;
}

const shutdown = new Shutdown();
const onSignal = (signal: NodeJS.Signals): void => {
  if (shutdown.interrupted) {
    log(`${signal} again: exiting now`);
    process.exit(130);
  }
  shutdown.interrupted = true;
  log(`${signal}: stopping workers and services (again to force)`);
  void shutdown.run().then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

let code = 1;
try {
  code = await main(process.argv.slice(2), shutdown);
} catch (e) {
  if (!shutdown.interrupted) log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}
if (!shutdown.interrupted) {
  await shutdown.run();
  process.exit(code);
}
