#!/usr/bin/env node
/** The `sgn` command line: one program, subcommands. Errors go to stderr with a non-zero exit. */
import { redactSecrets } from '../db/url.js';
import { debugging, isClosedPipe, main, oneLine } from './main.js';

// An error nothing caught (a stray rejection in a library): one line like main's, the stack only
// with SGN_DEBUG=1.
const fatal = (e: unknown): void => {
  process.stderr.write(`sgn: ${redactSecrets(oneLine(e))}\n`);
  if (debugging())
    process.stderr.write(`${redactSecrets(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// `sgn sweep results ... | head`: the reader left; stop quietly, as Unix tools do.
process.stdout.on('error', (e) => {
  if (isClosedPipe(e)) process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
