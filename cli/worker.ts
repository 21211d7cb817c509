/** `sgn worker [--concurrency n]`: a sweep worker until SIGINT/SIGTERM. */
import { InputError } from '../sgn/util/errors.js';
import type { SgnConfig } from '../config/config.js';
import { temporalConfig } from '../workers/config.js';
import { redactUrl, parseDatabaseUrl } from '../db/url.js';
import { probeTcp, ServiceUnavailable, shortReason } from '../db/unavailable.js';
import { numberFlag, parse } from './args.js';
import { missingNodeFlags } from '../workers/node-flags.js';

export const workerUsage = 'sgn worker [--concurrency n]';

export async function runWorkerCommand(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig,
): Promise<number> {
  const { values, positionals } = parse(argv, { concurrency: { type: 'string' } }, 'worker');
  if (positionals.length)
    throw new InputError('worker', `takes no positional arguments; usage: ${workerUsage}`);
  const concurrency = numberFlag(values.concurrency, '--concurrency') ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new InputError('--concurrency', `must be an integer in 1..256, got ${concurrency}`);
  }
  // Settings first: a malformed DATABASE_URL is one line and exit 2 before anything is loaded.
  parseDatabaseUrl(config.databaseUrl);
  const temporal = temporalConfig(config.temporal);
  // A quick look for Temporal before loading the worker (seconds on a busy machine): an address
  // where nothing listens is one line and exit 3 at once.
  await probeTcp(temporal.address, 7233).catch((e: unknown) => {
    throw new ServiceUnavailable(
      'Temporal',
      `cannot reach Temporal at ${temporal.address} (TEMPORAL_ADDRESS): ${shortReason(e)}`,
      { cause: e },
    );
  });
  const missing = missingNodeFlags();
  // Imported lazily: the worker pulls in the Temporal native bridge, other commands need not.
  const { runWorker } = await import('../workers/worker.js');
  // The worker checks the database's schema before taking work: one line and exit 2 when it is
  // behind (run `sgn migrate`); with SGN_AUTO_MIGRATE=1 it sets the database up instead.
  await runWorker({
    config,
    concurrency,
    temporal,
    log: (line) => process.stderr.write(`${line}\n`),
    onReady: (temporal) =>
      out(
        `worker ${process.pid} polling ${temporal.taskQueue} at ${temporal.address}${temporal.tls ? ' over TLS' : ''} (namespace ${temporal.namespace}), database ${redactUrl(config.databaseUrl)}, concurrency ${concurrency}` +
          (missing.length
            ? ` (started without node ${missing.join(' ')}: slower, see workers/node-flags.ts)`
            : ''),
      ),
  });
  out(`worker ${process.pid} stopped`);
  return 0;
}
