/**
 * Workflow determinism: histories recorded from real runs of earlier versions of the sweep
 * workflow replay against today's code without a nondeterminism error, so sweeps running during
 * an upgrade carry on. (No server: the SDK replays the saved events through the workflow bundle.)
 *
 * test/fixtures/histories/pre-every-sweep-ends-*.pb were recorded with the code of 30acd5c,
 * before batch failures were handled by the workflow (patched('every-sweep-ends')): a sweep that
 * completed (its last run after continue-as-new), and one paused while it ran.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import protos from '@temporalio/proto';
import { sweepWorkflowBundle } from '../workers/worker.js';
import { projectRoot } from './support/reference.js';

const dir = join(projectRoot, 'test', 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.pb'));
const { History } = protos.temporal.api.history.v1;
const { EventType } = protos.temporal.api.enums.v1;

type History = protos.temporal.api.history.v1.History;

/**
 * A history as the client's fetchHistory() returns it, protobuf-encoded (the SDK's reader of
 * `temporal workflow show --output json` files trips over two copies of protobufjs here).
 */
function load(file: string): History {
  return History.decode(readFileSync(join(dir, file)));
}

async function replay(history: History, workflowId: string): Promise<void> {
  const bundle = await sweepWorkflowBundle();
  await Worker.runReplayHistory({ workflowBundle: bundle.option }, history, workflowId);
}

describe('sweep workflow replay', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  for (const file of files) {
    it(`replays ${file} with today's code`, async () => {
      await replay(load(file), file);
    }, 120_000);
  }

  it('notices a history that does not match the code (the check can fail)', async () => {
    const history = load(files[0]);
    // The first scheduled batch renamed: the code schedules an activity the history does not have.
    const event = history.events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const attributes = event?.activityTaskScheduledEventAttributes;
    expect(attributes?.activityType?.name).toBe('runBatch');
    attributes!.activityType!.name = 'someOtherActivity';
    const tampered = history;
    await expect(replay(tampered, 'tampered')).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  }, 120_000);
});
