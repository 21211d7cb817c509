#!/usr/bin/env node
/** The `sgn` command line: one program, subcommands. Errors go to stderr with a non-zero exit. */
import { InputError } from '../sgn/util/errors.js';
import { certifyUsage, runCertify } from './certify.js';

const usage = `usage: sgn <command> [options]

commands:
  ${certifyUsage}
`;

type Command = (argv: string[], out: (s: string) => void) => void | Promise<void>;

const commands: Record<string, Command> = {
  certify: runCertify,
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
    await command(rest, (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`));
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`sgn ${name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`sgn ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
