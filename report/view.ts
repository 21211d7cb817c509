/**
 * Which part of a sweep a figure or table shows: `--x PARAM` (the horizontal axis), `--slice
 * PARAM=VALUE` (hold an axis at one value) and `--aggregate PARAM` (pool the cells over an axis
 * into per-group statistics). Any axis of the sweep may be named; a name or value that is not
 * the sweep's is refused naming the valid ones. Pure: no database, no rendering.
 */
import { InputError } from '../sgn/util/errors.js';
import { axisValueLabel, axisValueNear, axisValues } from '../sweep/axes.js';
import type { SweepAxis } from '../sweep/resolved.js';

export interface ViewOptions {
  readonly x?: string;
  /** `PARAM=VALUE` items. */
  readonly slice?: readonly string[];
  /** Axis names (an item may list several, comma-separated). */
  readonly aggregate?: readonly string[];
}

export interface View {
  /** The figures' horizontal axis (an axis other than the weights'), null when there is none. */
  readonly x: string | null;
  /** Axes pooled into groups. */
  readonly aggregate: readonly string[];
  /** --slice: axis name -> the axis value held. */
  readonly fixed: ReadonlyMap<string, number>;
  readonly axes: readonly SweepAxis[];
}

/** Axes that number replicates rather than vary a quantity. */
const REPLICATES = ['seed', 'trial'];

/** Values listed in a message before "...". */
const LISTED = 12;

function axisList(axes: readonly SweepAxis[]): string {
  return axes.length ? axes.map((a) => a.name).join(', ') : 'none';
}

function named(axes: readonly SweepAxis[], name: string, flag: string, sweep: string): SweepAxis {
  const a = axes.find((x) => x.name === name);
  if (!a)
    throw new InputError(flag, `"${name}" is not an axis of sweep "${sweep}" (its axes: ${axisList(axes)})`);
  return a;
}

/** The axis' values as labels, the first few when there are many. */
function valuesText(a: SweepAxis): string {
  const vs = axisValues(a.axis, Math.max(a.length, 1)).slice(0, LISTED);
  const text = vs.map((v) => axisValueLabel(a.axis, v)).join(', ');
  return a.length > LISTED ? `${text}, ... (${a.length} values)` : text;
}

/** Checks the options against the sweep's axes (InputError naming the flag otherwise). */
export function chooseView(axes: readonly SweepAxis[], opts: ViewOptions, sweep: string): View {
  const aggregate: string[] = [];
  for (const item of opts.aggregate ?? [])
    for (const name of item.split(',').map((s) => s.trim())) {
      if (name === '') throw new InputError('--aggregate', 'expects an axis name');
      named(axes, name, '--aggregate', sweep);
      if (!aggregate.includes(name)) aggregate.push(name);
    }
  const fixed = new Map<string, number>();
  for (const item of opts.slice ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError('--slice', `must look like PARAM=VALUE, got "${item}"`);
    const name = item.slice(0, eq).trim();
    const text = item.slice(eq + 1).trim();
    const a = named(axes, name, '--slice', sweep);
    if (aggregate.includes(name))
      throw new InputError(
        '--slice',
        `${name} is aggregated (--aggregate ${name}): it cannot also be held at a value`,
      );
    const v = Number(text);
    const value = text !== '' && Number.isFinite(v) ? axisValueNear(a.axis, v) : null;
    if (value === null)
      throw new InputError(
        `--slice ${name}`,
        `"${text}" is not a value of the axis (its values: ${valuesText(a)})`,
      );
    fixed.set(name, value);
  }
  const drawable = axes.filter((a) => a.target !== 'weights');
  let x: string | null;
  if (opts.x !== undefined) {
    const a = named(axes, opts.x, '--x', sweep);
    if (a.target === 'weights')
      throw new InputError(
        '--x',
        `${a.name} is the band map's vertical axis; --x takes ${axisList(drawable)}`,
      );
    if (aggregate.includes(a.name))
      throw new InputError(
        '--x',
        `${a.name} is aggregated (--aggregate ${a.name}): it cannot also be the x axis`,
      );
    x = a.name;
  } else {
    // The first axis neither pooled nor held, preferring one that is not a seed or trial number
    // (drawn against, those are noise: a seed x lambda sweep is drawn against lambda).
    const free = drawable.filter((a) => !aggregate.includes(a.name));
    const open = free.filter((a) => !fixed.has(a.name));
    const notReplicate = (list: readonly SweepAxis[]) => list.find((a) => !REPLICATES.includes(a.name));
    x = (notReplicate(open) ?? open[0] ?? notReplicate(free) ?? free[0])?.name ?? null;
  }
  return { x, aggregate, fixed, axes };
}

/** The view every figure had before the options: the first game axis on x, nothing pooled. */
export function defaultView(axes: readonly SweepAxis[], sweep: string): View {
  return chooseView(axes, {}, sweep);
}

/** `value` of axis `name` at the axis precision (in full for a name the sweep does not have). */
export function valueLabel(view: View, name: string, value: number): string {
  const a = view.axes.find((x) => x.name === name);
  return a ? axisValueLabel(a.axis, value) : String(value);
}

/** Whether a row at these axis values lies in the slices held by --slice (axes it lacks are not checked). */
export function inView(view: View, at: Readonly<Record<string, number>>): boolean {
  for (const [name, value] of view.fixed) if (name in at && at[name] !== value) return false;
  return true;
}

/**
 * The axes that tell apart the figures' slices: the row's axes other than x and the aggregated
 * ones, in the sweep's order, e.g. `seed=3,mu0=2` ('' when none).
 */
export function sliceLabel(view: View, at: Readonly<Record<string, number>>): string {
  return view.axes
    .filter((a) => a.name in at && a.name !== view.x && !view.aggregate.includes(a.name))
    .map((a) => `${a.name}=${axisValueLabel(a.axis, at[a.name])}`)
    .join(',');
}

/** What a group of rows shares: every axis value of the row except the aggregated ones. */
export function groupKey(view: View, at: Readonly<Record<string, number>>): string {
  return view.axes
    .filter((a) => a.name in at && !view.aggregate.includes(a.name))
    .map((a) => `${a.name}=${at[a.name]}`)
    .join(',');
}

/** One line for a figure's title: what is held and what is pooled (empty when nothing is). */
export function viewCaption(view: View): string {
  const parts: string[] = [];
  if (view.aggregate.length) parts.push(`over ${view.aggregate.join(', ')}`);
  for (const [name, value] of view.fixed) parts.push(`${name}=${valueLabel(view, name, value)}`);
  return parts.join('; ');
}
