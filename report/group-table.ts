/**
 * The table of cells pooled over --aggregate, as people read it: one row per group, its
 * parameters at the axis precision, counts, rates and median [q1, q3] of the main outputs.
 * (The CSV and JSON carry every output's median, quartiles, mean and n: aggregate.ts.)
 */
import type { CellGroup, CellOutput } from './aggregate.js';
import type { Summary } from './stats.js';
import { esc, htmlTable, sig } from './html.js';
import { valueLabel, type View } from './view.js';

/** The columns shown, each a median [q1, q3] of an output. */
const SHOWN: readonly [CellOutput, string][] = [
  ['alpha', 'α'],
  ['alphaTrue', 'α_true'],
  ['gammaEuclidean', 'γ (Euclidean)'],
  ['marginRatio', 'α/α_true'],
  ['log10StepRatioRk4', 'log10 h_SGN/h_stab (RK4)'],
];

export const rateText = (r: number | null): string => (r === null ? '–' : sig(r));

/** A summary as tables print it: `median [q1, q3]`, or a dash without values. */
export const summaryText = (s: Summary | null): string =>
  s ? `${sig(s.median)} [${sig(s.q1)}, ${sig(s.q3)}]` : '–';

/** Header and text rows (parameters in the groups' key order). */
export function cellGroupRows(
  groups: readonly CellGroup[],
  view: View | null,
): { header: string[]; rows: string[][] } {
  const names = Object.keys(groups[0]?.params ?? {});
  // Outputs no group has (a Markov sweep has no true margin) are left out.
  const shown = SHOWN.filter(([o]) => groups.some((g) => g.stats[o] !== null));
  const header = [
    ...names,
    'cells',
    'failed',
    'certified',
    'euclidean',
    'true',
    ...shown.map(([, label]) => `${label} median [q1, q3]`),
  ];
  const rows = groups.map((g) => [
    ...names.map((n) => (view ? valueLabel(view, n, g.params[n]) : sig(g.params[n]))),
    String(g.cells),
    String(g.failed),
    rateText(g.certifiedRate),
    rateText(g.euclideanRate),
    rateText(g.trueRate),
    ...shown.map(([o]) => summaryText(g.stats[o])),
  ]);
  return { header, rows };
}

export function cellGroupTable(groups: readonly CellGroup[], view: View, max: number): string {
  const { header, rows } = cellGroupRows(groups, view);
  const shown = rows.slice(0, max);
  return `<h2>Pooled over ${esc(view.aggregate.join(', '))}</h2>
<p>Rates: the fraction of the group's computed cells certified by SGN at their weights, by the Euclidean test (γ &gt; 0),
and with a positive true margin. Quartiles as <code>np.percentile</code> computes them (linear interpolation).</p>
${htmlTable(header, shown, rows.length > shown.length ? `first ${shown.length} of ${rows.length} groups (all in aggregate.csv)` : '')}`;
}
