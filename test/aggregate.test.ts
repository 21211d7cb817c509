/**
 * `--aggregate`, `--x` and `--slice` as users run them (child processes) against a real
 * PostgreSQL: the pooled tables of `sweep results`, `sweep band` and `sgn report` against a direct
 * computation from the stored cells, the paper's random-suite figures, and refusals. The cells are
 * computed in-process by the functions the activities call and written by the same inserts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { resolveSpec } from '../sweep/resolve.js';
import type { ResolvedSweep } from '../sweep/resolved.js';
import { aggregateBandMaps } from '../activities/band-maps.js';
import { registerSweep, storeCertifyCells } from './support/stored-sweep.js';

const SEEDS = [12345, 13345, 14345, 15345, 16345];
const game = { file: join(projectRoot, 'examples', 'games', 'paper-random.json') };

/** The paper's random suite, 5 of its seeds x 4 lambdas, at its fixed weights with the true margins. */
const suite = resolveSpec(
  {
    name: 'suite',
    kind: 'certify',
    game: { ...game, seed: { values: SEEDS }, lambda: { linspace: [0, 2.5, 4] } },
    weights: { fixed: [0.005, 1] },
    certify: { groundTruth: 'always' },
  },
  { baseDir: projectRoot },
);
/** 3 seeds x 3 lambdas x 4 ratios: a band map per game. */
const banded = resolveSpec(
  {
    name: 'banded',
    kind: 'certify',
    game: { ...game, seed: { values: SEEDS.slice(0, 3) }, lambda: { values: [0.25, 0.75, 1.25] } },
    weights: { ratio: { geomspace: [10, 1000, 4] } },
  },
  { baseDir: projectRoot },
);

async function store(db: TestDatabase, id: string, resolved: ResolvedSweep): Promise<void> {
  await registerSweep(db.prisma, id, resolved);
  await storeCertifyCells(db.prisma, id, resolved);
  await aggregateBandMaps(db.prisma, id, resolved);
}

/** A CSV file's rows as objects (numbers where the cell is one; no quoted cells in these files). */
function readCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

/** Type 7 (np.percentile's default), written out here independently of report/stats.ts. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

function close(actual: string | undefined, expected: number): void {
  const a = Number(actual);
  expect(Math.abs(a - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    1e-12 * Math.max(1, Math.abs(expected)),
  );
}

describe('--aggregate, --x and --slice against the stored cells', () => {
  let db: TestDatabase;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const sgn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    db = await createTestDatabase({ label: 'aggregate' });
    tmp = mkdtempSync(join(tmpdir(), 'sgn-aggregate-'));
    env = { DATABASE_URL: db.url };
    await store(db, 'suite', suite);
    await store(db, 'banded', banded);
  });

  afterAll(async () => {
    await db?.drop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('sweep results --aggregate seed: per-lambda rates, medians and quartiles equal a direct computation', async () => {
    const r = await sgn('sweep', 'results', 'suite', '--aggregate', 'seed', '--format', 'csv');
    expect(r.code, r.stderr).toBe(0);
    const groups = readCsv(r.stdout);
    const stored = await db.prisma.cellResult.findMany({ where: { sweepId: 'suite' } });
    expect(stored).toHaveLength(20);
    const lambdas = [...new Set(stored.map((c) => (c.params as Record<string, number>).lambda))];
    expect(groups.map((g) => Number(g.lambda))).toEqual(lambdas);
    for (const g of groups) {
      const cells = stored.filter((c) => (c.params as Record<string, number>).lambda === Number(g.lambda));
      expect(Number(g.cells)).toBe(SEEDS.length);
      expect(Number(g.failed)).toBe(0);
      const frac = (f: (c: (typeof cells)[number]) => boolean) => cells.filter(f).length / cells.length;
      expect(Number(g.certifiedRate)).toBe(frac((c) => c.certified));
      expect(Number(g.euclideanRate)).toBe(frac((c) => c.gammaEuclidean! > 0));
      expect(Number(g.trueRate)).toBe(frac((c) => c.alphaTrue! > 0));
      const series: Record<string, number[]> = {
        alpha: cells.map((c) => c.alpha!),
        alphaTrue: cells.map((c) => c.alphaTrue!),
        gammaEuclidean: cells.map((c) => c.gammaEuclidean!),
        marginRatio: cells.filter((c) => c.alphaTrue! > 0).map((c) => c.alpha! / c.alphaTrue!),
        log10StepRatioRk4: cells
          .filter((c) => c.rk4Step! > 0 && c.hStabRk4! > 0)
          .map((c) => Math.log10(c.rk4Step! / c.hStabRk4!)),
      };
      for (const [name, xs] of Object.entries(series)) {
        expect(Number(g[`${name}_n`])).toBe(xs.length);
        if (xs.length === 0) continue;
        close(g[`${name}_median`], percentile(xs, 50));
        close(g[`${name}_q1`], percentile(xs, 25));
        close(g[`${name}_q3`], percentile(xs, 75));
        close(g[`${name}_mean`], xs.reduce((s, x) => s + x, 0) / xs.length);
      }
    }
    // The suite certifies at small lambda and not at the largest: the rates move.
    expect(Number(groups[0].certifiedRate)).toBe(1);
    expect(Number(groups[3].certifiedRate)).toBe(0);

    const table = await sgn('sweep', 'results', 'suite', '--aggregate', 'seed');
    expect(table.code, table.stderr).toBe(0);
    // Labels at the axis precision: linspace(0, 2.5, 4)[1] = 0.8333333333333334.
    expect(table.stdout).toMatch(/^0\.833333 +5 +0 +1 /m);
    expect(table.stdout).toContain('4 groups pooled over seed');
    const json = await sgn(
      'sweep',
      'results',
      'suite',
      '--aggregate',
      'seed',
      '--format',
      'json',
      '--where',
      'lambda<=0.9',
    );
    if (json.code === 0) {
      const parsed = JSON.parse(json.stdout) as {
        params: Record<string, number>;
        stats: Record<string, unknown>;
      }[];
      expect(parsed.length).toBeGreaterThan(0);
      expect(parsed[0].stats.alpha).toBeTruthy();
    } else {
      // This branch's --where takes equality only.
      const eq = await sgn(
        'sweep',
        'results',
        'suite',
        '--aggregate',
        'seed',
        '--format',
        'json',
        '--where',
        'lambda=0',
      );
      expect(eq.code, eq.stderr).toBe(0);
      const parsed = JSON.parse(eq.stdout) as { params: Record<string, number>; cells: number }[];
      expect(parsed).toEqual([expect.objectContaining({ params: { lambda: 0 }, cells: 5 })]);
    }
  });

  it("sgn report --aggregate seed draws the paper's three random-suite figures and writes aggregate.csv", async () => {
    const dir = join(tmp, 'suite-report');
    const r = await sgn('report', 'suite', '--aggregate', 'seed', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    const written = readdirSync(dir);
    for (const f of ['certification-rates', 'margin-ratios', 'step-ratios-rk4', 'margins'])
      for (const ext of ['svg', 'png', 'vl.json']) expect(written).toContain(`${f}.${ext}`);
    expect(written).toContain('aggregate.csv');
    // The same table as sweep results --aggregate.
    const results = await sgn('sweep', 'results', 'suite', '--aggregate', 'seed', '--format', 'csv');
    expect(readFileSync(join(dir, 'aggregate.csv'), 'utf8').trim()).toBe(results.stdout.trim());
    const rates = readFileSync(join(dir, 'certification-rates.svg'), 'utf8');
    for (const t of [
      'Euclidean (γ &gt; 0)',
      'SGN (α &gt; 0)',
      'true margin (α_true &gt; 0)',
      'coupling strength λ',
    ])
      expect(rates).toContain(t);
    // One dot per game with a positive true margin (the third layer: rules, band, dots).
    const withTrue = await db.prisma.cellResult.count({ where: { sweepId: 'suite', alphaTrue: { gt: 0 } } });
    const ratios = readFileSync(join(dir, 'margin-ratios.svg'), 'utf8');
    const dots = /<g class="mark-symbol role-mark layer_2_marks"[^>]*>(.*?)<\/g>/s.exec(ratios)![1];
    expect(dots.match(/<path /g)).toHaveLength(withTrue);
    const spec = JSON.parse(readFileSync(join(dir, 'step-ratios-rk4.vl.json'), 'utf8')) as {
      layer: { data: { values: { median?: number }[] } }[];
    };
    // The median line's values are the table's.
    const table = readCsv(readFileSync(join(dir, 'aggregate.csv'), 'utf8'));
    const medians = spec.layer[4].data.values.map((v) => v.median);
    expect(medians).toEqual(
      table.filter((g) => g.log10StepRatioRk4_median !== '').map((g) => Number(g.log10StepRatioRk4_median)),
    );
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(page).toContain('Pooled over seed');
  });

  it('sweep band --aggregate seed and --slice: the pooled and the held band map tables', async () => {
    const pooled = join(tmp, 'pooled.csv');
    const r = await sgn('sweep', 'band', 'banded', '--aggregate', 'seed', '--out', pooled);
    expect(r.code, r.stderr).toBe(0);
    const rows = readCsv(readFileSync(pooled, 'utf8'));
    expect(rows).toHaveLength(3 * 4);
    const stored = await db.prisma.cellResult.findMany({ where: { sweepId: 'banded' } });
    for (const row of rows) {
      const cells = stored.filter((c) => {
        const p = c.params as Record<string, number>;
        return p.lambda === Number(row.lambda) && p.ratio === Number(row.ratio);
      });
      expect(cells).toHaveLength(3);
      expect(Number(row.games)).toBe(3);
      close(
        row.alpha_median,
        percentile(
          cells.map((c) => c.alpha!),
          50,
        ),
      );
      close(
        row.alpha_q1,
        percentile(
          cells.map((c) => c.alpha!),
          25,
        ),
      );
      expect(Number(row.certifiedRate)).toBe(cells.filter((c) => c.certified).length / 3);
      close(
        row.optimalRatio_median,
        percentile(
          cells.map((c) => c.optimalRatio!),
          50,
        ),
      );
    }
    const held = join(tmp, 'held.csv');
    const h = await sgn('sweep', 'band', 'banded', '--slice', 'seed=13345', '--out', held);
    expect(h.code, h.stderr).toBe(0);
    const one = readCsv(readFileSync(held, 'utf8'));
    expect(one).toHaveLength(3 * 4);
    expect(new Set(one.map((x) => x.seed))).toEqual(new Set(['13345']));
    for (const row of one) {
      const c = stored.find((s) => {
        const p = s.params as Record<string, number>;
        return p.seed === 13345 && p.lambda === Number(row.lambda) && p.ratio === Number(row.ratio);
      })!;
      expect(Number(row.alpha_median)).toBe(c.alpha);
    }
  });

  it('--x and --slice choose what the figures draw', async () => {
    // Default: lambda on x (a seed axis is not drawn against), slice seed=12345 noted.
    const dflt = join(tmp, 'banded-default');
    const d = await sgn('report', 'banded', '--out', dflt);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('shows the slice seed=12345 (1 of 3;');
    expect(readFileSync(join(dflt, 'band-map.svg'), 'utf8')).toContain('coupling strength λ');
    // seed on x at lambda = 0.75: the band map's columns are the 3 seeds.
    const dir = join(tmp, 'banded-x-seed');
    const r = await sgn('report', 'banded', '--x', 'seed', '--slice', 'lambda=0.75', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('shows the slice');
    const svg = readFileSync(join(dir, 'band-map.svg'), 'utf8');
    expect(svg).toContain('game parameter seed');
    expect(svg).toContain('banded (lambda=0.75)');
    const spec = JSON.parse(readFileSync(join(dir, 'band-map.vl.json'), 'utf8')) as {
      layer: { data: { values: { param: number; at: Record<string, number> }[] } }[];
    };
    const cells = spec.layer[0].data.values;
    expect(cells).toHaveLength(3 * 4);
    expect(new Set(cells.map((c) => c.param))).toEqual(new Set(SEEDS.slice(0, 3)));
    expect(cells.every((c) => c.at.lambda === 0.75)).toBe(true);
  });

  it('one value of the x axis held: the band as a curve against the ratio, not a one-column map', async () => {
    const dir = join(tmp, 'banded-one-game');
    const r = await sgn('report', 'banded', '--slice', 'lambda=0.75', '--slice', 'seed=13345', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'band-map.svg'))).toBe(false);
    const spec = JSON.parse(readFileSync(join(dir, 'band-1d.vl.json'), 'utf8')) as {
      title: { text: string; subtitle: string };
      layer: { data: { values: { r?: number; margin?: number; from?: number; to?: number }[] } }[];
    };
    expect(spec.title.text).toBe('banded (lambda=0.75, seed=13345): timescale band');
    const game = (await db.prisma.cellResult.findMany({ where: { sweepId: 'banded' } }))
      .filter((c) => {
        const p = c.params as Record<string, number>;
        return p.lambda === 0.75 && p.seed === 13345;
      })
      .sort((a, b) => (a.params as { ratio: number }).ratio - (b.params as { ratio: number }).ratio);
    expect(game).toHaveLength(4);
    // The curve is the stored alpha_* of that game at each ratio; the edges are its stored band.
    const curve = spec.layer[3].data.values;
    expect(curve.map((p) => p.r)).toEqual(game.map((c) => (c.params as { ratio: number }).ratio));
    expect(curve.map((p) => p.margin)).toEqual(game.map((c) => c.alpha));
    const [minus, plus] = [game[0].bandMinus!, game[0].bandPlus!];
    expect(spec.title.subtitle).toBe(`band r− = ${minus.toPrecision(4)}, r+ = ${plus.toPrecision(4)}`);
    // sweep band draws the same curve; holding lambda alone leaves the seeds as the map's columns.
    const svg = join(tmp, 'one-game.svg');
    const b = await sgn(
      'sweep',
      'band',
      'banded',
      '--slice',
      'lambda=0.75',
      '--slice',
      'seed=13345',
      '--out',
      svg,
    );
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('4 cells, band edges of 1 game');
    const text = readFileSync(svg, 'utf8');
    expect(text).toContain('banded (lambda=0.75, seed=13345): timescale band');
    expect(text).toContain(`band r− = ${minus.toPrecision(4)}, r+ = ${plus.toPrecision(4)}`);
    const map = join(tmp, 'seeds.svg');
    expect((await sgn('sweep', 'band', 'banded', '--slice', 'lambda=0.75', '--out', map)).code).toBe(0);
    expect(readFileSync(map, 'utf8')).toContain('banded (lambda=0.75): timescale band α*(seed, r)');
  });

  it('refuses an unknown axis or value in one line naming the valid ones, and writes nothing', async () => {
    const dir = join(tmp, 'never');
    const png = join(tmp, 'never.png');
    const [a, b, c, e] = await Promise.all([
      sgn('report', 'suite', '--aggregate', 'trial', '--out', dir),
      sgn('sweep', 'band', 'banded', '--slice', 'lambda=0.7', '--out', png),
      sgn('sweep', 'results', 'suite', '--aggregate', 'ratio'),
      sgn('report', 'banded', '--x', 'ratio', '--out', dir),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      'sgn report: --aggregate: "trial" is not an axis of sweep "suite" (its axes: seed, lambda)\n',
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      'sgn sweep: --slice lambda: "0.7" is not a value of the axis (its values: 0.25, 0.75, 1.25)\n',
    );
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('"ratio" is not an axis of sweep "suite"');
    expect(e.code).toBe(2);
    expect(e.stderr).toBe("sgn report: --x: ratio is the band map's vertical axis; --x takes seed, lambda\n");
    for (const x of [a, b, c, e]) expect(x.stdout).toBe('');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(png)).toBe(false);
  });
});
