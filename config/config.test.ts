// The configuration (config/config.ts): every variable parsed, the defaults, blank as unset,
// every bad value refused with one line naming its variable, the object frozen; the table in
// docs/deployment.md lists every setting; and through the real `sgn` program, a bad setting is
// one line and exit 2 before anything is read or reached.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import {
  DEFAULT_BATCHES_PER_RUN,
  DEFAULT_CONFIG,
  DEFAULT_DATABASE_URL,
  DEFAULT_MAX_INPUT_BYTES,
  MAX_BATCHES_PER_RUN,
  debugFlag,
  loadConfig,
  settingsSchema,
  type Env,
  type SgnConfig,
} from './config.js';
import { GiB, MiB } from './units.js';
import { runCli } from '../test/support/processes.js';
import { projectRoot } from '../test/support/reference.js';

/** The InputError loadConfig refuses `env` with (fails the test when it accepts it). */
function refusal(env: Env): InputError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

const DEFAULTS: SgnConfig = {
  databaseUrl: DEFAULT_DATABASE_URL,
  databaseUrlSet: false,
  autoMigrate: 'new',
  maxInputBytes: DEFAULT_MAX_INPUT_BYTES,
  batchesPerRun: DEFAULT_BATCHES_PER_RUN,
  debug: false,
  testFaults: [],
  temporal: { variables: {} },
};

describe('loadConfig', () => {
  it('an empty environment: every default (no limits set, so the defaults of their users apply)', () => {
    const c = loadConfig({});
    expect(c).toEqual(DEFAULTS);
    // Unset, not a number: sweep/resolve.ts and sweep/budget.ts then say "the default limit".
    for (const key of [
      'maxCells',
      'maxCellMemory',
      'maxCellWork',
      'demoScale',
      'temporalCliPath',
      'temporalUiUrl',
    ])
      expect(Object.hasOwn(c, key), key).toBe(false);
    expect(DEFAULT_CONFIG).toEqual(DEFAULTS);
    expect(DEFAULTS.maxInputBytes).toBe(64 * MiB);
    expect(DEFAULTS.batchesPerRun).toBe(400);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      DATABASE_URL: ' postgresql://u:pw@db:5433/sweeps?sslmode=require ',
      SGN_AUTO_MIGRATE: 'True',
      SGN_MAX_INPUT_BYTES: '10MB',
      SGN_MAX_CELLS: '1e3',
      SGN_MAX_CELL_MEMORY: '1.5GiB',
      SGN_MAX_CELL_WORK: '2_500_000',
      SGN_BATCHES_PER_RUN: '8',
      SGN_TASK_QUEUE: ' my-queue ',
      SGN_DEBUG: '1',
      SGN_TEST_FAULTS: '5:kill, 9:hang,12:slow=8000',
      SGN_DEMO_SCALE: 'small',
      TEMPORAL_CLI_PATH: '/opt/temporal/bin/temporal',
      SGN_TEMPORAL_UI_URL: ' https://temporal.example/ui ',
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'ns',
      TEMPORAL_TLS: 'true',
      TEMPORAL_GRPC_META_X_TENANT: 'a',
      HOME: '/home/u',
      PATH: '/usr/bin',
      SGN_SHARED_DIR: '/elsewhere',
    });
    expect(c).toEqual({
      databaseUrl: 'postgresql://u:pw@db:5433/sweeps?sslmode=require',
      databaseUrlSet: true,
      autoMigrate: 'always',
      maxInputBytes: 10e6,
      maxCells: 1000,
      maxCellMemory: 1.5 * GiB,
      maxCellWork: 2.5e6,
      batchesPerRun: 8,
      debug: true,
      testFaults: [
        [5, { kind: 'kill' }],
        [9, { kind: 'hang' }],
        [12, { kind: 'slow', ms: 8000 }],
      ],
      demoScale: 'small',
      temporalCliPath: '/opt/temporal/bin/temporal',
      temporalUiUrl: 'https://temporal.example/ui',
      temporal: {
        taskQueue: 'my-queue',
        // Temporal's own variables and where its TOML file is, as given: nothing else (not PATH,
        // not sgn's own, not TEMPORAL_CLI_PATH, which is ours).
        variables: {
          TEMPORAL_ADDRESS: 'temporal.example:7233',
          TEMPORAL_NAMESPACE: 'ns',
          TEMPORAL_TLS: 'true',
          TEMPORAL_GRPC_META_X_TENANT: 'a',
          HOME: '/home/u',
        },
      },
    } satisfies SgnConfig);
  });

  it('blank values are unset (empty or spaces)', () => {
    const blank: Record<string, string> = {};
    for (const name of Object.keys(settingsSchema.shape)) if (name !== 'TEMPORAL_TLS') blank[name] = '  ';
    blank.DATABASE_URL = '';
    // Temporal's blank ones are not passed on either: a profile's address stays visible.
    expect(loadConfig({ ...blank, TEMPORAL_API_KEY: '', HOME: ' ' })).toEqual(DEFAULTS);
  });

  it('numbers at their bounds', () => {
    expect(loadConfig({ SGN_BATCHES_PER_RUN: '1' }).batchesPerRun).toBe(1);
    expect(loadConfig({ SGN_BATCHES_PER_RUN: String(MAX_BATCHES_PER_RUN) }).batchesPerRun).toBe(5000);
    expect(loadConfig({ SGN_MAX_CELLS: '1' }).maxCells).toBe(1);
    expect(loadConfig({ SGN_MAX_INPUT_BYTES: '512MiB' }).maxInputBytes).toBe(512 * MiB);
    expect(loadConfig({ SGN_MAX_INPUT_BYTES: '10' }).maxInputBytes).toBe(10);
    expect(loadConfig({ TEMPORAL_ADDRESS: '[::1]:7233' }).temporal.variables.TEMPORAL_ADDRESS).toBe(
      '[::1]:7233',
    );
    for (const flag of ['1', '0', 'true', 'false'])
      expect(loadConfig({ TEMPORAL_TLS: flag }).temporal.variables.TEMPORAL_TLS).toBe(flag);
    expect(loadConfig({ SGN_DEMO_SCALE: 'full' }).demoScale).toBe('full');
  });

  it('SGN_DEBUG: any value but empty, 0 or false is on (it refuses none)', () => {
    for (const on of ['1', 'true', 'yes', 'TRUE', ' 2 '])
      expect(loadConfig({ SGN_DEBUG: on }).debug, on).toBe(true);
    for (const off of [undefined, '', ' ', '0', 'false', 'False'])
      expect(loadConfig({ SGN_DEBUG: off }).debug, String(off)).toBe(false);
    expect(debugFlag('1')).toBe(true);
    expect(debugFlag(undefined)).toBe(false);
  });

  const bad: [variable: string, value: string, problem: string][] = [
    ['SGN_AUTO_MIGRATE', 'yes', 'must be 1 or 0, got "yes"'],
    [
      'SGN_MAX_INPUT_BYTES',
      'lots',
      'must be a number of bytes or a size like 64MB, at most 512 MiB, got "lots"',
    ],
    ['SGN_MAX_INPUT_BYTES', '0', 'got "0"'],
    ['SGN_MAX_INPUT_BYTES', '-5', 'got "-5"'],
    ['SGN_MAX_INPUT_BYTES', '1GiB', 'at most 512 MiB, got "1GiB"'],
    ['SGN_MAX_CELLS', 'many', 'must be a positive integer, got "many"'],
    ['SGN_MAX_CELLS', '0', 'must be a positive integer, got "0"'],
    ['SGN_MAX_CELLS', '-3', 'must be a positive integer, got "-3"'],
    ['SGN_MAX_CELLS', '2.5', 'must be a positive integer, got "2.5"'],
    ['SGN_MAX_CELLS', '1e300', 'must be a positive integer, got "1e300"'],
    [
      'SGN_MAX_CELL_MEMORY',
      'lots',
      'must be a number of bytes or a size like 512MB, 4GB or 1.5GiB, got "lots"',
    ],
    ['SGN_MAX_CELL_MEMORY', '-4GB', 'got "-4GB"'],
    ['SGN_MAX_CELL_MEMORY', '4 GBs', 'got "4 GBs"'],
    [
      'SGN_MAX_CELL_WORK',
      '-5',
      'must be a positive number of floating-point operations (e.g. 1e12), got "-5"',
    ],
    ['SGN_MAX_CELL_WORK', 'fast', 'got "fast"'],
    ['SGN_MAX_CELL_WORK', '0', 'got "0"'],
    ['SGN_MAX_CELL_WORK', '1e999', 'got "1e999"'],
    ['SGN_MAX_CELL_WORK', '1e12 flops', 'got "1e12 flops"'],
    ['SGN_BATCHES_PER_RUN', '0', 'must be an integer from 1 to 5000, got "0"'],
    ['SGN_BATCHES_PER_RUN', '5001', 'must be an integer from 1 to 5000, got "5001"'],
    ['SGN_BATCHES_PER_RUN', 'ten', 'got "ten"'],
    [
      'SGN_TEMPORAL_UI_URL',
      'localhost:8233',
      'must be an http(s) URL such as http://localhost:8233, got "localhost:8233"',
    ],
    ['SGN_TEMPORAL_UI_URL', 'ftp://ui', 'got "ftp://ui"'],
    ['SGN_BATCHES_PER_RUN', '2.5', 'got "2.5"'],
    ['SGN_TASK_QUEUE', 'q'.repeat(1001), 'must be at most 1000 characters, got 1001'],
    ['SGN_TEST_FAULTS', '5:explode', 'cannot read "5:explode" (index:hang|slow=MS|exit|kill|oom|throw)'],
    ['SGN_TEST_FAULTS', 'hang', 'cannot read "hang"'],
    ['SGN_DEMO_SCALE', 'huge', 'must be small or full, got "huge"'],
    ['TEMPORAL_ADDRESS', 'http://x:7233', 'must be host:port, got "http://x:7233"'],
    ['TEMPORAL_ADDRESS', 'a b:1', 'must be host:port, got "a b:1"'],
    ['TEMPORAL_TLS', 'maybe', 'must be true or false, got "maybe"'],
    ['TEMPORAL_TLS', '', 'must be true or false, got ""'],
  ];
  it.each(bad)('%s=%j is refused: one line naming the variable', (variable, value, problem) => {
    const e = refusal({ [variable]: value });
    expect(e.field).toBe(variable);
    expect(e.problem).toContain(problem);
    expect(e.message).toBe(`${variable}: ${e.problem}`);
    expect(e.message).not.toContain('\n');
  });

  it('quotes a long or unprintable value short, on one printable line', () => {
    const e = refusal({ SGN_MAX_CELLS: `12\n${'9'.repeat(100)}\u001b[31m` });
    expect(e.problem).toBe(`must be a positive integer, got "12\\n${'9'.repeat(37)}..."`);
    // eslint-disable-next-line no-control-regex -- control characters are what is looked for
    expect(/[\u0000-\u001f\u007f]/.test(e.message)).toBe(false);
  });

  it('reports the first bad variable (in the order of the table) and only that one', () => {
    const e = refusal({ SGN_BATCHES_PER_RUN: '0', SGN_MAX_CELLS: 'x', TEMPORAL_TLS: 'maybe' });
    expect(e.field).toBe('SGN_MAX_CELLS');
  });

  it('is frozen all the way down', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'h:1', SGN_TEST_FAULTS: '1:hang' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.temporal)).toBe(true);
    expect(Object.isFrozen(c.temporal.variables)).toBe(true);
    expect(Object.isFrozen(c.testFaults)).toBe(true);
    expect(Object.isFrozen(c.testFaults[0])).toBe(true);
    expect(Object.isFrozen(c.testFaults[0][1])).toBe(true);
    expect(() => {
      (c as { maxInputBytes: number }).maxInputBytes = 1;
    }).toThrow(TypeError);
    expect(Object.isFrozen(DEFAULT_CONFIG.temporal.variables)).toBe(true);
  });

  it("reads the process's environment when given none", () => {
    const saved = process.env.SGN_BATCHES_PER_RUN;
    process.env.SGN_BATCHES_PER_RUN = '17';
    try {
      expect(loadConfig().batchesPerRun).toBe(17);
    } finally {
      if (saved === undefined) delete process.env.SGN_BATCHES_PER_RUN;
      else process.env.SGN_BATCHES_PER_RUN = saved;
    }
  });
});

describe('docs/deployment.md', () => {
  const doc = readFileSync(join(projectRoot, 'docs', 'deployment.md'), 'utf8');
  // Rows of the settings table: | `NAME` | ...
  const rows = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_<>]*)`/gm)].map((m) => m[1]);

  it('has one row for every setting the configuration reads', () => {
    const documented = new Set(rows);
    expect(Object.keys(settingsSchema.shape).filter((name) => !documented.has(name))).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('documents nothing the configuration does not read (the rest are Temporal variables it passes on)', () => {
    const known = new Set(Object.keys(settingsSchema.shape));
    expect(rows.filter((name) => !known.has(name) && !name.startsWith('TEMPORAL_'))).toEqual([]);
  });
});

describe('the `sgn` program, a real process', () => {
  // Nothing listens at port 1: had the command tried PostgreSQL or Temporal, it would exit 3.
  const unreachable = {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/sgn',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
  };

  it('sweep start with a bad SGN_MAX_CELLS: one line naming it, exit 2, nothing else', async () => {
    const r = await runCli(['sweep', 'start', 'examples/small.yaml'], {
      ...unreachable,
      SGN_MAX_CELLS: 'lots',
    });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('sgn sweep: SGN_MAX_CELLS: must be a positive integer, got "lots"\n');
    expect(r.code).toBe(2);
  }, 60_000);

  it('a good SGN_MAX_CELLS below the sweep is the limit it is refused by (the setting reaches the spec)', async () => {
    const r = await runCli(['sweep', 'start', 'examples/small.yaml'], {
      ...unreachable,
      SGN_MAX_CELLS: '100',
    });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'sgn sweep: spec: the sweep has 144 cells (lambda 12 x ratio 12), over the limit of 100 set by SGN_MAX_CELLS; shrink the axes or raise maxCells / SGN_MAX_CELLS\n',
    );
    expect(r.code).toBe(2);
  }, 60_000);
});
