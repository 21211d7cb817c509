/**
 * Once per test run, before any test file: the Temporal CLI the dev servers need, found or
 * obtained into the project cache (local/temporal-cli.ts), handed to every test process through
 * TEMPORAL_CLI_PATH, so that files starting servers at once never install it twice.
 */
import { join } from 'node:path';
import { ensureTemporalCli } from '../local/temporal-cli.js';
import { PROJECT_ROOT } from '../db/client.js';

export default async function setup(): Promise<void> {
  process.env.TEMPORAL_CLI_PATH = await ensureTemporalCli({
    cacheDir: join(PROJECT_ROOT, '.cache', 'temporal-cli'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
}
