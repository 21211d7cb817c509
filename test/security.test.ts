// Security basics, each shown on the real program:
// (a) credentials come from the environment and never appear in what the CLI or a worker prints;
// (b) no code evaluation: no eval / Function / vm / computed imports in the source, YAML code tags refused;
// (c) input bounded before parsing (a "billion laughs" YAML, files over the bounds);
// (d) database access through Prisma's parameterised queries: injection attempts are inert.
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INPUT_BYTES } from '../formats/data-file.js';
import { formatDatabaseUrl, parseDatabaseUrl, redactSecrets, redactUrl } from '../db/url.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, startWorker, type CliResult, type WorkerProcess } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../local/temporal-dev-server.js';
import { startTripwire, type Tripwire } from './support/tripwire.js';

const PASSWORD = 's3cr3t-pw';
/** A password with characters that must be percent-encoded in a URL. */
const ODD_PASSWORD = 'p@ss:w/rd-Zq9x';
const CLOSED_DB = `postgresql://postgres:${PASSWORD}@127.0.0.1:1/sgn`;
const VALID_SPEC = 'examples/small.yaml';

let db: TestDatabase;
let temporal: TemporalDevServer;
let tripwire: Tripwire;
let worker: WorkerProcess | undefined;
/** The test database's URL with a password added (the local server trusts, so it still connects). */
let dbWithPassword: string;
const runs: Record<string, Promise<CliResult>> = {};

beforeAll(async () => {
  [db, temporal, tripwire] = await Promise.all([
    createTestDatabase({ label: 'security' }),
    startTemporalDevServer(),
    startTripwire(),
  ]);
  dbWithPassword = formatDatabaseUrl({ ...parseDatabaseUrl(db.url), password: PASSWORD });
  const closed = { DATABASE_URL: CLOSED_DB, TEMPORAL_ADDRESS: tripwire.address };
  runs['sweep list (database down)'] = runCli(['sweep', 'list'], closed);
  runs['sweep status x (database down)'] = runCli(['sweep', 'status', 'x'], closed);
  runs['sweep start (database down)'] = runCli(['sweep', 'start', VALID_SPEC], closed);
  runs['worker (database down)'] = runCli(['worker'], closed);
  runs['sweep start (database up, Temporal down)'] = runCli(['sweep', 'start', VALID_SPEC], {
    DATABASE_URL: dbWithPassword,
    TEMPORAL_ADDRESS: tripwire.address,
  });
  worker = startWorker(
    { DATABASE_URL: dbWithPassword, TEMPORAL_ADDRESS: temporal.address, SGN_TASK_QUEUE: 'security-test' },
    1,
  );
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await Promise.allSettled(Object.values(runs));
  await db?.drop();
  await temporal?.stop();
  await tripwire?.close();
});

function expectNoSecret(text: string, secrets: string[] = [PASSWORD]): void {
  for (const s of secrets) expect(text, `"${s}" printed`).not.toContain(s);
}

describe('(a) credentials are never printed', () => {
  const failing = [
    'sweep list (database down)',
    'sweep status x (database down)',
    'sweep start (database down)',
    'worker (database down)',
  ];
  for (const name of failing) {
    it(`${name}: fails (exit 3, one line) without the password in stdout or stderr`, async () => {
      const r = await runs[name];
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /cannot reach PostgreSQL at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/sgn \(DATABASE_URL\)/,
      );
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expectNoSecret(r.stdout + r.stderr);
    }, 120_000);
  }

  it('a malformed DATABASE_URL is named, shown redacted', async () => {
    const r = await runSgnInProcess(['sweep', 'list'], {
      DATABASE_URL: `postgresql://postgres:${PASSWORD}@127.0.0.1:99999/sgn`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'DATABASE_URL: "postgresql://postgres:***@127.0.0.1:99999/sgn" is not a valid PostgreSQL URL',
    );
    expectNoSecret(r.stdout + r.stderr);
  });

  it('a password with reserved characters: neither its encoded nor its plain form is printed', async () => {
    const r = await runSgnInProcess(['sweep', 'list'], {
      DATABASE_URL: `postgresql://postgres:${encodeURIComponent(ODD_PASSWORD)}@127.0.0.1:1/sgn`,
    });
    expect(r.code).toBe(3);
    expectNoSecret(r.stdout + r.stderr, [ODD_PASSWORD, encodeURIComponent(ODD_PASSWORD), 'Zq9x']);
  });

  it('with the database up: sweep list works and prints no password', async () => {
    const r = await runSgnInProcess(['sweep', 'list'], { DATABASE_URL: dbWithPassword });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no sweeps yet');
    expectNoSecret(r.stdout);
  });

  it('with the database up and Temporal down: sweep start fails naming Temporal, no password', async () => {
    const r = await runs['sweep start (database up, Temporal down)'];
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot reach Temporal at ${tripwire.address}`);
    expectNoSecret(r.stdout + r.stderr);
  }, 120_000);

  it("a worker's start-up log names its database redacted, and its shutdown prints no password", async () => {
    await worker!.ready;
    const ready = worker!.output();
    expect(ready).toMatch(
      / polling security-test at .*, database postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/sgn_test_/,
    );
    await worker!.kill('SIGTERM');
    expect(worker!.output()).toMatch(/worker \d+ stopped/);
    expectNoSecret(worker!.output());
  }, 120_000);

  it('redactSecrets hides URL passwords and bare echoes of the DATABASE_URL password', () => {
    const env = { DATABASE_URL: `postgresql://postgres:${encodeURIComponent(ODD_PASSWORD)}@db:5432/sgn` };
    expect(redactSecrets(`at postgres://u:${PASSWORD}@h/d and mysql://a:b@c`, env)).toBe(
      'at postgres://u:***@h/d and mysql://a:***@c',
    );
    expect(redactSecrets(`auth failed (password "${ODD_PASSWORD}")`, env)).toBe(
      'auth failed (password "***")',
    );
    expect(redactSecrets(`echo ${encodeURIComponent(ODD_PASSWORD)}`, env)).toBe('echo ***');
    // A password typed with a raw '@' is still hidden whole.
    expect(redactUrl('postgresql://u:p@ss/w@host:5432/db')).toBe('postgresql://u:***@host:5432/db');
  });

  it('no source file holds a connection string with a password', () => {
    // Placeholders in documentation (`user:password@`, `user[:password]@`, `user:<password>@`) are not credentials.
    const hardCoded = (text: string): boolean =>
      [...text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:([^\s@'"`$*]+)@/gi)].some(
        ([, pw]) => pw !== 'password' && !/[[\]<>]/.test(pw),
      );
    expect(hardCoded('const url = "postgresql://postgres:hunter22@db/sgn"')).toBe(true);
    expect(hardCoded('expected postgresql://user[:password]@host, or scheme://user:password@')).toBe(false);
    expect(hardCoded('/** postgresql://postgres:<password>@127.0.0.1:<port>/db */')).toBe(false);
    const found = SOURCE_DIRS.flatMap(sourceFiles).filter((f) => hardCoded(readFileSync(f, 'utf8')));
    expect(found.map((f) => relative(projectRoot, f))).toEqual([]);
  });

  it('control: the password really was in the environment of those commands', () => {
    expect(dbWithPassword).toContain(`:${PASSWORD}@`);
    expect(CLOSED_DB).toContain(PASSWORD);
  });
});

// ---- (b) no code evaluation -------------------------------------------------------------------

const SOURCE_DIRS = [
  'config',
  'sgn',
  'formats',
  'db',
  'local',
  'sweep',
  'contracts',
  'workflows',
  'activities',
  'workers',
  'app',
  'report',
  'cli',
];

function sourceFiles(dir: string): string[] {
  const abs = join(projectRoot, dir);
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(abs, n);
    if (statSync(p).isDirectory()) return sourceFiles(relative(projectRoot, p));
    return /\.[cm]?[jt]s$/.test(n) && !/\.test\.[cm]?[jt]s$/.test(n) ? [p] : [];
  });
}

/** Constructs that run text as code, or load modules by computed names. */
const FORBIDDEN: [string, RegExp][] = [
  ['eval', /\beval\s*\(/],
  ['the Function constructor', /\bnew\s+Function\b|(?<![\w.])Function\s*\(/],
  ['the vm module', /['"](node:)?vm['"]/],
  ['import() of a computed path', /\bimport\s*\(\s*(?!['"])/],
  ['require() of a computed path', /(?<![\w.])require\s*\(\s*(?!['"])/],
  ['a shell', /\{[^}]*\bexec(Sync)?\b[^}]*\}\s*from\s*['"](node:)?child_process['"]|shell:\s*true/],
  ['YAML custom tags', /customTags|['"]yaml-1\.1['"]/],
  ['raw SQL from strings', /\$(queryRaw|executeRaw)Unsafe|Prisma\.raw\s*\(/],
];

function violations(text: string): string[] {
  return FORBIDDEN.filter(([, re]) => re.test(text)).map(([name]) => name);
}

describe('(b) the CLI and workers never evaluate user-supplied code', () => {
  it('the scanner sees each forbidden construct (so a clean scan means something)', () => {
    expect(violations('eval(x)')).toEqual(['eval']);
    expect(violations('const f = new Function("return 1")')).toEqual(['the Function constructor']);
    expect(violations("import vm from 'node:vm'")).toEqual(['the vm module']);
    expect(violations('await import(userPath)')).toEqual(['import() of a computed path']);
    expect(violations('require(name)')).toEqual(['require() of a computed path']);
    expect(violations("import { execSync } from 'node:child_process'")).toEqual(['a shell']);
    expect(violations("spawn('sh', ['-c', cmd], { shell: true })")).toEqual(['a shell']);
    expect(violations('parseDocument(t, { customTags: [fn] })')).toEqual(['YAML custom tags']);
    expect(violations('prisma.$queryRawUnsafe(sql)')).toEqual(['raw SQL from strings']);
    expect(
      violations("await import('../workers/worker.js'); require.resolve('x'); createRequire(u)"),
    ).toEqual([]);
  });

  it(`no source file under ${SOURCE_DIRS.join('/, ')}/ holds one`, () => {
    const files = SOURCE_DIRS.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(30);
    const found = files
      .map((f) => ({ f: relative(projectRoot, f), v: violations(readFileSync(f, 'utf8')) }))
      .filter((x) => x.v.length > 0);
    expect(found).toEqual([]);
  });

  it('YAML is parsed in one place, as plain data (core schema), with a bound on aliases', () => {
    const users = SOURCE_DIRS.flatMap(sourceFiles)
      .filter((f) => /from ['"]yaml['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(projectRoot, f));
    expect(users).toEqual(['formats/data-file.ts']);
    const input = readFileSync(join(projectRoot, 'formats/data-file.ts'), 'utf8');
    expect(input).toMatch(/schema: 'core'/);
    expect(input).toMatch(/maxAliasCount: \d+/);
  });

  for (const file of ['js-function-tag.yaml', 'custom-tag.yaml']) {
    it(`a spec with a code-constructing tag (${file}) is refused, naming the tag`, async () => {
      const path = `test/fixtures/bad-inputs/specs/${file}`;
      const r = await runSgnInProcess(['sweep', 'start', path], {
        DATABASE_URL: db.url,
        TEMPORAL_ADDRESS: tripwire.address,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^sgn sweep: ${path}: is not valid YAML \\(Unresolved tag: \\S+`));
    });
  }
});

// ---- (c) bounded input ------------------------------------------------------------------------

describe('(c) input is bounded before parsing', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sgn-security-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a "billion laughs" alias bomb (9^9 strings once expanded) is refused within a second', async () => {
    const r = await runSgnInProcess(['sweep', 'start', 'test/fixtures/bad-inputs/specs/alias-bomb.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Excessive alias count');
    expect(r.ms).toBeLessThan(1000);
  });

  it('a 4 GB (sparse) game file is refused from its size alone, within a second', async () => {
    const file = join(tmp, 'huge.json');
    writeFileSync(file, '{"family": "quadratic", "H": [');
    truncateSync(file, 4 * 1024 ** 3);
    const r = await runSgnInProcess(['certify', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `sgn certify: ${file}: is ${4 * 1024 ** 3} bytes, over the input limit of ${DEFAULT_MAX_INPUT_BYTES} (SGN_MAX_INPUT_BYTES)\n`,
    );
    expect(r.ms).toBeLessThan(1000);
  });

  it('special files are not read (a character device would never end)', async () => {
    const r = await runSgnInProcess(['certify', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sgn certify: /dev/zero: is not a regular file\n');
  });
});

// ---- (d) parameterised SQL --------------------------------------------------------------------

describe('(d) user-supplied values never become SQL text', () => {
  const SWEEP = 'inj-test';
  const env = (): Record<string, string> => ({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: tripwire.address });

  beforeAll(async () => {
    await db.prisma.sweep.create({
      data: {
        id: SWEEP,
        kind: 'certify',
        status: 'completed',
        spec: {},
        specHash: 'h',
        totalCells: 2,
        doneCells: 2,
        workflowId: 'w',
      },
    });
    await db.prisma.cellResult.createMany({
      data: [
        { sweepId: SWEEP, cellIndex: 0, cellKey: 'k0', params: { lambda: 0.5 }, certified: true },
        { sweepId: SWEEP, cellIndex: 1, cellKey: 'k1', params: { lambda: 1 }, certified: false },
      ],
    });
  });

  async function tablesIntact(): Promise<void> {
    const sweeps = await db.prisma.sweep.count();
    const cells = await db.prisma.cellResult.count();
    expect({ sweeps, cells }).toEqual({ sweeps: 1, cells: 2 });
  }

  /** The rows, and stderr: empty, or why nothing matched. */
  async function results(...args: string[]): Promise<unknown[]> {
    const r = await runSgnInProcess(['sweep', 'results', SWEEP, '--format', 'json', ...args], env());
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as unknown[];
    if (rows.length > 0) expect(r.stderr).toBe('');
    else expect(r.stderr).toMatch(/^no cell of sweep \S+ matches --where /);
    return rows;
  }

  it('control: --where filters as intended', async () => {
    expect(await results()).toHaveLength(2);
    expect(await results('--where', 'lambda=0.5')).toHaveLength(1);
    expect(await results('--where', 'certified=false')).toHaveLength(1);
  });

  it('--where "lambda=1; DROP TABLE x": a clean error naming the filter', async () => {
    const r = await runSgnInProcess(['sweep', 'results', SWEEP, '--where', 'lambda=1; DROP TABLE x'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'sgn sweep: --where lambda=1; DROP TABLE x: lambda is a parameter: the value must be a number, got "1; DROP TABLE x"\n',
    );
    await tablesIntact();
  });

  it('a filter key that would widen the query if spliced is refused; a value matches nothing', async () => {
    // Spliced, this would read: (params ->> 'lambda') IS NULL OR (params->>'lambda')::float8 = 1
    const key = "lambda') IS NULL OR (params->>'lambda=1";
    const r = await runSgnInProcess(['sweep', 'results', SWEEP, '--where', key], env());
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`--where ${JSON.stringify(key)}: must look like name op value`);
    expect(await results('--where', "cellKey=x' OR '1'='1")).toEqual([]);
    await tablesIntact();
  });

  it('sweep ids with SQL in them are just ids that do not exist', async () => {
    for (const [cmd, id] of [
      ['status', "x'; DROP TABLE sweeps; --"],
      ['results', `${SWEEP}' OR '1'='1`],
      ['cancel', "x'); DELETE FROM cell_results; --"],
    ]) {
      const r = await runSgnInProcess(['sweep', cmd, id], env());
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`sgn sweep: sweep: no sweep with id "${id}" (see: sgn sweep list)\n`);
    }
    await tablesIntact();
  });

  it('--limit is a number or refused', async () => {
    const r = await runSgnInProcess(['sweep', 'results', SWEEP, '--limit', '1; DROP TABLE sweeps'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sgn sweep: --limit: must be a finite number/);
    await tablesIntact();
  });

  it('SQL built from strings interpolates only quoted identifiers (CREATE/DROP DATABASE)', () => {
    const offending: string[] = [];
    for (const f of SOURCE_DIRS.flatMap(sourceFiles)) {
      const text = readFileSync(f, 'utf8');
      // pg's client.query with a template string: every ${...} must go through quoteIdent.
      for (const m of text.matchAll(/\.query\(\s*`([^`]*)`/g)) {
        for (const [, expr] of m[1].matchAll(/\$\{([^}]*)\}/g)) {
          if (!/^quoteIdent\(/.test(expr)) offending.push(`${relative(projectRoot, f)}: ${expr}`);
        }
      }
      // Prisma's raw calls take a tagged template or a Prisma.sql fragment, never a plain string.
      for (const m of text.matchAll(/\.\$(queryRaw|executeRaw)\s*\(\s*(?!Prisma\.sql\b)/g)) {
        offending.push(`${relative(projectRoot, f)}: ${m[0]}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
