#!/usr/bin/env node
/** The `sgn` command line: one program, subcommands. Errors go to stderr with a non-zero exit. */
import { isClosedPipe, main } from './main.js';

// `sgn sweep results ... | head`: the reader left; stop quietly, as Unix tools do.
process.stdout.on('error', (e) => {
  if (isClosedPipe(e)) process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
