/**
 * The `--where` language of stored results, pure: `name op value` with op one of
 * `= != < <= > >=`, several conditions ANDed. A name is a swept parameter (an axis of the sweep)
 * or a stored output: `certified` (yes/no), a number (alpha, beta, ..., `mu_2`, `weights_1`,
 * `L_1_2`), `error` (any / none / text it contains) or `cellKey`; step-size runs have outputs of
 * their own (RUN_OUTPUTS: integrator, multiplier, step, convergedFraction, ...). query-sql.ts
 * turns the conditions into SQL.
 */
import { InputError } from '../sgn/util/errors.js';
import { axisLength, axisValue, axisValueNear, type Axis } from './axes.js';
import { maxOf, minOf } from '../sgn/util/extremes.js';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Where a number output is stored: a float8 column, an element of a float8[] column, or of coupling_l. */
export type NumberSource =
  | { readonly column: string }
  | { readonly array: 'mu' | 'weights'; readonly index: number }
  | { readonly matrix: 'coupling_l'; readonly row: number; readonly col: number };

export type Condition = { readonly text: string } & (
  | {
      readonly kind: 'param';
      readonly name: string;
      readonly op: Op;
      /** The axis value the number given stands for (axisValueNear), else the number itself. */
      readonly value: number;
      readonly axis: Axis | null;
    }
  | {
      readonly kind: 'number';
      readonly name: string;
      readonly source: NumberSource;
      readonly op: Op;
      readonly value: number | 'nan' | 'null';
    }
  | { readonly kind: 'certified'; readonly op: '=' | '!='; readonly value: boolean }
  | {
      readonly kind: 'error';
      readonly op: '=' | '!=';
      readonly value: { readonly any: boolean } | { readonly contains: string };
    }
  | { readonly kind: 'cellKey'; readonly op: '=' | '!='; readonly value: string }
  | { readonly kind: 'file'; readonly name: string; readonly op: '=' | '!='; readonly value: string }
  | {
      readonly kind: 'text';
      readonly name: string;
      readonly column: string;
      readonly op: '=' | '!=';
      readonly value: string;
    }
);

/** A certificate's scalar outputs (one number each, null where not computed), in table order. */
export const CELL_SCALARS = [
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
] as const;
export type CellScalar = (typeof CELL_SCALARS)[number];

/** Scalar outputs stored in a column of their own, by the name tables and CSV give them. */
export const NUMBER_OUTPUTS: Readonly<Record<'cellIndex' | CellScalar, string>> = {
  cellIndex: 'cell_index',
  alpha: 'alpha',
  beta: 'beta',
  eulerStep: 'euler_step',
  rk4Step: 'rk4_step',
  alphaTrue: 'alpha_true',
  gammaEuclidean: 'gamma_euclidean',
  optimalAlpha: 'optimal_alpha',
  optimalRatio: 'optimal_ratio',
  bandMinus: 'band_minus',
  bandPlus: 'band_plus',
  hStabEuler: 'h_stab_euler',
  hStabRk4: 'h_stab_rk4',
};

/**
 * The outputs one kind of stored result has, as --where names them: a cell's certificate
 * (cell_results) or a step-size run (stepsize_results: one row per game, integrator and step).
 */
export interface OutputNames {
  /** What one result is called in messages. */
  readonly noun: 'cell' | 'run';
  /** Number outputs by name -> their column (query-sql.ts holds each column's SQL). */
  readonly numbers: Readonly<Record<string, string>>;
  /** Text outputs compared whole with = or != (the integrator), by name -> column. */
  readonly texts: Readonly<Record<string, string>>;
  /** Whether `certified`, and the vectors mu_i, weights_i, L_i_j, are outputs. */
  readonly certificate: boolean;
}

export const CELL_OUTPUTS: OutputNames = {
  noun: 'cell',
  numbers: NUMBER_OUTPUTS,
  texts: {},
  certificate: true,
};

/** A step-size run's number outputs (cellIndex is the index of the run's game). */
export const RUN_NUMBER_OUTPUTS: Readonly<Record<string, string>> = {
  cellIndex: 'cell_index',
  multiplier: 'multiplier',
  step: 'step',
  certifiedStep: 'certified_step',
  exactThreshold: 'exact_threshold',
  convergedFraction: 'converged_fraction',
  empiricalFactor: 'empirical_factor',
  predictedFactor: 'predicted_factor',
  spectralRadius: 'spectral_radius',
  gammaEuclidean: 'gamma_euclidean',
};

export const RUN_OUTPUTS: OutputNames = {
  noun: 'run',
  numbers: RUN_NUMBER_OUTPUTS,
  texts: { integrator: 'integrator' },
  certificate: false,
};

function outputNames(outputs: OutputNames): string {
  return [
    ...(outputs.certificate ? ['certified'] : []),
    'error',
    'cellKey',
    ...Object.keys(outputs.texts),
    ...Object.keys(outputs.numbers),
    ...(outputs.certificate ? ['mu_i', 'weights_i', 'L_i_j'] : []),
  ].join(', ');
}

/**
 * The parameters a sweep's conditions may name, with their axes (null: an axis the spec does not
 * describe); `null` for a sweep whose spec lists no axes, where any name that is not an output
 * is read from the cell's params.
 */
export type QueryParams = ReadonlyMap<string, Axis | FileParam | null> | null;

/** A file axis (`game.file` swept): its files' names; cells hold the name, compared as text. */
export interface FileParam {
  readonly files: readonly string[];
}

const CONDITION = /^\s*([A-Za-z_][\w.-]*?)\s*(<=|>=|!=|=|<|>)(.*)$/s;

/** Splits `name op value`; InputError naming the condition when it has no operator. */
export function splitCondition(text: string): { name: string; op: Op; value: string } {
  const m = CONDITION.exec(text);
  if (!m)
    throw new InputError(
      `--where ${JSON.stringify(text)}`,
      'must look like name op value, op one of = != < <= > >= (e.g. lambda<=0.5, certified=yes)',
    );
  return { name: m[1], op: m[2] as Op, value: m[3].trim() };
}

/** The syntax of every condition, checked before anything is read. */
export function checkWhereSyntax(items: readonly string[]): void {
  for (const t of items) splitCondition(t);
}

export function parseWhere(
  items: readonly string[],
  params: QueryParams,
  outputs: OutputNames = CELL_OUTPUTS,
): Condition[] {
  return items.map((text) => parseCondition(text, params, outputs));
}

function parseCondition(text: string, params: QueryParams, outputs: OutputNames): Condition {
  const { name, op, value } = splitCondition(text);
  const fail = (problem: string): InputError => new InputError(`--where ${text}`, problem);
  const equality = (what: string): '=' | '!=' => {
    if (op !== '=' && op !== '!=') throw fail(`${what} takes = or != only`);
    return op;
  };
  if (params?.has(name)) {
    const domain = params.get(name) ?? null;
    if (domain !== null && 'files' in domain) {
      const fileOp = equality(name);
      if (!domain.files.includes(value)) {
        const n = domain.files.length;
        const shown = domain.files.slice(0, 5).join(', ');
        throw fail(`"${value}" is not one of the sweep's ${n} files (${shown}${n > 5 ? ', ...' : ''})`);
      }
      return { text, kind: 'file', name, op: fileOp, value };
    }
    const axis = domain;
    const v = finite(value);
    if (v === null) throw fail(`${name} is a parameter: the value must be a number, got "${value}"`);
    return { text, kind: 'param', name, op, value: (axis && axisValueNear(axis, v)) ?? v, axis };
  }
  if (name === 'certified' && outputs.certificate) {
    const v = { yes: true, true: true, no: false, false: false }[value.toLowerCase()];
    if (v === undefined) throw fail(`certified must be yes or no (or true/false), got "${value}"`);
    return { text, kind: 'certified', op: equality('certified'), value: v };
  }
  if (name === 'error') {
    const v = value === 'any' || value === '' ? { any: true } : value === 'none' ? { any: false } : null;
    return { text, kind: 'error', op: equality('error'), value: v ?? { contains: value } };
  }
  if (name === 'cellKey') return { text, kind: 'cellKey', op: equality('cellKey'), value };
  const textColumn = Object.hasOwn(outputs.texts, name) ? outputs.texts[name] : undefined;
  if (textColumn !== undefined)
    return { text, kind: 'text', name, column: textColumn, op: equality(name), value };
  const source = numberSource(name, outputs);
  if (source) {
    const lower = value.toLowerCase();
    if (lower === 'nan' || lower === 'null')
      return { text, kind: 'number', name, source, op: equality(`${name}=${lower}`), value: lower };
    const v = finite(value);
    if (v === null) throw fail(`${name} must be compared with a number (or nan, null), got "${value}"`);
    return { text, kind: 'number', name, source, op, value: v };
  }
  if (params === null) {
    const v = finite(value);
    if (v === null) throw fail(`${name} is a parameter: the value must be a number, got "${value}"`);
    return { text, kind: 'param', name, op, value: v, axis: null };
  }
  const names = [...params.keys()];
  throw fail(
    `"${name}" is neither a parameter of the sweep (${names.length ? names.join(', ') : 'it has none'}) nor an output of its ${outputs.noun}s (${outputNames(outputs)})`,
  );
}

function finite(text: string): number | null {
  const v = Number(text);
  return text !== '' && Number.isFinite(v) ? v : null;
}

/** `alpha` -> its column (of the outputs given); `mu_2`, `weights_1` -> an element (1-based); `L_1_2` -> coupling_l[1][2]. */
function numberSource(name: string, outputs: OutputNames): NumberSource | null {
  const column = Object.hasOwn(outputs.numbers, name) ? outputs.numbers[name] : undefined;
  if (column) return { column };
  if (!outputs.certificate) return null;
  const vector = /^(mu|weights)_([1-9]\d{0,5})$/.exec(name);
  if (vector) return { array: vector[1] as 'mu' | 'weights', index: Number(vector[2]) };
  const matrix = /^L_([1-9]\d{0,5})_([1-9]\d{0,5})$/.exec(name);
  if (matrix) return { matrix: 'coupling_l', row: Number(matrix[1]), col: Number(matrix[2]) };
  return null;
}

/**
 * Whether a parameter's condition ('param' or 'file') holds for a result with these parameters:
 * for results whose parameters have no column to compare in SQL (step-size runs: their game's
 * parameters follow from the sweep's axes).
 */
export function paramHolds(c: Condition, params: Readonly<Record<string, number | string>>): boolean {
  if (c.kind !== 'param' && c.kind !== 'file') throw new Error(`${c.text} is not on a parameter`);
  const v = params[c.name];
  if (c.kind === 'file') return (v === c.value) === (c.op === '=');
  if (typeof v !== 'number') return false;
  switch (c.op) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
  }
}

/**
 * The axis values on either side of `v` (one, at an end): what a user who wrote a value that is
 * not on the axis may have meant. Generated axes increase (checkAxis), so a bisection finds them.
 */
export function nearbyAxisValues(axis: Axis, v: number): number[] {
  const n = axisLength(axis);
  if (n === 0) return [];
  if ('values' in axis) {
    const below = axis.values.filter((x) => x <= v);
    const above = axis.values.filter((x) => x > v);
    return [...(below.length ? [maxOf(below)] : []), ...(above.length ? [minOf(above)] : [])];
  }
  // First index whose value exceeds v.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (axisValue(axis, mid) > v) hi = mid;
    else lo = mid + 1;
  }
  return [lo - 1, lo].filter((k) => k >= 0 && k < n).map((k) => axisValue(axis, k));
}

/** A number as tables print it (6 significant digits). */
export const printed = (x: number): string => String(Number(x.toPrecision(6)));
