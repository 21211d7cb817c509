/**
 * The demo's summary (the paper's numbers at lambda = 1) and its report.html; tables, figures and
 * the HTML pieces come from the report library.
 */
import type { ReportTables } from '../../report/files.js';
import type { RenderedFigure } from '../../report/figures.js';
import { definitionTable, esc, figureHtml, fmt, htmlPage } from '../../report/html.js';

export interface SweepInfo {
  readonly id: string;
  readonly name: string | null;
  readonly cells: number;
  readonly reused: boolean;
  readonly seconds: number;
}

export interface DemoSummary {
  readonly scale: 'full' | 'small';
  readonly generatedAt: string;
  readonly sweeps: { readonly certify: SweepInfo; readonly stepsize: SweepInfo };
  /** The paper's headline numbers at lambda = 1 (null when the grid has no lambda = 1). */
  readonly atLambda1: {
    readonly lambda: number;
    readonly rMinus: number | null;
    readonly rPlus: number | null;
    readonly optimalRatio: number | null;
    readonly alphaMax: number | null;
    readonly alphaTrue: number | null;
    readonly gammaEuclidean: number | null;
    readonly eulerCertifiedStep: number | null;
    readonly eulerExactThreshold: number | null;
    readonly rk4CertifiedStep: number | null;
    readonly rk4ExactThreshold: number | null;
  } | null;
  /** Lambdas where the SGN test certifies and the Euclidean test fails. */
  readonly sgnOnly: { readonly from: number; readonly to: number; readonly count: number } | null;
  readonly lambdaCertifiedMax: number | null;
  readonly files: string[];
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export function summarise(
  data: ReportTables,
  scale: 'full' | 'small',
  sweeps: DemoSummary['sweeps'],
  files: string[],
): DemoSummary {
  const e = data.edges.find((x) => near(x.param, 1));
  const m = data.margins.find((x) => near(x.param, 1));
  const step = (integrator: string) =>
    data.steps.find((s) => near(s.param, 1) && s.integrator === integrator);
  const gap = data.margins.filter((x) => x.optimalAlpha > 0 && x.gammaEuclidean <= 0).map((x) => x.param);
  const certified = data.margins.filter((x) => x.optimalAlpha > 0).map((x) => x.param);
  return {
    scale,
    generatedAt: new Date().toISOString(),
    sweeps,
    atLambda1:
      e || m
        ? {
            lambda: 1,
            rMinus: e?.rMinus ?? null,
            rPlus: e?.rPlus ?? null,
            optimalRatio: e?.optimalRatio ?? null,
            alphaMax: e?.alphaMax ?? null,
            alphaTrue: m?.alphaTrue ?? null,
            gammaEuclidean: m?.gammaEuclidean ?? null,
            eulerCertifiedStep: step('euler')?.certifiedStep ?? null,
            eulerExactThreshold: step('euler')?.exactThreshold ?? null,
            rk4CertifiedStep: step('rk4')?.certifiedStep ?? null,
            rk4ExactThreshold: step('rk4')?.exactThreshold ?? null,
          }
        : null,
    sgnOnly: gap.length ? { from: Math.min(...gap), to: Math.max(...gap), count: gap.length } : null,
    lambdaCertifiedMax: certified.length ? Math.max(...certified) : null,
    files,
  };
}

export function reportHtml(summary: DemoSummary, figures: readonly RenderedFigure[]): string {
  const a = summary.atLambda1;
  const s = summary.sweeps;
  const headline = a
    ? `<p class="headline">At λ = 1 the certified timescale band is <b>r ∈ (${fmt(a.rMinus, 2)}, ${fmt(a.rPlus, 2)})</b>,
  the optimal ratio is r* = ${fmt(a.optimalRatio, 2)} with <b>α_max = ${fmt(a.alphaMax, 4)}</b>
  (true contraction rate in M(w*): ${fmt(a.alphaTrue, 4)}), while the Euclidean margin is ${fmt(a.gammaEuclidean, 3)}:
  the classical test fails and the SGN certificate succeeds.</p>`
    : '<p>The λ grid has no λ = 1.</p>';
  const rows: [string, string][] = [];
  if (a) {
    rows.push(['band r−(1), r+(1)', `${fmt(a.rMinus, 4)}, ${fmt(a.rPlus, 4)}`]);
    rows.push(['optimal ratio r*(1)', fmt(a.optimalRatio, 4)]);
    rows.push(['α_max(1)', fmt(a.alphaMax, 6)]);
    rows.push(['true margin at w*(1)', fmt(a.alphaTrue, 6)]);
    rows.push(['Euclidean margin γ(1)', fmt(a.gammaEuclidean, 4)]);
    rows.push([
      'Euler: certified step / exact threshold',
      `${fmt(a.eulerCertifiedStep, 5)} / ${fmt(a.eulerExactThreshold, 5)}`,
    ]);
    rows.push([
      'RK4: certified step / exact threshold',
      `${fmt(a.rk4CertifiedStep, 5)} / ${fmt(a.rk4ExactThreshold, 5)}`,
    ]);
  }
  if (summary.sgnOnly)
    rows.push([
      'SGN certifies, Euclidean fails',
      `λ ∈ [${fmt(summary.sgnOnly.from, 4)}, ${fmt(summary.sgnOnly.to, 4)}] (${summary.sgnOnly.count} grid values)`,
    ]);
  rows.push(['largest certified λ on the grid', fmt(summary.lambdaCertifiedMax, 4)]);
  const sweepRow = (label: string, x: SweepInfo) =>
    `<tr><td>${esc(label)}</td><td><code>${esc(x.id)}</code></td><td>${x.cells}</td><td>${x.reused ? 'reused from the database' : `computed in ${x.seconds.toFixed(1)} s`}</td></tr>`;
  const csvs = summary.files.filter((f) => f.endsWith('.csv') || f.endsWith('.json'));
  return htmlPage(
    'SGN sweeps: the LQ-64 study',
    `<h1>Small-Gain Nash certificates: the LQ-64 study</h1>
<p class="meta">Generated ${esc(summary.generatedAt)} by <code>npm run demo</code>${summary.scale === 'small' ? ' at reduced size (<code>--small</code>)' : ''}.
Two players (32 + 32), Q1 = Q2 = I, R orthonormal, a = 10, b = 0.05, coupling strength λ.</p>
${headline}
<h2>Summary</h2>
${definitionTable(rows)}
<h2>Sweeps</h2>
<table>
<tr><th>study</th><th>sweep id</th><th>cells</th><th>this run</th></tr>
${sweepRow('timescale band (certify)', s.certify)}
${sweepRow('step sizes (Euler, RK4)', s.stepsize)}
</table>
${figures.map((f) => figureHtml(f, { links: [`${f.name}.png`, `${f.name}.svg`] })).join('\n')}
<h2>Data</h2>
<ul>
${csvs.map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('\n')}
</ul>`,
  );
}
