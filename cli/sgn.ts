#!/usr/bin/env node
/** The `sgn` command line: one program, subcommands. Errors go to stderr with a non-zero exit. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
