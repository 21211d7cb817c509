/**
 * The `sgn` program run in this process: main() from cli/main.ts (what cli/sgn.ts runs) with
 * its stdout and stderr captured and the environment set for the call. ~1 ms a run instead of
 * ~1 s of process and tsx start-up, so a corpus of a hundred inputs stays cheap.
 */
import { main } from '../../cli/main.js';
import type { CliResult } from './processes.js';

type Write = typeof process.stdout.write;

function capture(stream: NodeJS.WriteStream, sink: string[]): () => void {
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as Write;
  return () => {
    stream.write = original;
  };
}

/** Runs `sgn <argv>` in-process; `env` entries are set for the call (undefined: unset). */
export async function runSgnInProcess(
  argv: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult & { ms: number }> {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const stdout: string[] = [];
  const stderr: string[] = [];
  const restoreOut = capture(process.stdout, stdout);
  const restoreErr = capture(process.stderr, stderr);
  const t0 = performance.now();
  try {
    const code = await main(argv);
    return { code, stdout: stdout.join(''), stderr: stderr.join(''), ms: performance.now() - t0 };
  } finally {
    restoreOut();
    restoreErr();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
