/**
 * The `sgn` program as a function: subcommands, one line on stderr per error, the exit code
 * returned. Separate from cli/sgn.ts (which runs it) so tests can call it in-process.
 */
import { redactSecrets } from '../db/url.js';
import { ServiceUnavailable } from '../db/unavailable.js';
import { InputError } from '../sgn/util/errors.js';

type Command = (argv: string[], out: (s: string) => void) => void | number | Promise<void | number>;

/**
 * Subcommands, each loaded only when it runs: a worker or `sgn sweep status` does not load the
 * report's Vega stack or the simulator (measured: importing every command took 0.9 s and 180 MB,
 * the worker's alone 0.3 s and 90 MB).
 */
type Loader = () => Promise<{ run: Command; usage: string }>;

const commands: Record<string, Loader> = {
  certify: () => import('./certify.js').then((m) => ({ run: m.runCertify, usage: m.certifyUsage })),
  simulate: () => import('./simulate.js').then((m) => ({ run: m.runSimulate, usage: m.simulateUsage })),
  sweep: () => import('./sweep.js').then((m) => ({ run: m.runSweep, usage: m.sweepUsage })),
  report: () => import('./report.js').then((m) => ({ run: m.runReport, usage: m.reportUsage })),
  worker: () => import('./worker.js').then((m) => ({ run: m.runWorkerCommand, usage: m.workerUsage })),
};

async function usage(): Promise<string> {
  const lines = await Promise.all(Object.values(commands).map(async (load) => `  ${(await load()).usage}`));
  return `usage: sgn <command> [options]

commands:
${lines.join('\n')}

environment: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/sgn), TEMPORAL_ADDRESS (localhost:7233),
             TEMPORAL_NAMESPACE (default), SGN_TASK_QUEUE (sgn-sweeps)
`;
}

export async function main(argv: string[]): Promise<number> {
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
  try {
    const { run } = await load();
    const code = await run(rest, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    // The reader of stdout went away (`| head`): not an error of ours.
    if (isClosedPipe(e)) return 0;
    // Errors from drivers can quote connection strings: credentials never reach the terminal.
    if (e instanceof InputError) {
      process.stderr.write(`sgn ${name}: ${redactSecrets(e.message)}\n`);
      return 2;
    }
    if (e instanceof ServiceUnavailable) {
      process.stderr.write(`sgn ${name}: ${redactSecrets(e.message)}\n`);
      return 3;
    }
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`sgn ${name}: ${redactSecrets(text)}\n`);
    return 1;
  }
}

/** A write to a pipe whose reader has closed it. */
export function isClosedPipe(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'EPIPE';
}
