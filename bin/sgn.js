#!/usr/bin/env node
// Installed entry point: runs the TypeScript CLI through tsx (no build step), forwarding
// signals so that `sgn worker` shuts down gracefully on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolve tsx from the package itself: --import would otherwise look in the caller's directory.
const tsx = import.meta.resolve('tsx');
// --single-threaded-gc: see workers/node-flags.ts.
const child = spawn(
  process.execPath,
  ['--single-threaded-gc', '--import', tsx, join(root, 'cli', 'sgn.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: process.cwd(),
  },
);
// Node itself could not be started again (gone, out of memory): one line, not a stack.
child.on('error', (e) => {
  process.stderr.write(`sgn: cannot start ${process.execPath}: ${e.message}\n`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
