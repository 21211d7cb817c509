/**
 * Runs a reference script of scripts/reference/ (Python with NumPy) and parses the JSON it prints,
 * so that a test can compare with NumPy itself where NumPy is installed and with the stored copy
 * of the script's output everywhere.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './reference.js';

export type LiveReference<T> =
  { readonly ok: true; readonly data: T } | { readonly ok: false; readonly reason: string };

/** python3 scripts/reference/<script> [args]; `ok: false` with the reason when it cannot run. */
export function runPythonReference<T>(
  script: string,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 120_000,
): LiveReference<T> {
  const r = spawnSync('python3', [join(projectRoot, 'scripts', 'reference', script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  if (r.error) return { ok: false, reason: `python3 did not run: ${r.error.message}` };
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${script} exited ${r.status}: ${last}` };
  }
  return { ok: true, data: JSON.parse(r.stdout) as T };
}

/** A JSON file beside the tests, relative to the project root. */
export function loadStored<T>(relativePath: string): T {
  return JSON.parse(readFileSync(join(projectRoot, relativePath), 'utf8')) as T;
}
