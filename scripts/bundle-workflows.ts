/**
 * Prebuilds the workflow bundle into the cache workers load it from (workers/workflow-bundle.ts).
 * Workers build it themselves on first start when it is missing; the Docker image runs this so
 * that none of its containers has to.
 *
 *   npx tsx scripts/bundle-workflows.ts
 */
import { sweepWorkflowBundle } from '../workers/worker.js';

const bundle = await sweepWorkflowBundle();
console.log(`${bundle.built ? 'built' : 'up to date'}: ${bundle.path ?? '(in memory: cache not writable)'}`);
