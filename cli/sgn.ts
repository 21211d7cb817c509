#!/usr/bin/env node
/** The `sgn` command line: one program, subcommands. Errors go to stderr with a non-zero exit. */
import { debugFlag } from '../config/config.js';
import { redactSecrets } from '../db/url.js';
import { isClosedPipe, main, oneLine } from './main.js';

// The process's environment, read here and handed to main(), which turns it into the one
// validated configuration (config/config.ts) for the command.
const env = process.env;

// An error nothing caught (a stray rejection in a library): one line like main's, the stack only
// with SGN_DEBUG=1. (Read by SGN_DEBUG's own rule, which refuses no value: this must print even
// when the settings were what was wrong.)
const fatal = (e: unknown): void => {
  const debug = debugFlag(env.SGN_DEBUG);
  process.stderr.write(`sgn: ${redactSecrets(oneLine(e, debug), env)}\n`);
  if (debug)
    process.stderr.write(`${redactSecrets(e instanceof Error ? (e.stack ?? e.message) : String(e), env)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// `sgn sweep results ... | head`: the reader left; stop quietly, as Unix tools do.
process.stdout.on('error', (e) => {
  if (isClosedPipe(e)) process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2), env);
