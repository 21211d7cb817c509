/** `sgn worker [--concurrency n]`: a sweep worker until SIGINT/SIGTERM. */
import { InputError } from '../sgn/util/errors.js';
import { temporalConfig } from '../workers/config.js';
import { redactUrl, databaseUrl } from '../db/client.js';
import { numberFlag, parse } from './args.js';
import { missingNodeFlags } from '../workers/node-flags.js';

export const workerUsage = 'sgn worker [--concurrency n]';

export async function runWorkerCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, { concurrency: { type: 'string' } }, 'worker');
  if (positionals.length)
    throw new InputError('worker', `takes no positional arguments; usage: ${workerUsage}`);
  const concurrency = numberFlag(values.concurrency, '--concurrency') ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new InputError('--concurrency', `must be an integer in 1..256, got ${concurrency}`);
  }
  const temporal = temporalConfig();
  const missing = missingNodeFlags();
  // Imported lazily: the worker pulls in the Temporal native bridge, other commands need not.
  const { runWorker } = await import('../workers/worker.js');
  const { openContext } = await import('../sweep/service.js');
  // Bring the schema up before taking work (a fresh database on first use).
  await (await openContext({ temporal })).close();
  await runWorker({
    concurrency,
    temporal,
    onReady: () =>
      out(
        `worker ${process.pid} polling ${temporal.taskQueue} at ${temporal.address} (namespace ${temporal.namespace}), database ${redactUrl(databaseUrl())}, concurrency ${concurrency}` +
          (missing.length
            ? ` (started without node ${missing.join(' ')}: slower, see workers/node-flags.ts)`
            : ''),
      ),
  });
  out(`worker ${process.pid} stopped`);
  return 0;
}
