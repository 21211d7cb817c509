/** `sgn dashboard [--host H] [--port P]`: the live, read-only web dashboard until SIGINT/SIGTERM. */
import { once } from 'node:events';
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { openContext } from '../app/context.js';
import { redactUrl } from '../db/url.js';
import { startDashboard } from '../dashboard/server.js';
import { numberFlag, parse } from './args.js';

export const dashboardUsage =
  'sgn dashboard [--host 127.0.0.1] [--port 8080]   (read-only web page of the sweeps)';

export async function runDashboard(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig = DEFAULT_CONFIG,
): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' } },
    'dashboard',
  );
  if (positionals.length)
    throw new InputError('dashboard', `takes no positional arguments; usage: ${dashboardUsage}`);
  const port = numberFlag(values.port, '--port')!;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InputError('--port', `must be an integer in 0..65535, got ${values.port}`);
  const host = values.host.trim();
  if (host === '') throw new InputError('--host', 'expects an address such as 127.0.0.1');
  // The database only, never migrated from here: the dashboard reads (a reader role suffices).
  const ctx = await openContext({ config, autoMigrate: 'never' });
  try {
    const { server, url } = await startDashboard(
      {
        prisma: ctx.prisma,
        links: { temporalUiUrl: config.temporalUiUrl, namespace: ctx.temporal.namespace },
        host,
        port,
      },
      (line) => process.stderr.write(`${line}\n`),
    ).catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new InputError('--port', `${port} is in use on ${host} (choose another with --port)`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES')
        throw new InputError('--host', `cannot listen on ${host}:${port} (${code})`);
      throw e;
    });
    out(`dashboard at ${url} (database ${redactUrl(config.databaseUrl)}); Ctrl-C stops it`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    server.closeAllConnections();
    server.close();
    return 0;
  } finally {
    await ctx.close();
  }
}
