/**
 * `sgn sweep compare A B` against a real PostgreSQL (issue 21, point 6): two sweeps of one game
 * over the same axes, two versions of one game (mu0 = 1 vs 0.6: weaker own-curvature), stored by the functions
 * the activities call. The CSV's differences are checked against B - A computed directly from
 * the stored cell rows, matched by their params; axes that differ are refused in one line.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { runCli } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { resolveSpec } from '../sweep/resolve.js';
import type { ResolvedSweep } from '../sweep/resolved.js';
import { registerSweep, storeCertifyCells } from './support/stored-sweep.js';

const spec = (mu0: number, points = 6): ResolvedSweep =>
  resolveSpec(
    {
      kind: 'certify',
      game: {
        family: 'quadratic',
        generator: 'random',
        dims: [3, 3],
        mu0,
        coupling: 1,
        seed: 5,
        lambda: { linspace: [0, 1.5, points] },
      },
      weights: { ratio: { geomspace: [0.1, 10, 5] } },
    },
    { baseDir: projectRoot },
  );

let db: TestDatabase;
const tmp = mkdtempSync(join(tmpdir(), 'sgn-compare-'));

async function store(id: string, resolved: ResolvedSweep, from = 0, to = resolved.totalCells): Promise<void> {
  await registerSweep(db.prisma, id, resolved);
  await storeCertifyCells(db.prisma, id, resolved, from, to);
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'compare' });
  await store('a', spec(1));
  await store('b', spec(0.6));
  await store('other', spec(1, 7));
  // A sweep of B's game with cells 10..19 of 30 stored (one still running, say).
  await store('part', spec(0.6), 10, 20);
}, 120_000);

afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

it('differences B - A per cell match the stored cells; the map is drawn; other axes are refused', async () => {
  const env = { DATABASE_URL: db.url };
  const map = join(tmp, 'diff.png');
  const r = await runCli(['sweep', 'compare', 'a', 'b', '--format', 'csv', '--out', map], env);
  expect(r.code, r.stderr).toBe(0);
  const [head, ...lines] = r.stdout.trim().split('\n');
  expect(head).toBe(
    'lambda,ratio,alphaA,alphaB,alphaDiff,betaA,betaB,betaDiff,certifiedA,certifiedB,certifiedDiff',
  );
  const csv = new Map(
    lines.map((l) => {
      const v = l.split(',').map(Number);
      return [`${v[0]},${v[1]}`, v];
    }),
  );

  // Direct: the stored rows of each sweep, keyed by their params.
  const stored = async (id: string) =>
    new Map(
      (await db.prisma.cellResult.findMany({ where: { sweepId: id } })).map((c) => {
        const p = c.params as { lambda: number; ratio: number };
        return [`${p.lambda},${p.ratio}`, c];
      }),
    );
  const [a, b] = [await stored('a'), await stored('b')];
  expect(a.size).toBe(30);
  let differing = 0;
  let maxAlpha = 0;
  let flips = 0;
  for (const [key, ca] of a) {
    const cb = b.get(key)!;
    const dAlpha = cb.alpha! - ca.alpha!;
    const dBeta = cb.beta! - ca.beta!;
    const dCert = Number(cb.certified) - Number(ca.certified);
    maxAlpha = Math.max(maxAlpha, Math.abs(dAlpha));
    if (dCert !== 0) flips++;
    if (dAlpha === 0 && dBeta === 0 && dCert === 0) {
      expect(csv.has(key)).toBe(false);
      continue;
    }
    differing++;
    const v = csv.get(key)!;
    // CSV numbers are JavaScript's shortest round-trip text: exact.
    expect(v[4]).toBe(dAlpha);
    // Independent: Q_i = B^T B + mu0 I, so lowering mu0 by 0.4 lowers the margin by 0.4 (float noise only).
    expect(Math.abs(dAlpha + 0.4)).toBeLessThan(1e-12);
    expect(v[7]).toBe(dBeta);
    expect(v[10]).toBe(dCert);
  }
  expect(differing).toBe(csv.size);
  expect(differing).toBeGreaterThan(0);
  expect(r.stderr).toContain(`compared 30 cells of a (A) and b (B)`);
  expect(r.stderr).toContain(`certified: ${flips} cells flip`);
  expect(r.stderr).toMatch(
    new RegExp(`alpha: max \\|B - A\\| = ${String(Number(maxAlpha.toPrecision(6))).replace('.', '\\.')} at`),
  );
  expect(readFileSync(map).subarray(0, 4).toString('hex')).toBe('89504e47');

  // The certified flips' map: one rect per cell, and its table lists exactly the flips.
  const svg = join(tmp, 'flips.svg');
  const f = await runCli(['sweep', 'compare', 'a', 'b', '--output', 'certified', '--out', svg], env);
  expect(f.code, f.stderr).toBe(0);
  expect(
    f.stdout
      .trim()
      .split('\n')
      .filter((l) => /-1$/.test(l)),
  ).toHaveLength(flips);
  expect((readFileSync(svg, 'utf8').match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(30);

  // Cells stored in one sweep only are counted, not compared; the rest compare as with b.
  const part = await runCli(['sweep', 'compare', 'a', 'part', '--format', 'csv'], env);
  expect(part.code, part.stderr).toBe(0);
  expect(part.stderr).toContain('compared 10 cells of a (A) and part (B)');
  expect(part.stderr).toContain('note: 20 cells stored only in a, 0 only in part (not compared)');
  // Its differing rows: those of a vs b at the cells part stores, in the same order.
  const partKeys = new Set((await stored('part')).keys());
  expect(partKeys.size).toBe(10);
  expect(part.stdout.trim().split('\n').slice(1)).toEqual(
    lines.filter((l) => partKeys.has(l.split(',').slice(0, 2).join(','))),
  );
  const reversed = await runCli(['sweep', 'compare', 'part', 'a'], env);
  expect(reversed.stdout).toContain('note: 0 cells stored only in part, 20 only in a (not compared)');

  const refused = await runCli(['sweep', 'compare', 'a', 'other'], env);
  expect(refused.code).toBe(2);
  expect(refused.stdout).toBe('');
  expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  expect(refused.stderr).toContain('axis lambda differs');
}, 120_000);
