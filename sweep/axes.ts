/**
 * Sweep axes: a list of values, or a generator (linspace / geomspace / range) read by index
 * without materialising, so a 10^7-value axis costs nothing until a cell is decoded.
 */

export type Axis =
  | { values: number[] }
  | { linspace: [number, number, number] }
  | { geomspace: [number, number, number] }
  | { range: [number, number, number] };

export const AXIS_KINDS = ['values', 'linspace', 'geomspace', 'range'] as const;
export type AxisKind = (typeof AXIS_KINDS)[number];

/** One validation problem, its path relative to the axis object (e.g. ['linspace', 2]). */
export interface AxisIssue {
  path: (string | number)[];
  message: string;
}

// Allowance for float noise in (b - a) / step, so range(0, 1, 0.1) has 10 values, not 11.
const RANGE_EPS = 1e-9;

export function axisKind(axis: Axis): AxisKind {
  if ('values' in axis) return 'values';
  if ('linspace' in axis) return 'linspace';
  if ('geomspace' in axis) return 'geomspace';
  return 'range';
}

function rangeCount(a: number, b: number, step: number): number {
  const n = Math.ceil((b - a) / step - RANGE_EPS);
  return n > 0 ? n : 0;
}

export function axisLength(axis: Axis): number {
  if ('values' in axis) return axis.values.length;
  if ('linspace' in axis) return axis.linspace[2];
  if ('geomspace' in axis) return axis.geomspace[2];
  const [a, b, step] = axis.range;
  return rangeCount(a, b, step);
}

/** The k-th value (0-based). Throws RangeError outside [0, length). */
export function axisValue(axis: Axis, k: number): number {
  const n = axisLength(axis);
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`axis index ${k} outside [0, ${n})`);
  if ('values' in axis) return axis.values[k];
  if ('linspace' in axis) {
    const [a, b] = axis.linspace;
    return linspaceValue(a, b, n, k);
  }
  if ('geomspace' in axis) {
    const [a, b] = axis.geomspace;
    if (k === 0) return a;
    if (k === n - 1) return b;
    // numpy: logspace(log10(a), log10(b)) = 10 ** linspace(...), endpoints reset to a and b.
    return pow10(linspaceValue(Math.log10(a), Math.log10(b), n, k));
  }
  const [a, , step] = axis.range;
  return a + k * step;
}

/** Materialises an axis; only for small axes (refuses more than `limit` values). */
export function axisValues(axis: Axis, limit = 1_000_000): number[] {
  const n = axisLength(axis);
  if (n > limit) throw new RangeError(`axis has ${n} values, over the materialisation limit of ${limit}`);
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) out[k] = axisValue(axis, k);
  return out;
}

/** numpy.linspace(a, b, n)[k] exactly: start + k*step, the last value set to stop. */
function linspaceValue(a: number, b: number, n: number, k: number): number {
  if (n === 1) return a;
  if (k === n - 1) return b;
  const div = n - 1;
  const delta = b - a;
  const step = delta / div;
  // numpy's denormal branch (gh-5437): k/div*delta when the step underflows to 0.
  if (step === 0) return (k / div) * delta + a;
  return k * step + a;
}

/**
 * The value on the axis that `v` stands for, or null: the nearest value when `v` agrees with it
 * to 6 significant digits (as tables print it) or lies within float noise of it. Lets a filter
 * written `lambda=0.3` find the cells stored at linspace's 0.30000000000000004. Reads at most
 * three values of a generated axis; a `values` list is scanned.
 */
export function axisValueNear(axis: Axis, v: number): number | null {
  const n = axisLength(axis);
  if (n === 0 || !Number.isFinite(v)) return null;
  const guess = nearestIndexGuess(axis, v, n);
  let best = -1;
  for (let k = Math.max(0, guess - 1); k <= Math.min(n - 1, guess + 1); k++)
    if (best < 0 || Math.abs(axisValue(axis, k) - v) < Math.abs(axisValue(axis, best) - v)) best = k;
  const g = axisValue(axis, best);
  const d = Math.abs(g - v);
  if (d === 0 || d <= 5e-6 * Math.abs(g)) return g;
  // Near zero relative agreement means nothing; compare with the distance to the neighbours.
  const spacing = Math.min(
    best > 0 ? Math.abs(g - axisValue(axis, best - 1)) : Infinity,
    best < n - 1 ? Math.abs(axisValue(axis, best + 1) - g) : Infinity,
  );
  return d <= 1e-9 * spacing ? g : null;
}

/** Index of the axis value nearest to v, give or take one (exact for `values`). */
function nearestIndexGuess(axis: Axis, v: number, n: number): number {
  if ('values' in axis) {
    let best = 0;
    axis.values.forEach((x, k) => {
      if (Math.abs(x - v) < Math.abs(axis.values[best] - v)) best = k;
    });
    return best;
  }
  let t: number;
  if ('linspace' in axis) {
    const [a, b] = axis.linspace;
    t = n === 1 ? 0 : ((v - a) / (b - a)) * (n - 1);
  } else if ('geomspace' in axis) {
    const [a, b] = axis.geomspace;
    t = n === 1 || !(v / a > 0) ? 0 : (Math.log(v / a) / Math.log(b / a)) * (n - 1);
  } else {
    const [a, , step] = axis.range;
    t = (v - a) / step;
  }
  return Number.isFinite(t) ? Math.min(n - 1, Math.max(0, Math.round(t))) : 0;
}

/**
 * Semantic checks of a structurally valid axis (finite numbers, integer counts already checked
 * by the schema): non-empty, not reversed, values distinct (equal values would give two cells
 * the same parameters and the same key).
 */
export function checkAxis(axis: Axis): AxisIssue | null {
  if ('values' in axis) {
    if (axis.values.length === 0) return { path: ['values'], message: 'must list at least one value' };
    const seen = new Map<number, number>();
    for (let i = 0; i < axis.values.length; i++) {
      const v = axis.values[i] === 0 ? 0 : axis.values[i]; // -0 and 0 are the same parameter
      const j = seen.get(v);
      if (j !== undefined) return { path: ['values', i], message: `repeats the value at index ${j} (${v})` };
      seen.set(v, i);
    }
    return null;
  }
  const kind = axisKind(axis);
  if (kind === 'range') {
    const [a, b, step] = (axis as { range: [number, number, number] }).range;
    if (step === 0) return { path: ['range', 2], message: 'step must not be zero' };
    if (!Number.isFinite(b - a)) return { path: ['range'], message: 'stop - start overflows' };
    const n = rangeCount(a, b, step);
    if (n === 0) {
      return {
        path: ['range'],
        message: `is empty or reversed: start ${a}, stop ${b} (excluded), step ${step}; the step must move start towards stop`,
      };
    }
    if (n > Number.MAX_SAFE_INTEGER) return { path: ['range'], message: `has too many values (${n})` };
    if (!distinctEnds(axis, n))
      return { path: ['range', 2], message: 'step is below the float resolution of the values' };
    return null;
  }
  const [a, b, n] =
    kind === 'linspace'
      ? (axis as { linspace: number[] }).linspace
      : (axis as { geomspace: number[] }).geomspace;
  if (kind === 'geomspace') {
    if (!(a > 0)) return { path: [kind, 0], message: 'must be > 0 (geomspace is log-spaced)' };
    if (!(b > 0)) return { path: [kind, 1], message: 'must be > 0 (geomspace is log-spaced)' };
  }
  if (!Number.isInteger(n) || n < 1) return { path: [kind, 2], message: 'must be a positive integer' };
  if (kind === 'linspace' && !Number.isFinite(b - a))
    return { path: [kind], message: 'stop - start overflows' };
  if (n > 1 && a === b)
    return { path: [kind], message: `start equals stop, so the ${n} values would all be equal` };
  if (!distinctEnds(axis, n))
    return { path: [kind], message: `start and stop are too close for ${n} distinct values` };
  return null;
}

// Spacing in floats is coarsest at the largest magnitude, which for monotone axes is an end.
function distinctEnds(axis: Axis, n: number): boolean {
  if (n < 2) return true;
  return axisValue(axis, 0) !== axisValue(axis, 1) && axisValue(axis, n - 2) !== axisValue(axis, n - 1);
}

/** Checks every value is > 0 (>= 0 with allowZero; monotone generated axes: checking both ends suffices). */
export function checkAxisPositive(axis: Axis, allowZero = false): AxisIssue | null {
  const ok = (v: number) => (allowZero ? v >= 0 : v > 0);
  const rule = allowZero ? 'must be >= 0' : 'must be > 0';
  if ('values' in axis) {
    const i = axis.values.findIndex((v) => !ok(v));
    return i < 0 ? null : { path: ['values', i], message: rule };
  }
  const kind = axisKind(axis);
  const n = axisLength(axis);
  const first = axisValue(axis, 0);
  const last = axisValue(axis, n - 1);
  if (!ok(first)) return { path: [kind, 0], message: rule };
  if (!ok(last)) {
    return kind === 'range'
      ? { path: [kind], message: `reaches ${last}; all values ${rule}` }
      : { path: [kind, 1], message: rule };
  }
  return null;
}

/** Index of the first non-integer value, or -1 (iterates: callers bound the length first). */
export function firstNonInteger(axis: Axis): number {
  const n = axisLength(axis);
  for (let k = 0; k < n; k++) if (!Number.isSafeInteger(axisValue(axis, k))) return k;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// 10 ** y, correctly rounded (double-double evaluation, ~2^-95 relative error before the final
// rounding). V8's Math.pow is off by one ulp for ~10% of arguments; NumPy's geomspace uses the C
// library's pow, which is correctly rounded in practice (glibc), so this reproduces its values.
// (NumPy builds dispatching np.power to AVX-512 SVML are themselves off by one ulp at times.)

const LOG2_10_HI = 3.321928094887362;
const LOG2_10_LO = 1.661617516973592e-16;
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const SPLITTER = 134217729; // 2^27 + 1 (Dekker split: JS has no fused multiply-add)
// 1/k! for k = 0..16 as double-doubles (from 60-digit decimals).
const INV_FACT_HI = [
  1.0, 1.0, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333, 0.001388888888888889,
  0.0001984126984126984, 2.48015873015873e-5, 2.7557319223985893e-6, 2.755731922398589e-7,
  2.505210838544172e-8, 2.08767569878681e-9, 1.6059043836821613e-10, 1.1470745597729725e-11,
  7.647163731819816e-13, 4.779477332387385e-14,
];
const INV_FACT_LO = [
  0.0, 0.0, 0.0, 9.25185853854297e-18, 2.3129646346357427e-18, 1.1564823173178714e-19, -5.300543954373577e-20,
  1.7209558293420705e-22, 2.1511947866775882e-23, -1.858393274046472e-22, 2.3767714622250297e-23,
  -1.448814070935912e-24, -1.20734505911326e-25, 1.2585294588752098e-26, 2.0655512752830745e-28,
  7.03872877733453e-30, 4.399205485834081e-31,
];

// Result registers of the double-double helpers: avoids allocating in a per-cell hot path.
let rh = 0;
let rl = 0;

function ddMul(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  let t = SPLITTER * ah;
  const ahh = t - (t - ah);
  const ahl = ah - ahh;
  t = SPLITTER * bh;
  const bhh = t - (t - bh);
  const bhl = bh - bhh;
  const q = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (ah * bl + al * bh);
  rh = p + q;
  rl = q - (rh - p);
}

function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  const e = ah - (s - bb) + (bh - bb) + al + bl;
  rh = s + e;
  rl = e - (rh - s);
}

export function pow10(y: number): number {
  if (!Number.isFinite(y) || Math.abs(y) > 300) return 10 ** y; // beyond any sane axis; keep it simple
  // 10^y = 2^m * exp(s), with y log2(10) = m + r, |r| <= 1/2, s = r ln 2.
  ddMul(y, 0, LOG2_10_HI, LOG2_10_LO);
  const m = Math.round(rh);
  ddAdd(rh - m, rl, 0, 0); // rh - m is exact (Sterbenz)
  ddMul(rh, rl, LN2_HI, LN2_LO);
  // exp(s) = exp(s/4)^4; Taylor to degree 16 at |s/4| <= 0.087 leaves ~1e-33.
  const sh = rh / 4;
  const sl = rl / 4;
  let eh = INV_FACT_HI[16];
  let el = INV_FACT_LO[16];
  for (let k = 15; k >= 0; k--) {
    ddMul(sh, sl, eh, el);
    ddAdd(rh, rl, INV_FACT_HI[k], INV_FACT_LO[k]);
    eh = rh;
    el = rl;
  }
  ddMul(eh, el, eh, el);
  ddMul(rh, rl, rh, rl);
  // |m| <= 997 here, so scaling by 2^m is exact.
  return (rh + rl) * 2 ** m;
}

/**
 * The first game axis (a perturbation's eps and trial count as game axes), else the region radius,
 * is "the swept parameter" that band maps are drawn against and cells store in game_param: a tanh
 * sweep over radius x ratio maps alpha_*(radius, r).
 */
export function gameParamName(sweep: {
  readonly axes: readonly { readonly name: string; readonly target: string; readonly files?: unknown }[];
}): string | null {
  // A numeric game axis first; else the file axis, drawn against the file's position in its list.
  return (
    sweep.axes.find((a) => (a.target === 'game' && a.files === undefined) || a.target === 'perturbation')
      ?.name ??
    sweep.axes.find((a) => a.target === 'game')?.name ??
    sweep.axes.find((a) => a.target === 'region')?.name ??
    null
  );
}

/**
 * A cell's value of the parameter `name` as a number: the value itself, or for the file axis the
 * file's position in its list (0, 1, ...: the glob's sorted order), what game_param stores and band
 * maps are drawn against. NaN when the name is no file of the axis.
 */
export function paramNumber(
  sweep: { readonly axes: readonly { readonly name: string; readonly files?: readonly string[] }[] },
  name: string,
  value: unknown,
): number {
  if (typeof value === 'number') return value;
  const files = sweep.axes.find((a) => a.name === name)?.files;
  const k = typeof value === 'string' && files ? files.indexOf(value) : -1;
  return k >= 0 ? k : Number.NaN;
}

/**
 * The values of a cell's game and region axes other than `main`, as `seed=3,mu0=2` (empty when
 * there are none): what tells apart the band maps of one sweep that share a swept parameter. A
 * band-map row's label is `main@slice` (or `main` alone), and reports read the slice back.
 */
export function gameSlice(
  sweep: { readonly axes: readonly { readonly name: string; readonly target: string }[] },
  params: Record<string, unknown>,
  main: string | null,
): string {
  return sweep.axes
    .filter((a) => a.target !== 'weights' && a.name !== main)
    .map((a) => `${a.name}=${String(params[a.name])}`)
    .join(',');
}

/**
 * A value of the axis as people read it: the shortest decimal within float noise of it (linspace's
 * 0.15000000000000002 prints 0.15), else 6 significant digits (0.41666666666666669 prints
 * 0.416667), as long as the label still names this value of the axis (axisValueNear gives it
 * back, as --where and --slice read numbers); otherwise the value in full.
 */
export function axisValueLabel(axis: Axis, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  let label = Number(v.toPrecision(6));
  for (let p = 1; p < 6; p++) {
    const short = Number(v.toPrecision(p));
    if (Math.abs(short - v) <= 1e-12 * Math.abs(v)) {
      label = short;
      break;
    }
  }
  return axisValueNear(axis, label) === v ? String(label) : String(v);
}
