// `sgn certify` as users run it: a few real processes for exit codes, stdout and stderr,
// and direct runCertify() calls for the rest (same code path, no process start-up).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { InputError } from '../sgn/util/errors.js';
import { runCli, type CliResult } from '../test/support/processes.js';
import { loadGolden, projectRoot } from '../test/support/reference.js';
import { runCertify } from './certify.js';
import { commandInputError, commandOutput } from '../test/support/command-harness.js';

const LQ64 = 'examples/games/lq64.json';
const GAMES = 'test/fixtures/games';
const VALID = `${GAMES}/valid-small.json`;
const abs = (p: string): string => join(projectRoot, p);

const band = z.object({ rMinus: z.number(), rPlus: z.number() });
/** Every field the JSON output promises. */
const certificateJson = z.object({
  certified: z.boolean(),
  dims: z.array(z.number().int().positive()),
  mu: z.array(z.number()),
  L: z.array(z.array(z.number())),
  gammaEuclidean: z.number(),
  weights: z.array(z.number().positive()),
  alpha: z.number(),
  beta: z.number(),
  eulerStep: z.number(),
  rk4Step: z.number(),
  c4: z.number(),
  optimal: z.object({ alpha: z.number(), weights: z.array(z.number()) }),
  band: band.nullable(),
  linear: z.object({ alphaTrue: z.number(), hStabEuler: z.number(), hStabRk4: z.number() }).nullable(),
  euclidean: z.object({
    gamma: z.number(),
    beta: z.number().nullable(),
    eulerStep: z.number(),
    rk4Step: z.number(),
    certified: z.boolean(),
  }),
  certifiedBy: z.array(z.enum(['SGN', 'Euclidean'])),
  reason: z.string().nullable(),
});
type CertificateJson = z.infer<typeof certificateJson>;

const certifyText = (args: string[]): string => commandOutput(runCertify, args);

function certifyJson(args: string[]): CertificateJson {
  return certificateJson.parse(JSON.parse(certifyText([...args, '--json'])));
}

/** The InputError runCertify throws for `args` (taken as they are); it must print nothing. */
const inputError = (args: string[]): InputError => commandInputError(runCertify, args, 'certify');

/** One clear line: `field: problem`. */
function expectOneLine(e: InputError, field: string): void {
  expect(e.field).toBe(field);
  expect(e.message.startsWith(`${field}: `)).toBe(true);
  expect(e.message).not.toMatch(/\n/);
}

const relClose = (actual: number, expected: number, tol = 1e-9): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
};

// A few real processes (~2 s of CPU each), started together once for the whole file.
const spawned: Record<string, Promise<CliResult>> = {};
function cli(name: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  spawned[name] = runCli(['certify', ...args], env);
}

beforeAll(() => {
  cli('json', [LQ64, '--json']);
  cli('malformed', [`${GAMES}/malformed.json.txt`]);
  cli('yaml-tag', [`${GAMES}/unresolved-tag.yaml`]);
  cli('c4-negative', [VALID, '--c4', '-1']);
  cli('too-big', [LQ64], { SGN_MAX_INPUT_BYTES: '100' });
});

/** A refused input: exit 2, nothing on stdout, exactly one line on stderr naming `field`. */
async function expectRefused(name: string, field: string): Promise<string> {
  const r = await spawned[name];
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.startsWith(`sgn certify: ${field}: `)).toBe(true);
  return r.stderr;
}

describe('sgn certify lq64 (the paper game at lambda = 1)', () => {
  it('--json prints exactly one JSON object with the whole certificate', async () => {
    const r = await spawned.json;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const c = certificateJson.parse(JSON.parse(r.stdout));

    expect(c.certified).toBe(true);
    expect(c.reason).toBeNull();
    expect(c.dims).toEqual([32, 32]);
    c.mu.forEach((m) => relClose(m, 1, 1e-9));
    expect(c.L).toHaveLength(2);
    c.L.forEach((row, i) => expect(row[i]).toBe(0));
    relClose(c.L[0][1], 10);
    relClose(c.L[1][0], 0.05);
    expect(c.gammaEuclidean).toBeLessThan(0); // the classical (Euclidean) test fails
    expect(c.certifiedBy).toEqual(['SGN']);
    expect(c.euclidean).toEqual({
      gamma: c.gammaEuclidean,
      beta: null,
      eulerStep: 0,
      rk4Step: 0,
      certified: false,
    });
    expect(c.weights[0]).toBe(1);

    const alphaMax = 1 - Math.sqrt(0.5);
    relClose(c.optimal.alpha, alphaMax, 1e-10);
    expect(c.optimal.weights[0]).toBe(1);
    relClose(c.optimal.weights[1], 200, 1e-9);
    // Without --weights the certificate is taken at the optimal weights.
    relClose(c.alpha, alphaMax, 1e-10);
    expect(c.weights).toEqual(c.optimal.weights);

    expect(c.band).not.toBeNull();
    expect(c.band!.rMinus.toPrecision(4)).toBe('34.31');
    expect(c.band!.rPlus.toPrecision(6)).toBe('1165.69');
    // Closed form: the roots of r^2 - 1200 r + 200^2, i.e. 600 -+ sqrt(600^2 - 200^2).
    relClose(c.band!.rMinus, 600 - Math.sqrt(320000), 1e-9);
    relClose(c.band!.rPlus, 600 + Math.sqrt(320000), 1e-9);

    expect(c.c4).toBe(2.5);
    relClose(c.eulerStep, (2 * c.alpha) / c.beta ** 2, 1e-12);
    relClose(c.rk4Step, 2.5 / c.beta, 1e-12);
    expect(c.linear).not.toBeNull();
    relClose(c.linear!.alphaTrue, alphaMax, 1e-8);
    expect(c.linear!.hStabEuler).toBeGreaterThan(c.eulerStep);
    expect(c.linear!.hStabRk4).toBeGreaterThan(0);
  });

  it('the readable summary says CERTIFIED and gives the margin, the steps and the band', () => {
    const text = certifyText([LQ64]);
    // SGN certifies, the Euclidean test fails: the verdict says which.
    expect(text.split('\n')[0]).toBe(
      'CERTIFIED (SGN only): gradient play contracts at rate 0.292893 in the SGN metric',
    );
    expect(text).not.toContain('Euclidean steps:');
    expect(text).toContain('Euclidean margin:   -4.025 (the classical test fails)');
    expect(text).toMatch(/SGN margin alpha: +0\.292893 +Lipschitz beta: 1\.70711/);
    expect(text).toMatch(/safe Euler step: +0\.20101\b/);
    expect(text).toMatch(/safe RK4 step: +1\.46447 +\(C4 \/ beta, C4 = 2\.5\)/);
    expect(text).toContain('optimal weights:    [1, 200] with alpha = 0.292893');
    expect(text).toContain('timescale band:     r = w2/w1 in (34.3146, 1165.69)');
    expect(text).not.toContain('NOT CERTIFIED');
  });

  it('--c4 scales the RK4 step only', () => {
    const base = certifyJson([LQ64]);
    const c = certifyJson([LQ64, '--c4', '3']);
    expect(c.c4).toBe(3);
    relClose(c.rk4Step, 3 / c.beta, 1e-12);
    relClose(c.rk4Step / base.rk4Step, 3 / 2.5, 1e-9);
    expect(c.eulerStep).toBe(base.eulerStep);
    expect(c.alpha).toBe(base.alpha);
  });

  it('--weights 0.005,1 reproduces the golden row at lambda = 1', () => {
    const golden = loadGolden();
    expect(golden.weights).toEqual([0.005, 1]);
    const row = golden.rows.find((g) => g.lam === 1);
    expect(row).toBeDefined();
    const c = certifyJson([LQ64, '--weights', golden.weights.join(',')]);
    expect(c.certified).toBe(true);
    expect(c.weights[0]).toBe(1); // reported normalised
    relClose(c.weights[1], 200, 1e-12);
    relClose(c.alpha, row!.alpha_sgn);
    relClose(c.beta, row!.beta);
    relClose(c.eulerStep, row!.euler_step);
    relClose(c.rk4Step, row!.rk4_step);
    relClose(c.gammaEuclidean, row!.gamma_euc);
    relClose(c.optimal.alpha, row!.alpha_max);
    relClose(c.L[0][1], row!.L12);
    relClose(c.L[1][0], row!.L21);
    relClose(c.linear!.alphaTrue, row!.alpha_true, 1e-8);
    relClose(c.linear!.hStabEuler, row!.h_stab_euler, 1e-8);
    relClose(c.linear!.hStabRk4, row!.h_stab_rk4, 1e-8);
    expect(row!.band_r).not.toBeNull();
    relClose(c.band!.rMinus, row!.band_r![0]);
    relClose(c.band!.rPlus, row!.band_r![1]);
  });

  it('--weights outside the band: not certified, zero steps, and the summary says why', () => {
    const c = certifyJson([LQ64, '--weights', '1,0.01']);
    expect(c.certified).toBe(false);
    expect(c.alpha).toBeLessThan(0);
    expect(c.eulerStep).toBe(0);
    expect(c.rk4Step).toBe(0);
    expect(c.weights).toEqual([1, 0.01]);
    expect(c.reason).toMatch(/outside the band/);
    expect(c.certifiedBy).toEqual([]); // nor does the Euclidean test (gamma < 0)

    const text = certifyText([LQ64, '--weights', '1,0.01']);
    expect(text.split('\n')[0]).toBe('NOT CERTIFIED');
    const why = text.split('\n').find((l) => l.trim().startsWith('why:'));
    expect(why).toContain('r = w2/w1 = 0.01 is outside the band (34.3146, 1165.69)');
    expect(why).toContain('the optimal weights [1, 200] certify');
    expect(text).toMatch(/safe Euler step: +0 /);
    expect(text).toMatch(/safe RK4 step: +0 /);
  });
});

describe('malformed game files', () => {
  /** Fixture → the field its one-line error names (a file path for unreadable / unparsable files). */
  const corpus: Record<string, { field: string; says: RegExp }> = {
    'malformed.json.txt': { field: `${GAMES}/malformed.json.txt`, says: /is not valid JSON/ },
    'empty.json': { field: `${GAMES}/empty.json`, says: /is not valid JSON/ },
    'not-an-object.json': { field: 'game', says: /must be an object/ },
    'null.json': { field: 'game', says: /must be an object/ },
    'unknown-family.json': { field: 'game.family', says: /unknown family "cubic"/ },
    'missing-family.json': { field: 'game.family', says: /is required/ },
    'unknown-field.json': { field: 'game.gamma', says: /unknown field/ },
    'non-square-H.json': { field: 'game.H', says: /must be square, got 2x3/ },
    'ragged-rows.json': { field: 'game.H[1]', says: /has 1 entries, expected 2/ },
    'dims-do-not-add-up.json': { field: 'game.dims', says: /add up to 3 but H is 2x2/ },
    'nan-string.json': { field: 'game.H[0][1]', says: /expected number, received string/ },
    'infinite-number.json': { field: 'game.H[1][0]', says: /Infinity/ },
    'one-player.json': { field: 'game.dims', says: /at least 2 players/ },
    'zero-dim.json': { field: 'game.dims[0]', says: /must be positive/ },
    'wrong-c-length.json': { field: 'game.c', says: /has 3 entries, expected 2/ },
    'wrong-R-shape.json': { field: 'game.R', says: /has 1 columns, expected 2/ },
    'non-integer-seed.json': { field: 'game.seed', says: /must be an integer/ },
    'wrong-coupling-shape.json': { field: 'game.coupling', says: /has 2 rows, expected 3/ },
    'bad-field.yaml': { field: 'game.lambda', says: /expected number, received string/ },
    'unresolved-tag.yaml': {
      field: `${GAMES}/unresolved-tag.yaml`,
      says: /is not valid YAML \(Unresolved tag/,
    },
    'duplicate-key.yaml': {
      field: `${GAMES}/duplicate-key.yaml`,
      says: /is not valid YAML \(Map keys must be unique/,
    },
  };

  it('the corpus covers every fixture but the valid one (and has at least 15)', () => {
    const files = readdirSync(abs(GAMES)).filter((f) => f !== 'valid-small.json');
    expect(files.sort()).toEqual(Object.keys(corpus).sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it('the valid fixture certifies (so the refusals below are about the defects)', () => {
    expect(certifyJson([VALID]).certified).toBe(true);
  });

  for (const [file, { field, says }] of Object.entries(corpus)) {
    it(`${file}: InputError naming ${field}`, () => {
      // Relative paths as a user types them (vitest runs from the project root).
      const e = inputError([`${GAMES}/${file}`]);
      expectOneLine(e, field);
      expect(e.problem).toMatch(says);
    });
  }

  it('paths that are not readable files', () => {
    expectOneLine(inputError([GAMES]), GAMES);
    expect(inputError([GAMES]).problem).toBe('is not a regular file');
    const missing = `${GAMES}/no-such-game.json`;
    expectOneLine(inputError([missing]), missing);
    expect(inputError([missing]).problem).toMatch(/cannot be read/);
  });

  it('SGN_MAX_INPUT_BYTES: a larger file is refused before parsing, naming the limit', () => {
    // The setting reaches the command in its configuration, as main() builds it.
    const config = loadConfig({ SGN_MAX_INPUT_BYTES: '10' });
    // Malformed too: the size, not the syntax, is what gets reported.
    const file = `${GAMES}/malformed.json.txt`;
    const e = commandInputError((argv, out) => runCertify(argv, out, config), [file], 'certify');
    expectOneLine(e, file);
    expect(e.problem).toMatch(/over the input limit of 10 \(SGN_MAX_INPUT_BYTES\)/);
  });
});

describe('bad flags', () => {
  const cases: [args: string[], field: string, says: RegExp][] = [
    [['--weights', '1'], '--weights', /has 1 entries, the game has 2 players/],
    [['--weights', '1,2,3'], '--weights', /has 3 entries/],
    [['--weights', '0,1'], '--weights[0]', /must be positive, got 0/],
    [['--weights', '1,0'], '--weights[1]', /must be positive, got 0/],
    [['--weights=1,-2'], '--weights[1]', /must be positive, got -2/],
    [['--weights', '1,abc'], '--weights[1]', /must be a finite number, got "abc"/],
    [['--weights', '1,'], '--weights[1]', /must be a finite number/],
    [['--weights', '1,Infinity'], '--weights[1]', /must be a finite number/],
    [['--weights', '1e-200,1e200'], '--weights', /over the limit/],
    [['--weights', '1,1e-320'], '--weights', /over the limit/],
    [['--c4', '0'], '--c4', /must be positive, got 0/],
    [['--c4', 'x'], '--c4', /must be a finite number/],
    [['--c4', '-1'], 'certify', /'--c4' argument is ambiguous/],
    [['--ground-truth', 'sometimes'], '--ground-truth', /must be auto, always or never/],
    [['--bogus'], 'certify', /Unknown option '--bogus'/],
    [['extra.json'], 'certify', /expects one game file/],
  ];
  for (const [args, field, says] of cases) {
    it(`${args.join(' ')}: InputError naming ${field}`, () => {
      const e = inputError([VALID, ...args]);
      expectOneLine(e, field);
      expect(e.problem).toMatch(says);
    });
  }

  it('no game file at all', () => {
    expectOneLine(inputError([]), 'certify');
  });

  it('the widest accepted weight spread still gives a finite certificate', () => {
    const c = certifyJson([VALID, '--weights', '1,1e300']);
    expect(c.certified).toBe(false);
    expect(Number.isFinite(c.alpha) && Number.isFinite(c.beta)).toBe(true);
  });
});

describe('refusals as a process: exit 2, one line on stderr naming the field, nothing on stdout', () => {
  it('malformed JSON', async () => {
    expect(await expectRefused('malformed', `${GAMES}/malformed.json.txt`)).toMatch(/is not valid JSON/);
  });
  it('a YAML tag (no multi-line YAMLWarning on stderr)', async () => {
    expect(await expectRefused('yaml-tag', `${GAMES}/unresolved-tag.yaml`)).toMatch(/Unresolved tag/);
  });
  it('a negative --c4 (node reports it over several lines: joined into one)', async () => {
    expect(await expectRefused('c4-negative', 'certify')).toMatch(/--c4/);
  });
  it('SGN_MAX_INPUT_BYTES=100', async () => {
    expect(await expectRefused('too-big', LQ64)).toMatch(
      /over the input limit of 100 \(SGN_MAX_INPUT_BYTES\)/,
    );
  });
});
