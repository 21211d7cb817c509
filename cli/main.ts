/**
 * The `sgn` program as a function: subcommands, one line on stderr per error, the exit code
 * returned. Separate from cli/sgn.ts (which runs it) so tests can call it in-process. It builds
 * the configuration (config/config.ts) once, from the environment it is given, and hands it to
 * the command: a bad setting is one line and exit 2, like any bad input.
 */
import { loadConfig, type Env, type SgnConfig } from '../config/config.js';
import { redactSecrets } from '../db/url.js';
import { permissionDenied, ServiceUnavailable } from '../db/unavailable.js';
import { InputError } from '../sgn/util/errors.js';

type Command = (
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig,
) => void | number | Promise<void | number>;

/**
 * Subcommands, each loaded only when it runs: a worker or `sgn sweep status` does not load the
 * report's Vega stack or the simulator (measured: importing every command took 0.9 s and 180 MB,
 * the worker's alone 0.3 s and 90 MB).
 */
type Loader = () => Promise<{ run: Command; usage: string }>;

const commands: Record<string, Loader> = {
  certify: () => import('./certify.js').then((m) => ({ run: m.runCertify, usage: m.certifyUsage })),
  simulate: () => import('./simulate.js').then((m) => ({ run: m.runSimulate, usage: m.simulateUsage })),
  pseudospectrum: () =>
    import('./pseudospectrum.js').then((m) => ({ run: m.runPseudospectrum, usage: m.pseudospectrumUsage })),
  sweep: () => import('./sweep.js').then((m) => ({ run: m.runSweep, usage: m.sweepUsage })),
  report: () => import('./report.js').then((m) => ({ run: m.runReport, usage: m.reportUsage })),
  worker: () => import('./worker.js').then((m) => ({ run: m.runWorkerCommand, usage: m.workerUsage })),
  dashboard: () => import('./dashboard.js').then((m) => ({ run: m.runDashboard, usage: m.dashboardUsage })),
  migrate: () => import('./migrate.js').then((m) => ({ run: m.runMigrate, usage: m.migrateUsage })),
};

async function usage(): Promise<string> {
  const lines = await Promise.all(Object.values(commands).map(async (load) => `  ${(await load()).usage}`));
  return `usage: sgn <command> [options]

commands:
${lines.join('\n')}

environment: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/sgn), TEMPORAL_ADDRESS (localhost:7233),
             TEMPORAL_NAMESPACE (default), SGN_TASK_QUEUE (default: sgn-sweeps-<key of the database>),
             SGN_AUTO_MIGRATE (unset: sweep start and worker set up a new database; 1: they also apply
             pending migrations; 0: only \`sgn migrate\` changes anything), SGN_DEBUG=1 (stack traces of unexpected errors)
exit codes: 0 done, 1 unexpected error (or a sweep failed or was cancelled), 2 bad input or settings
            (a missing database included), 3 PostgreSQL or Temporal unreachable, 4 completed with failed cells
`;
}

/** Runs `sgn <argv>` with the settings of `env` (the process's environment by default). */
export async function main(argv: string[], env: Env = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    process.stderr.write(`sgn: unknown command "${name}"\n${await usage()}`);
    return 2;
  }
  // Errors from drivers can quote connection strings: credentials never reach the terminal (the
  // password of the environment's DATABASE_URL included, even when the settings were refused).
  const redact = (text: string): string => redactSecrets(text, env);
  // The settings, once they are read (a refused setting is an InputError: one line either way).
  let config: SgnConfig | undefined;
  try {
    // Settings first: a bad one is refused before the command is loaded or anything is read.
    config = loadConfig(env);
    const { run } = await load();
    const code = await run(rest, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`), config);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    // The reader of stdout went away (`| head`): not an error of ours.
    if (isClosedPipe(e)) return 0;
    // Stack traces only with SGN_DEBUG.
    const debug = config?.debug ?? false;
    if (e instanceof InputError) {
      process.stderr.write(`sgn ${name}: ${redact(e.message)}\n`);
      return 2;
    }
    if (e instanceof ServiceUnavailable) {
      process.stderr.write(`sgn ${name}: ${redact(e.message)}\n`);
      if (debug && e.cause instanceof Error)
        process.stderr.write(`${redact(e.cause.stack ?? e.cause.message)}\n`);
      return 3;
    }
    // A role without the privileges the command needs (docs/deployment.md, "Roles"): a setting.
    const denied = config && permissionDenied(e, config.databaseUrl);
    if (denied) {
      process.stderr.write(`sgn ${name}: ${redact(denied.message)}\n`);
      return 2;
    }
    // Anything else is a fault of ours or of a service: one line for the user, the stack and
    // the whole message (a driver's can run to pages) only with SGN_DEBUG=1.
    process.stderr.write(`sgn ${name}: ${redact(oneLine(e, debug))}\n`);
    if (debug) process.stderr.write(`${redact(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    return 1;
  }
}

/**
 * An error as one line: its first line of text, its type when that says more, and unless `debug`
 * (SGN_DEBUG, when the stack is printed after it) a hint at SGN_DEBUG.
 */
export function oneLine(e: unknown, debug: boolean): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const type = e instanceof Error && e.name !== 'Error' ? `${e.name}: ` : '';
  // Printable: a \r or an escape from a driver's message would garble the terminal.
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const first = (lines[0] ?? 'unknown error').replace(/[\u0000-\u001f\u007f]/g, ' ');
  const more = lines.length > 1 ? ' ...' : '';
  return `${type}${first}${more}${debug ? '' : ' (SGN_DEBUG=1 for details)'}`;
}

/** A write to a pipe whose reader has closed it. */
export function isClosedPipe(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'EPIPE';
}
