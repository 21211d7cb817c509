// The bad-input corpus (test/fixtures/bad-inputs/manifest.json, plus huge files generated here)
// through the real `sgn` program: exit 2, nothing on stdout, ONE line on stderr naming the
// field, no stack trace; and afterwards not one row in a real PostgreSQL database, and not one
// connection to the Temporal address (a tripwire port). Every entry runs in-process through
// main() (what cli/sgn.ts runs); a sample also runs as separate processes.
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_MAX_INPUT_BYTES, MAX_YAML_BYTES } from '../formats/data-file.js';
import { bareSweep, createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli, type CliResult } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { runSgnInProcess } from './support/sgn-in-process.js';
import { startTripwire, type Tripwire } from './support/tripwire.js';

const entrySchema = z.strictObject({
  file: z.string(),
  command: z.enum(['sweep start', 'certify', 'simulate']),
  field: z.string(),
  says: z.string(),
  category: z.string(),
});
type Entry = z.infer<typeof entrySchema> & { args?: string[]; env?: Record<string, string> };
const manifest = z
  .strictObject({ $comment: z.string(), entries: z.array(entrySchema) })
  .parse(JSON.parse(readFileSync(join(projectRoot, 'test/fixtures/bad-inputs/manifest.json'), 'utf8')));

/** Every kind of defect the corpus must hold at least once. */
const REQUIRED_CATEGORIES = [
  'wrong type',
  'missing field',
  'unknown family',
  'unknown field',
  'NaN',
  'infinite number',
  'non-square matrix',
  'asymmetric dimensions',
  'dims do not add up',
  'zero or negative size',
  'negative or zero weight',
  'negative or zero multiplier',
  'empty axis',
  'reversed axis',
  'cells over the limit',
  'not YAML/JSON',
  'huge file',
  'negative or zero radius',
  'code tag',
  'alias bomb',
  'deep nesting',
  'cell memory over the limit',
  'cell work over the limit',
  'bad budget variable',
  'bad setting',
];

const VALID_SPEC = 'examples/small.yaml';
const VALID_GAME = 'test/fixtures/games/valid-small.json';

const tmp = mkdtempSync(join(tmpdir(), 'sgn-bad-input-'));
const HUGE_JSON = join(tmp, 'huge-spec.json');
const HUGE_SPARSE = join(tmp, 'huge-sparse-game.json');
const HUGE_YAML = join(tmp, 'huge-spec.yaml');
const DEEP_JSON = join(tmp, 'deep-spec.json');
const DEEP_YAML = join(tmp, 'deep-spec.yaml');
const DEPTH = 200_000;
// Cells that cannot fit (sweep/budget.ts): refused from the spec alone, before anything is built.
const HUGE_DIMS_SPEC = join(tmp, 'huge-dims-spec.json');
const ENDLESS_STEPS_SPEC = join(tmp, 'endless-stepsize-spec.json');
const HUGE_DIMS_GAME = join(tmp, 'huge-dims-game.json');
/** Buildable (d = 3000, some 30 s of Gram-Schmidt and bounds): refused under a 256 MB limit within the 3 s bound. */
const BIG_CLEAN_GAME = join(tmp, 'big-clean-game.json');

/** Inputs too large to commit, and bad flags (the defect is in the command line, not a file). */
const extra: Entry[] = [
  {
    file: HUGE_JSON,
    command: 'sweep start',
    field: HUGE_JSON,
    says: `over the input limit of ${DEFAULT_MAX_INPUT_BYTES} (SGN_MAX_INPUT_BYTES)`,
    category: 'huge file',
  },
  {
    file: HUGE_SPARSE,
    command: 'certify',
    field: HUGE_SPARSE,
    says: `is ${2 ** 31} bytes, over the input limit`,
    category: 'huge file',
  },
  {
    file: HUGE_YAML,
    command: 'sweep start',
    field: HUGE_YAML,
    says: `over the YAML input limit of ${MAX_YAML_BYTES}`,
    category: 'huge file',
  },
  {
    file: DEEP_JSON,
    command: 'sweep start',
    field: DEEP_JSON,
    says: 'nests lists or objects more than 64 levels deep (under game)',
    category: 'deep nesting',
  },
  {
    file: DEEP_YAML,
    command: 'sweep start',
    field: DEEP_YAML,
    says: 'nests lists or objects more than 64 levels deep (at line 2)',
    category: 'deep nesting',
  },
  {
    file: VALID_GAME,
    args: ['--weights', '1,-2'],
    command: 'certify',
    field: '--weights[1]',
    says: 'must be positive, got -2',
    category: 'negative or zero weight',
  },
  {
    file: VALID_GAME,
    args: ['--region', 'box:0'],
    command: 'certify',
    field: '--region',
    says: 'radius must be a positive finite number, got 0',
    category: 'negative or zero radius',
  },
  {
    file: VALID_GAME,
    args: ['--region', 'ball:-0.5'],
    command: 'certify',
    field: '--region',
    says: 'radius must be a positive finite number, got -0.5',
    category: 'negative or zero radius',
  },
  {
    file: VALID_SPEC,
    args: ['--max-cells', '100'],
    command: 'sweep start',
    field: 'spec',
    says: 'the sweep has 144 cells (lambda 12 x ratio 12), over the limit of 100 set by the maxCells option',
    category: 'cells over the limit',
  },
  {
    file: VALID_SPEC,
    args: ['--id', "x'; DROP TABLE sweeps; --"],
    command: 'sweep start',
    field: '--id',
    says: 'is not a valid sweep id',
    category: 'injection attempt',
  },
  {
    file: HUGE_DIMS_SPEC,
    command: 'sweep start',
    field: 'spec.game.dims',
    says: '(d = 200,000: dense 200,000 x 200,000 matrices), above the cell memory limit',
    category: 'cell memory over the limit',
  },
  {
    file: ENDLESS_STEPS_SPEC,
    command: 'sweep start',
    field: 'spec.stepsize.steps',
    says: 'steps 1e11 x seeds 100000 x integrators euler, rk4 x 2 multipliers, d = 4), above the cell work limit 1e12 set by the default limit (SGN_MAX_CELL_WORK)',
    category: 'cell work over the limit',
  },
  {
    file: HUGE_DIMS_GAME,
    command: 'certify',
    field: 'game.dims',
    says: '(d = 200,000: dense 200,000 x 200,000 matrices), above the cell memory limit',
    category: 'cell memory over the limit',
  },
  {
    file: BIG_CLEAN_GAME,
    env: { SGN_MAX_CELL_MEMORY: '256MB' },
    command: 'certify',
    field: 'game.dims',
    says: 'above the cell memory limit 244 MiB set by SGN_MAX_CELL_MEMORY; shrink dims or raise SGN_MAX_CELL_MEMORY',
    category: 'cell memory over the limit',
  },
  {
    file: BIG_CLEAN_GAME,
    args: ['--ground-truth', 'always'],
    command: 'certify',
    field: '--ground-truth',
    says: 'all eigenvalues of the 3000 x 3000 H), above the cell work limit 1e11 set by SGN_MAX_CELL_WORK',
    category: 'cell work over the limit',
    env: { SGN_MAX_CELL_WORK: '1e11' },
  },
  {
    file: 'examples/games/scalar-toy.json',
    args: ['--steps', '10000000', '--seeds', '100000'],
    command: 'simulate',
    field: '--steps',
    says: 'steps 1e7 x seeds 100000 x euler, d = 2), above the cell work limit',
    category: 'cell work over the limit',
  },
  {
    file: VALID_SPEC,
    args: ['--id', 'budget-probe'],
    env: { SGN_MAX_CELL_MEMORY: 'lots' },
    command: 'sweep start',
    field: 'SGN_MAX_CELL_MEMORY',
    says: 'must be a number of bytes or a size like 512MB, 4GB or 1.5GiB, got "lots"',
    category: 'bad budget variable',
  },
  {
    // Settings are checked at start-up (config/config.ts), before the spec is even read.
    file: VALID_SPEC,
    args: ['--id', 'cells-probe'],
    env: { SGN_MAX_CELLS: 'lots' },
    command: 'sweep start',
    field: 'SGN_MAX_CELLS',
    says: 'must be a positive integer, got "lots"',
    category: 'bad setting',
  },
  {
    file: VALID_GAME,
    args: ['--json'],
    env: { SGN_MAX_INPUT_BYTES: '2GB' },
    command: 'certify',
    field: 'SGN_MAX_INPUT_BYTES',
    says: 'at most 512 MiB, got "2GB"',
    category: 'bad setting',
  },
  {
    file: VALID_GAME,
    args: ['--json'],
    env: { SGN_MAX_CELL_WORK: '-5' },
    command: 'certify',
    field: 'SGN_MAX_CELL_WORK',
    says: 'must be a positive number of floating-point operations (e.g. 1e12), got "-5"',
    category: 'bad budget variable',
  },
];

const corpus: Entry[] = [...manifest.entries, ...extra];
const argvOf = (e: Entry): string[] => [...e.command.split(' '), e.file, ...(e.args ?? [])];

/** 70 MB of well-formed JSON (a spec with a 4-million-value axis), written in 1 MB chunks. */
function writeHugeJson(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, '{"kind":"certify","game":{"family":"quadratic","generator":"random","dims":[2,2],');
    writeSync(fd, '"lambda":{"values":[');
    const chunk = Array.from({ length: 65536 }, (_, i) => (1 + i / 65536).toFixed(12)).join(',');
    for (let n = 0; n < bytes; n += chunk.length + 1) writeSync(fd, `${chunk},`);
    writeSync(fd, '0]}}}');
  } finally {
    closeSync(fd);
  }
}

/** A YAML spec just over the YAML bound (parsing it would take seconds and ~1 GB). */
function writeHugeYaml(path: string, bytes: number): void {
  const head =
    'kind: certify\ngame:\n  family: quadratic\n  generator: random\n  dims: [2, 2]\n  lambda:\n    values:\n';
  const lines: string[] = [];
  let size = head.length;
  for (let i = 0; size <= bytes; i++) {
    const line = `      - ${(1 + i * 1e-7).toFixed(12)}\n`;
    lines.push(line);
    size += line.length;
  }
  writeFileSync(path, head + lines.join(''));
}

let db: TestDatabase;
let temporal: Tripwire;
let env: Record<string, string>;
/** Real processes for a sample of the corpus, started together in beforeAll. */
const spawned = new Map<Entry, Promise<CliResult>>();
const SPAWNED_FILES = [
  'test/fixtures/bad-inputs/specs/missing-kind.yaml',
  'test/fixtures/bad-inputs/specs/binary.yaml',
  HUGE_JSON,
  HUGE_DIMS_SPEC,
];

beforeAll(async () => {
  writeFileSync(
    HUGE_DIMS_SPEC,
    JSON.stringify({
      kind: 'certify',
      game: { family: 'quadratic', generator: 'random', dims: [100000, 100000] },
    }),
  );
  writeFileSync(
    ENDLESS_STEPS_SPEC,
    JSON.stringify({
      kind: 'stepsize',
      game: { family: 'quadratic', generator: 'random', dims: [2, 2] },
      stepsize: { integrators: ['euler', 'rk4'], multipliers: [0.5, 1], steps: 1e11, seeds: 100000 },
    }),
  );
  writeFileSync(
    HUGE_DIMS_GAME,
    JSON.stringify({ family: 'quadratic', generator: 'random', dims: [100000, 100000] }),
  );
  writeFileSync(
    BIG_CLEAN_GAME,
    JSON.stringify({ family: 'quadratic', generator: 'clean', dims: [1500, 1500] }),
  );
  writeHugeJson(HUGE_JSON, 70 * 1024 * 1024);
  // Sparse: 2 GB by size, no disk used. Reading it would take seconds (and fail as a string).
  writeFileSync(HUGE_SPARSE, '{"family": "quadratic", "H": [');
  truncateSync(HUGE_SPARSE, 2 ** 31);
  writeHugeYaml(HUGE_YAML, MAX_YAML_BYTES + 1024);
  // 200,000 nested lists as a game's name: JSON.parse copes but the code reading the data
  // recurses; YAML's parser recurses itself (at 10,000 flow levels it can crash the process).
  const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
  writeFileSync(
    DEEP_JSON,
    `{"kind": "certify", "game": {"family": "quadratic", "generator": "random", "dims": [2, 2], "name": ${deep}}}`,
  );
  writeFileSync(
    DEEP_YAML,
    `kind: certify\ngame: {family: quadratic, generator: random, dims: [2, 2], name: ${deep}}\n`,
  );
  [db, temporal] = await Promise.all([createTestDatabase({ label: 'bad_input' }), startTripwire()]);
  env = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address };
  for (const e of corpus.filter((c) => SPAWNED_FILES.includes(c.file) && !c.args)) {
    spawned.set(e, runCli(argvOf(e), env));
  }
});

afterAll(async () => {
  await Promise.allSettled(spawned.values());
  await db?.drop();
  await temporal?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Rows in every table the application writes. */
async function rowCounts(): Promise<Record<string, number>> {
  const [r] = await db.prisma.$queryRaw<Record<string, bigint>[]>`
    SELECT (SELECT count(*) FROM sweeps) AS sweeps,
           (SELECT count(*) FROM cell_results) AS cell_results,
           (SELECT count(*) FROM stepsize_results) AS stepsize_results,
           (SELECT count(*) FROM band_maps) AS band_maps`;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
}
const NO_ROWS = { sweeps: 0, cell_results: 0, stepsize_results: 0, band_maps: 0 };

/** A refusal: exit 2, nothing on stdout, one line `sgn <command>: <field>: <problem>` on stderr. */
function expectRefused(r: CliResult, e: Entry): void {
  const what = `sgn ${argvOf(e).join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, what).toBe(2);
  expect(r.stdout, what).toBe('');
  expect(r.stderr.endsWith('\n'), what).toBe(true);
  const line = r.stderr.slice(0, -1);
  expect(line, 'one line').not.toContain('\n');
  // Printable: parsers quote the bytes they choke on, and a \r or an escape would garble a terminal.
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  expect(/[\u0000-\u001f\u007f]/.test(line), `control characters in ${JSON.stringify(line)}`).toBe(false);
  expect(line, 'no stack trace').not.toMatch(/\bat .*:\d+:\d+|Error:/);
  const prefix = `sgn ${e.command.split(' ')[0]}: ${e.field}: `;
  expect(line.startsWith(prefix), `expected "${prefix}..."\ngot      "${line}"`).toBe(true);
  expect(line.slice(prefix.length)).toContain(e.says);
}

describe('the corpus', () => {
  it('holds at least 50 distinct malformed files, every one listed once and present', () => {
    const files = corpus.filter((e) => !e.args).map((e) => e.file);
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBeGreaterThanOrEqual(50);
    expect(manifest.entries.filter((e) => e.command === 'sweep start').length).toBeGreaterThanOrEqual(30);
    for (const f of manifest.entries.map((e) => e.file))
      expect(() => readFileSync(join(projectRoot, f))).not.toThrow();
  });

  it('lists every fixture file under test/fixtures/bad-inputs (none forgotten)', () => {
    const listed = new Set(manifest.entries.map((e) => e.file));
    for (const dir of ['specs', 'games']) {
      for (const f of readdirSync(join(projectRoot, 'test/fixtures/bad-inputs', dir))) {
        expect(listed.has(`test/fixtures/bad-inputs/${dir}/${f}`), f).toBe(true);
      }
    }
  });

  it('covers every category of defect', () => {
    const have = new Set(corpus.map((e) => e.category));
    expect(REQUIRED_CATEGORIES.filter((c) => !have.has(c))).toEqual([]);
  });
});

describe('controls: the valid inputs next to the corpus get past validation', () => {
  it(`certify ${VALID_GAME} succeeds`, async () => {
    const r = await runSgnInProcess(['certify', VALID_GAME], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CERTIFIED/);
  });
});

describe('every malformed input is refused: exit 2, one line naming the field, no stack trace', () => {
  // The commands' modules load once, before anything is timed: the bound below is about reading
  // and parsing input, not about the first import of a command on a busy machine.
  beforeAll(async () => {
    for (const command of new Set(corpus.map((e) => e.command)))
      await runSgnInProcess([...command.split(' '), '--help'], env);
  }, 60_000);

  for (const e of corpus) {
    it(`${e.command} ${e.file.replace(`${tmp}/`, '<tmp>/')}${e.args ? ` ${e.args.join(' ')}` : ''}: ${e.field}`, async () => {
      const r = await runSgnInProcess(argvOf(e), { ...env, ...e.env });
      expectRefused(r, e);
      // Bounded before parsing: the 70 MB and 2 GB files, the 8 MB YAML (9 s and 1.4 GB to parse)
      // and the alias bomb are refused at once (a loose bound: the machine may be shared).
      expect(r.ms).toBeLessThan(3000);
    });
  }
});

describe('as separate processes (cli/sgn.ts, as users run it)', () => {
  it('the sample is the same refusal from a real process', async () => {
    expect(spawned.size).toBe(SPAWNED_FILES.length);
    for (const [e, p] of spawned) expectRefused(await p, e);
  }, 120_000);
});

describe('nothing reached the database or Temporal', () => {
  it('no sweep start contacted Temporal (the tripwire at TEMPORAL_ADDRESS saw no connection)', async () => {
    await Promise.all(spawned.values());
    expect(temporal.connections()).toBe(0);
  });

  it('no row was written: sweeps, cell_results, stepsize_results and band_maps are empty', async () => {
    await Promise.all(spawned.values());
    expect(await rowCounts()).toEqual(NO_ROWS);
  });

  it('control: a valid spec passes validation, goes on to Temporal (tripwire trips) and, Temporal being down, writes nothing', async () => {
    const r = await runSgnInProcess(['sweep', 'start', VALID_SPEC], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`cannot reach Temporal at ${temporal.address} (TEMPORAL_ADDRESS)`);
    expect(temporal.connections()).toBeGreaterThan(0);
    expect(await rowCounts()).toEqual(NO_ROWS);
  });

  it('control: the row count sees a row when there is one', async () => {
    await db.prisma.sweep.create({ data: bareSweep('probe', 0, 'completed') });
    expect((await rowCounts()).sweeps).toBe(1);
    await db.prisma.sweep.delete({ where: { id: 'probe' } });
  });
});
