/**
 * Records the sweep workflow's histories that test/replay.test.ts replays against today's code:
 * for each version of the workflow code below (a commit, or the working tree), each scenario
 * (a sweep that completes over continue-as-new, one paused and resumed, one cancelled, ...) runs
 * on a local Temporal dev server with stub activities (test/support/stub-activities.ts), and every
 * run of its history is written as JSON (the format of `temporal workflow show --output json`) to
 * test/fixtures/histories/<version>/<scenario>[.run-N].json.
 *
 *   npx tsx scripts/record-histories.ts                  # what is missing
 *   npx tsx scripts/record-histories.ts --version <v> --scenario <s> --force
 *
 * Existing files are kept unless --force: a history is a record of what a version did, and today's
 * code must replay it as it is. Before a change that alters the commands a workflow issues (which
 * then goes behind patched()), pin the entry with `ref: null` below to the last commit before the
 * change, add an entry for the new code, and record; the replay test then holds both.
 *
 * Only the activities are stand-ins: the workflow code (built from the version's sources, with
 * this checkout's SDK) and the server are real, so the histories are what that code commands.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleOption } from '@temporalio/worker';
import type { SweepPlan } from '../contracts/activities.js';
import { FAILURE_TYPES } from '../contracts/failures.js';
import {
  cancelSignal,
  pauseSignal,
  progressQuery,
  resumeSignal,
  type SweepWorkflowInput,
} from '../contracts/workflow.js';
import { PROJECT_ROOT } from '../config/project-root.js';
import { sweepWorkflowBundle } from '../workers/worker.js';
import { Gate, StubActivities } from '../test/support/stub-activities.js';
import {
  startSweepWorker,
  startWorkflowEnvironment,
  type SweepHandle,
  type SweepWorker,
} from '../test/support/workflow-environment.js';

const HISTORIES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'histories');

interface Version {
  readonly name: string;
  /** The commit whose workflow code is recorded; null: the working tree's. */
  readonly ref: string | null;
  readonly note: string;
  /**
   * How that version's CLI started a sweep: with its id only (the workflow loads the plan and sets
   * 'running'), or with its plan, marked running already (markedRunning, since 2eab299).
   */
  readonly cliStart: 'id' | 'plan';
}

/** Oldest first: each version is the code before the patch its name says, the last one today's. */
const VERSIONS: readonly Version[] = [
  {
    name: 'pre-local-bookkeeping',
    ref: '64d35fec7ce5b3deaf20c93e45b4d976333cf0c1',
    note: 'loadPlan and setSweepStatus as task-queue activities; no patches',
    cliStart: 'id',
  },
  {
    name: 'pre-local-aggregation',
    ref: 'a0e88cb0d97a5581fb58212b4b7503db475fa0bc',
    note: "patched('local-bookkeeping'); aggregateBands a task-queue activity",
    cliStart: 'id',
  },
  {
    name: 'pre-every-sweep-ends',
    ref: '80b2f0fa8c44728fedca9ad709f6dca7f6452bad',
    note: "patched('local-aggregation'); batches retried by Temporal, a failed batch fails the sweep",
    cliStart: 'plan',
  },
  {
    name: 'pre-continue-as-new-when-suggested',
    ref: '8e6e63be20ade2414862b2c2fd0b609057d27572',
    note: "patched('every-sweep-ends'); continue-as-new after batchesPerRun only",
    cliStart: 'plan',
  },
  {
    name: 'continue-as-new-when-suggested',
    ref: null,
    note: "patched('continue-as-new-when-suggested'); logs through the workflow logger",
    cliStart: 'plan',
  },
];

/** The server that suggests continue-as-new early records the 'suggested' scenario. */
const SUGGEST_AFTER_EVENTS = 30;

interface Scenario {
  readonly name: string;
  /** The first version that has what the scenario exercises. */
  readonly since?: string;
  readonly suggesting?: boolean;
  /** Runs the sweep to its end (started as `cli` does); resolves to its handle (the first run). */
  run(worker: SweepWorker, cli: Cli): Promise<SweepHandle>;
}

/** The input with which a version's CLI starts a sweep of this id and plan. */
type Cli = (sweepId: string, plan: SweepPlan) => SweepWorkflowInput;

const cliOf =
  (version: Version): Cli =>
  (sweepId, plan) =>
    version.cliStart === 'plan' ? { sweepId, plan, markedRunning: true } : { sweepId };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves to the sweep's result, or to its failure (the scenarios that fail are recorded too). */
async function ended(handle: SweepHandle): Promise<SweepHandle> {
  await handle.result().catch(() => undefined);
  return handle;
}

const certify = (cells: number, batchSize: number): SweepPlan['phases'][number] => ({
  kind: 'certify',
  cells,
  batchSize,
});

const SCENARIOS: readonly Scenario[] = [
  {
    // Started without a plan (loadPlan, status 'running'); three runs, the last in the second phase.
    name: 'completed-continue-as-new',
    async run(worker) {
      const plan: SweepPlan = {
        concurrency: 2,
        batchesPerRun: 2,
        phases: [certify(7, 2), { kind: 'stepsize', cells: 2, batchSize: 1 }],
      };
      return ended(await worker.start(new StubActivities({ plan }), { sweepId: 'completed' }));
    },
  },
  {
    // Paused with two batches in flight, then resumed.
    name: 'paused-resumed',
    async run(worker, cli) {
      const plan: SweepPlan = { concurrency: 2, batchesPerRun: 100, phases: [certify(12, 2)] };
      const gate = new Gate();
      const stubs = new StubActivities({
        plan,
        behave: (b) => (b.start < 4 ? { kind: 'wait', gate } : { kind: 'complete' }),
      });
      const handle = await worker.start(stubs, cli('paused', plan));
      await stubs.until((s) => s.batches().length === 2, 'two batches');
      await handle.signal(pauseSignal);
      await stubs.until((s) => s.statuses().includes('paused'), "status 'paused'");
      gate.open();
      for (let i = 0; (await handle.query(progressQuery)).inFlight > 0; i++) {
        if (i > 400) throw new Error('the batches in flight did not finish');
        await sleep(25);
      }
      await handle.signal(resumeSignal);
      return ended(handle);
    },
  },
  {
    // Cancelled with two batches in flight (versions before every-sweep-ends let them finish).
    name: 'cancelled',
    async run(worker, cli) {
      const plan: SweepPlan = { concurrency: 2, batchesPerRun: 100, phases: [certify(12, 2)] };
      const gate = new Gate();
      const stubs = new StubActivities({ plan, behave: () => ({ kind: 'wait', gate }) });
      const handle = await worker.start(stubs, cli('cancelled', plan));
      await stubs.until((s) => s.batches().length === 2, 'two batches');
      await handle.signal(cancelSignal);
      await sleep(1500);
      gate.open();
      return ended(handle);
    },
  },
  {
    // A batch finds its sweep gone: the sweep fails.
    name: 'sweep-not-found',
    async run(worker, cli) {
      const plan: SweepPlan = { concurrency: 1, batchesPerRun: 100, phases: [certify(6, 2)] };
      const stubs = new StubActivities({
        plan,
        behave: (b) =>
          b.start === 2
            ? {
                kind: 'fail',
                type: FAILURE_TYPES.sweepNotFound,
                message: 'sweep gone is not in the database',
              }
            : { kind: 'complete' },
      });
      return ended(await worker.start(stubs, cli('gone', plan)));
    },
  },
  {
    // A batch whose services keep failing: retried by the workflow, then its cells stored failed.
    name: 'batch-gave-up',
    since: 'pre-continue-as-new-when-suggested',
    async run(worker, cli) {
      const plan: SweepPlan = { concurrency: 2, batchesPerRun: 100, maxAttempts: 2, phases: [certify(6, 2)] };
      const stubs = new StubActivities({
        plan,
        behave: (b) =>
          b.start === 2 ? { kind: 'throw', message: 'connection refused' } : { kind: 'complete' },
      });
      return ended(await worker.start(stubs, cli('gave-up', plan)));
    },
  },
  {
    // Cell 2 kills its worker: its batch is split, the lone cell stored failed.
    name: 'split-batch',
    since: 'pre-continue-as-new-when-suggested',
    async run(worker, cli) {
      const plan: SweepPlan = {
        concurrency: 2,
        batchesPerRun: 100,
        maxWorkerDeaths: 1,
        heartbeatTimeout: 1,
        phases: [certify(4, 2)],
      };
      const stubs = new StubActivities({
        plan,
        behave: (b) => (b.start <= 2 && 2 < b.end ? { kind: 'die', ms: 2500 } : { kind: 'complete' }),
      });
      return ended(await worker.start(stubs, cli('split', plan)));
    },
  },
  {
    // The server suggests continue-as-new after a few batches: earlier versions go on regardless.
    name: 'suggested-continue-as-new',
    since: 'pre-continue-as-new-when-suggested',
    suggesting: true,
    async run(worker, cli) {
      const plan: SweepPlan = { concurrency: 1, batchesPerRun: 1000, phases: [certify(10, 1)] };
      return ended(await worker.start(new StubActivities({ plan }), cli('suggested', plan)));
    },
  },
];

/** The workflow code of `version`, bundled (an old commit's sources are checked out under .tmp). */
async function bundleOf(version: Version): Promise<WorkflowBundleOption> {
  if (version.ref === null) return (await sweepWorkflowBundle()).option;
  // Inside the project, so that the bundler finds @temporalio/workflow in its node_modules.
  const dir = join(PROJECT_ROOT, '.tmp', 'record-histories', version.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', version.ref], {
    cwd: PROJECT_ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(dir, 'workflows', 'index.ts'),
    logger: new DefaultLogger('WARN'),
  });
  rmSync(dir, { recursive: true, force: true });
  return { code };
}

/** Every run of the sweep's history, first to last (following continue-as-new). */
async function runsOf(client: Client, handle: SweepHandle): Promise<string[]> {
  const runs: string[] = [];
  let runId: string | undefined = handle.firstExecutionRunId;
  while (runId !== undefined) {
    const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push(`${historyToJSON(history)}\n`);
    runId =
      history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** The files of a recording of `scenario` with `version`: <scenario>.json, or one per run. */
function filesOf(version: Version, scenario: Scenario, runs: number): string[] {
  const dir = join(HISTORIES_DIR, version.name);
  return runs === 1
    ? [join(dir, `${scenario.name}.json`)]
    : Array.from({ length: runs }, (_, i) => join(dir, `${scenario.name}.run-${i + 1}.json`));
}

/** The files recorded earlier for `scenario` with `version`. */
function recorded(version: Version, scenario: Scenario): string[] {
  const dir = join(HISTORIES_DIR, version.name);
  const mine = new RegExp(`^${scenario.name}(\\.run-\\d+)?\\.json$`);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => mine.test(f))
        .map((f) => join(dir, f))
    : [];
}

function applies(version: Version, scenario: Scenario): boolean {
  if (scenario.since === undefined) return true;
  const at = (name: string): number => VERSIONS.findIndex((v) => v.name === name);
  return at(version.name) >= at(scenario.since);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { version: { type: 'string' }, scenario: { type: 'string' }, force: { type: 'boolean' } },
  });
  if (values.version !== undefined && !VERSIONS.some((v) => v.name === values.version))
    throw new Error(`no version ${values.version}: ${VERSIONS.map((v) => v.name).join(', ')}`);
  if (values.scenario !== undefined && !SCENARIOS.some((s) => s.name === values.scenario))
    throw new Error(`no scenario ${values.scenario}: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const todo = VERSIONS.filter((v) => values.version === undefined || v.name === values.version).flatMap(
    (version) =>
      SCENARIOS.filter(
        (s) =>
          (values.scenario === undefined || s.name === values.scenario) &&
          applies(version, s) &&
          (values.force === true || recorded(version, s).length === 0),
      ).map((scenario) => ({ version, scenario })),
  );
  if (todo.length === 0) {
    console.log('nothing to record (existing histories are kept; --force records them again)');
    return;
  }
  const identity = 'sgn-record-histories';
  const envs = new Map<boolean, TestWorkflowEnvironment>();
  const environment = async (suggesting: boolean): Promise<TestWorkflowEnvironment> => {
    let env = envs.get(suggesting);
    if (env === undefined) {
      env = await startWorkflowEnvironment(
        suggesting ? { suggestContinueAsNewAfterEvents: SUGGEST_AFTER_EVENTS } : {},
      );
      envs.set(suggesting, env);
    }
    return env;
  };
  try {
    for (const version of VERSIONS) {
      const mine = todo.filter((t) => t.version === version);
      if (mine.length === 0) continue;
      console.log(`${version.name} (${version.ref ?? 'working tree'}): ${version.note}`);
      const workflowBundle = await bundleOf(version);
      for (const { scenario } of mine) {
        const env = await environment(scenario.suggesting ?? false);
        const worker = await startSweepWorker(env, { workflowBundle, identity });
        try {
          const runs = await runsOf(env.client, await scenario.run(worker, cliOf(version)));
          for (const f of recorded(version, scenario)) rmSync(f);
          mkdirSync(join(HISTORIES_DIR, version.name), { recursive: true });
          filesOf(version, scenario, runs.length).forEach((f, i) => writeFileSync(f, runs[i]));
          console.log(`  ${scenario.name}: ${runs.length} run${runs.length > 1 ? 's' : ''}`);
        } finally {
          await worker.close();
        }
      }
    }
  } finally {
    for (const env of envs.values()) await env.teardown();
  }
}

await main();
