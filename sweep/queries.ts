/** Reading stored results back: filtered cell results and band maps. */
import type { PrismaClient, Prisma } from '../db/client.js';
import { InputError } from '../sgn/util/errors.js';

export interface ResultRow {
  cellIndex: number;
  cellKey: string;
  params: Record<string, number>;
  certified: boolean;
  alpha: number | null;
  beta: number | null;
  eulerStep: number | null;
  rk4Step: number | null;
  weights: number[];
  alphaTrue: number | null;
  gammaEuclidean: number | null;
  optimalAlpha: number | null;
  optimalRatio: number | null;
  bandMinus: number | null;
  bandPlus: number | null;
  hStabEuler: number | null;
  hStabRk4: number | null;
  mu: number[];
  L: unknown;
  error: string | null;
}

export const RESULT_CSV_HEADER = [
  'cellIndex',
  'cellKey',
  'certified',
  'alpha',
  'beta',
  'eulerStep',
  'rk4Step',
  'alphaTrue',
  'gammaEuclidean',
  'optimalAlpha',
  'optimalRatio',
  'bandMinus',
  'bandPlus',
  'hStabEuler',
  'hStabRk4',
  'weights',
  'mu',
  'L',
  'params',
  'error',
] as const;

export const BAND_CSV_HEADER = [
  'param',
  'paramValue',
  'ratio',
  'alpha',
  'rMinus',
  'rPlus',
  'optimalRatio',
  'alphaMax',
];

export interface WhereClause {
  key: string;
  value: string;
}

/** `--where key=value`: key is `certified`, `cellKey`, `ratio`, `error`, or any sweep parameter (e.g. lambda). */
export function parseWhere(items: readonly string[]): WhereClause[] {
  return items.map((item, i) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--where[${i}]`, `must look like key=value, got "${item}"`);
    return { key: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim() };
  });
}

function toFilter(clauses: readonly WhereClause[]): Prisma.CellResultWhereInput[] {
  return clauses.map(({ key, value }) => {
    if (key === 'certified') {
      if (value !== 'true' && value !== 'false')
        throw new InputError(`--where ${key}`, 'must be true or false');
      return { certified: value === 'true' };
    }
    if (key === 'cellKey') return { cellKey: value };
    if (key === 'error') return value === 'none' ? { error: null } : { error: { not: null } };
    const v = Number(value);
    if (value === '' || !Number.isFinite(v))
      throw new InputError(`--where ${key}`, `must be a number, got "${value}"`);
    return { params: { path: [key], equals: v } };
  });
}

export async function resultRows(
  prisma: PrismaClient,
  sweepId: string,
  where: readonly WhereClause[],
  limit?: number,
): Promise<ResultRow[]> {
  const exists = await prisma.sweep.findUnique({ where: { id: sweepId }, select: { id: true } });
  if (!exists) throw new InputError('sweep', `no sweep with id "${sweepId}" (see: sgn sweep list)`);
  const rows = await prisma.cellResult.findMany({
    where: { sweepId, AND: toFilter(where) },
    orderBy: { cellIndex: 'asc' },
    take: limit,
  });
  return rows.map((r) => ({
    cellIndex: r.cellIndex,
    cellKey: r.cellKey,
    params: r.params as Record<string, number>,
    certified: r.certified,
    alpha: r.alpha,
    beta: r.beta,
    eulerStep: r.eulerStep,
    rk4Step: r.rk4Step,
    weights: r.weights,
    alphaTrue: r.alphaTrue,
    gammaEuclidean: r.gammaEuclidean,
    optimalAlpha: r.optimalAlpha,
    optimalRatio: r.optimalRatio,
    bandMinus: r.bandMinus,
    bandPlus: r.bandPlus,
    hStabEuler: r.hStabEuler,
    hStabRk4: r.hStabRk4,
    mu: r.mu,
    L: r.couplingL,
    error: r.error,
  }));
}

export async function bandMapRows(prisma: PrismaClient, sweepId: string) {
  return prisma.bandMap.findMany({
    where: { sweepId },
    orderBy: [{ paramName: 'asc' }, { paramValue: 'asc' }],
    select: {
      paramName: true,
      paramValue: true,
      ratios: true,
      alphas: true,
      rMinus: true,
      rPlus: true,
      optimalRatio: true,
      alphaMax: true,
      certifiedFraction: true,
    },
  });
}
