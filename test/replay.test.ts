/**
 * Workflow determinism: histories recorded with earlier versions of the sweep workflow replay
 * against today's code (Worker.runReplayHistories, no server), so sweeps running during an
 * upgrade carry on.
 *
 * test/fixtures/histories/<version>/*.json are JSON histories (as `temporal workflow show
 * --output json` writes them), one directory per version of the workflow code: `pre-<patch>` holds
 * histories recorded with the code from before patched('<patch>'), the newest directory today's
 * code's. scripts/record-histories.ts records them (stub activities, real workflow code and
 * server); pre-every-sweep-ends/real-worker-*.json come from runs with real workers.
 *
 * The check can fail: today's workflow with its patched() guards ignored (`patched('x') || true`:
 * the markers are still recorded, the new code always taken) must not replay the histories from
 * before the patches. For some history of each pre-<patch> directory the replay throws
 * DeterminismViolationError (or ReplayError, when the SDK's state machines find the new commands
 * impossible), while those of today's code still replay.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeterminismViolationError } from '@temporalio/workflow';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { sweepWorkflowBundle, workflowsPath } from '../workers/worker.js';
import { workflowSources } from '../workers/workflow-bundle.js';
import { projectRoot } from './support/reference.js';

// The failures below are expected: the SDK's own warnings about them are not printed.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
});

const dir = join(projectRoot, 'test', 'fixtures', 'histories');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();
const versions = [...new Set(files.map((f) => dirname(f)))];
/** The patches today's workflow asks for. */
const source = readFileSync(join(projectRoot, 'workflows', 'sweep.ts'), 'utf8');
const patches = [...source.matchAll(/patched\('([^']+)'\)/g)].map((m) => m[1]);

/** Replays each file's history with `workflowBundle`; the error per file (undefined: it replayed). */
async function replay(
  workflowBundle: WorkflowBundleOption,
  names: readonly string[],
): Promise<Map<string, Error | undefined>> {
  const histories = names.map((f) => ({
    workflowId: f,
    // A JSON history: the SDK's reader (historyFromJSON) turns it into the protobuf one.
    history: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown,
  }));
  const results = new Map<string, Error | undefined>();
  const options = { workflowBundle };
  for await (const r of Worker.runReplayHistories(options, histories)) results.set(r.workflowId, r.error);
  return results;
}

/** Today's workflow code with every `patched('x')` made `(patched('x') || true)`, bundled. */
async function unpatchedBundle(): Promise<WorkflowBundleOption> {
  mkdirSync(join(projectRoot, '.tmp'), { recursive: true });
  // Inside the project, so that the bundler finds @temporalio/workflow in its node_modules.
  const scratch = mkdtempSync(join(projectRoot, '.tmp', 'replay-variant-'));
  try {
    for (const file of workflowSources(workflowsPath())) {
      const to = join(scratch, relative(projectRoot, file));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(file, to);
    }
    const sweep = join(scratch, 'workflows', 'sweep.ts');
    const original = readFileSync(sweep, 'utf8');
    const changed = original.replace(/patched\('([^']+)'\)/g, "(patched('$1') || true)");
    expect(changed.match(/\|\| true\)/g)).toHaveLength(patches.length);
    writeFileSync(sweep, changed);
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(scratch, 'workflows', 'index.ts'),
      logger: new DefaultLogger('WARN'),
    });
    return { code };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let today: Map<string, Error | undefined>;

beforeAll(async () => {
  today = await replay((await sweepWorkflowBundle()).option, files);
}, 180_000);

describe('sweep workflow replay', () => {
  it('holds histories recorded before each patch the workflow asks for, and of today’s code', () => {
    expect(patches.length).toBeGreaterThanOrEqual(4);
    for (const patch of patches)
      expect(versions, `histories from before patched('${patch}')`).toContain(`pre-${patch}`);
    expect(
      versions.filter((v) => !v.startsWith('pre-')),
      'histories of today’s code',
    ).toHaveLength(1);
  });

  for (const file of files) {
    it(`replays ${file} with today's code`, () => {
      expect(today.has(file)).toBe(true);
      expect(today.get(file)).toBeUndefined();
    });
  }

  it('does not replay the histories from before each patch when the code ignores the patch', async () => {
    const results = await replay(await unpatchedBundle(), files);
    const failed = (f: string): boolean => results.get(f) !== undefined;
    for (const version of versions) {
      const mine = files.filter((f) => dirname(f) === version);
      if (version.startsWith('pre-'))
        expect(mine.filter(failed), `${version}, its patch ignored`).not.toEqual([]);
      // Today's histories recorded every patch: for them the variant is today's workflow.
      else expect(mine.filter(failed), version).toEqual([]);
    }
    for (const f of files.filter(failed))
      expect(results.get(f)?.name, f).toMatch(/^(DeterminismViolationError|ReplayError)$/);
    // The new patch: a run that went on past the server's suggestion, replayed by code that heeds it.
    expect(results.get('pre-continue-as-new-when-suggested/suggested-continue-as-new.json')).toBeInstanceOf(
      DeterminismViolationError,
    );
    // The oldest: status activities on the task queue, replayed by code that runs them locally.
    expect(results.get('pre-local-bookkeeping/completed-continue-as-new.run-1.json')).toBeInstanceOf(
      DeterminismViolationError,
    );
  }, 180_000);
});
