/** The demo's outputs: CSV tables, summary.json, figures (SVG + PNG) and a self-contained report.html. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '../../cli/format.js';
import { RESULT_CSV_HEADER } from '../../sweep/queries.js';
import type { DemoData } from './data.js';
import type { RenderedFigure } from './figures.js';

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
  data: DemoData,
  scale: 'full' | 'small',
  sweeps: DemoSummary['sweeps'],
  files: string[],
): DemoSummary {
  const e = data.edges.find((x) => near(x.lambda, 1));
  const m = data.margins.find((x) => near(x.lambda, 1));
  const step = (integrator: string) =>
    data.steps.find((s) => near(s.lambda, 1) && s.integrator === integrator);
  const gap = data.margins.filter((x) => x.optimalAlpha > 0 && x.gammaEuclidean <= 0).map((x) => x.lambda);
  const certified = data.margins.filter((x) => x.optimalAlpha > 0).map((x) => x.lambda);
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

/** Writes the CSV tables; returns their file names. */
export function writeTables(outDir: string, data: DemoData): string[] {
  const files: [string, string][] = [
    [
      'band-edges.csv',
      toCsv(
        ['lambda', 'rMinus', 'rPlus', 'optimalRatio', 'alphaMax', 'certifiedFraction'],
        data.edges.map((e) => [e.lambda, e.rMinus, e.rPlus, e.optimalRatio, e.alphaMax, e.certifiedFraction]),
      ),
    ],
    [
      'band-map.csv',
      toCsv(
        ['lambda', 'ratio', 'alpha', 'certified'],
        data.band.map((b) => [b.lambda, b.ratio, b.alpha, b.certified]),
      ),
    ],
    [
      'margins.csv',
      toCsv(
        [
          'lambda',
          'gammaEuclidean',
          'optimalAlpha',
          'alphaTrue',
          'optimalRatio',
          'alphaTrueNearestCell',
          'nearestCellRatio',
        ],
        data.margins.map((m) => [
          m.lambda,
          m.gammaEuclidean,
          m.optimalAlpha,
          m.alphaTrue,
          m.optimalRatio,
          m.alphaTrueNearestCell,
          m.nearestCellRatio,
        ]),
      ),
    ],
    [
      'stepsize.csv',
      toCsv(
        [
          'lambda',
          'integrator',
          'multiplier',
          'step',
          'certifiedStep',
          'exactThreshold',
          'convergedFraction',
          'empiricalFactor',
          'predictedFactor',
        ],
        data.steps.map((s) => [
          s.lambda,
          s.integrator,
          s.multiplier,
          s.step,
          s.certifiedStep,
          s.exactThreshold,
          s.convergedFraction,
          s.empiricalFactor,
          s.predictedFactor,
        ]),
      ),
    ],
    [
      'cells.csv',
      toCsv(
        RESULT_CSV_HEADER,
        data.cells.map((c) => RESULT_CSV_HEADER.map((k) => c[k])),
      ),
    ],
  ];
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  return files.map(([name]) => name);
}

export function writeFigures(outDir: string, figures: readonly RenderedFigure[]): string[] {
  const names: string[] = [];
  for (const f of figures) {
    writeFileSync(join(outDir, `${f.name}.svg`), f.svg);
    writeFileSync(join(outDir, `${f.name}.png`), f.png);
    writeFileSync(join(outDir, `${f.name}.vl.json`), JSON.stringify(f.spec));
    names.push(`${f.name}.svg`, `${f.name}.png`, `${f.name}.vl.json`);
  }
  return names;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** The SVG markup without an XML prolog, ready to inline. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
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
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SGN sweeps: the LQ-64 study</title>
<style>
  body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; }
  .meta { color: #666; font-size: 0.9em; }
  .headline { font-size: 1.08em; background: #f3f7fb; border-left: 4px solid #1f77b4; padding: 0.7em 1em; }
  table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.93em; }
  td, th { border-bottom: 1px solid #ddd; padding: 0.25em 0.9em 0.25em 0; text-align: left; vertical-align: top; }
  figure { margin: 1.6em 0; }
  figure svg { max-width: 100%; height: auto; }
  figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
  code { font-size: 0.92em; }
</style>
</head>
<body>
<h1>Small-Gain Nash certificates: the LQ-64 study</h1>
<p class="meta">Generated ${esc(summary.generatedAt)} by <code>npm run demo</code>${summary.scale === 'small' ? ' at reduced size (<code>--small</code>)' : ''}.
Two players (32 + 32), Q1 = Q2 = I, R orthonormal, a = 10, b = 0.05, coupling strength λ.</p>
${headline}
<h2>Summary</h2>
<table>
${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}
</table>
<h2>Sweeps</h2>
<table>
<tr><th>study</th><th>sweep id</th><th>cells</th><th>this run</th></tr>
${sweepRow('timescale band (certify)', s.certify)}
${sweepRow('step sizes (Euler, RK4)', s.stepsize)}
</table>
${figures
  .map(
    (f) => `<figure id="${esc(f.name)}">
<h2>${esc(f.title)}</h2>
${inlineSvg(f.svg)}
<figcaption>${esc(f.caption)} (<a href="${esc(f.name)}.png">PNG</a>, <a href="${esc(f.name)}.svg">SVG</a>)</figcaption>
</figure>`,
  )
  .join('\n')}
<h2>Data</h2>
<ul>
${csvs.map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('\n')}
</ul>
</body>
</html>
`;
}
