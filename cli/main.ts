/**
 * The `sgn` program as a function: subcommands, one line on stderr per error, the exit code
 * returned. Separate from cli/sgn.ts (which runs it) so tests can call it in-process.
 */
import { redactSecrets } from '../db/url.js';
import { ServiceUnavailable } from '../db/unavailable.js';
import { InputError } from '../sgn/util/errors.js';
import { certifyUsage, runCertify } from './certify.js';
import { reportUsage, runReport } from './report.js';
import { runSimulate, simulateUsage } from './simulate.js';
import { runSweep, sweepUsage } from './sweep.js';
import { runWorkerCommand, workerUsage } from './worker.js';

const usage = `usage: sgn <command> [options]

commands:
  ${certifyUsage}
  ${simulateUsage}
  ${sweepUsage}
  ${reportUsage}
  ${workerUsage}

environment: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/sgn), TEMPORAL_ADDRESS (localhost:7233),
             TEMPORAL_NAMESPACE (default), SGN_TASK_QUEUE (sgn-sweeps)
`;

type Command = (argv: string[], out: (s: string) => void) => void | number | Promise<void | number>;

const commands: Record<string, Command> = {
  certify: runCertify,
  simulate: runSimulate,
  sweep: runSweep,
  report: runReport,
  worker: runWorkerCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`sgn: unknown command "${name}"\n${usage}`);
    return 2;
  }
  try {
    const code = await command(rest, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    return typeof code === 'number' ? code : 0;
  } catch (e) {
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
