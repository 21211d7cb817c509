/**
 * Once per test run, before any test file, the services the tests need, handed to every test
 * process through the environment:
 * - PostgreSQL: the server at TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test)
 *   when one answers there; otherwise an embedded PostgreSQL started for the run (and stopped
 *   after it), its URL put in TEST_DATABASE_URL (test/support/database.ts);
 * - the Temporal CLI the dev servers need, found or obtained into the project cache
 *   (local/temporal-cli.ts), in TEMPORAL_CLI_PATH, so that files starting servers at once never
 *   install it twice.
 * What was done is said on stderr.
 */
import { delimiter, dirname, join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { ensureTemporalCli } from '../local/temporal-cli.js';
import { PROJECT_ROOT } from '../config/project-root.js';
import { ensureTestServer } from './support/database.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export default async function setup(): Promise<() => Promise<void>> {
  const [postgres, temporalCli] = await Promise.allSettled([
    ensureTestServer(process.env, log),
    ensureTemporalCli({
      cacheDir: join(PROJECT_ROOT, '.cache', 'temporal-cli'),
      // The settings, read once here for the run (config/config.ts).
      cliPath: loadConfig().temporalCliPath,
      env: process.env,
      log,
    }),
  ]);
  if (postgres.status === 'rejected') throw postgres.reason;
  if (temporalCli.status === 'rejected') {
    await postgres.value.stop();
    throw temporalCli.reason;
  }
  process.env.TEST_DATABASE_URL = postgres.value.url;
  // For the processes the tests start (their settings), and first on PATH for the dev servers
  // the tests start in-process (local/temporal-dev-server.ts looks on PATH and in the cache).
  process.env.TEMPORAL_CLI_PATH = temporalCli.value;
  process.env.PATH = [dirname(temporalCli.value), process.env.PATH].filter(Boolean).join(delimiter);
  return () => postgres.value.stop();
}
