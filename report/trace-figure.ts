/**
 * Run histories over time (stepsize.trace), as the paper draws them: the median over a game's
 * runs of ||x(t) - x*|| in the certificate's metric (the flow's time series, LQ_GAMES/
 * simulate_flow.py) or, for Markov games, of the KL Lyapunov function V_k (markov/plots.py), on
 * a log scale against t = k h, one line per (game, integrator, multiplier).
 */
import type { TraceSeries } from '../sweep/traces.js';
import { paramText, WIDTH, HEIGHT, type Figure } from './figures.js';
import { maxOf } from '../sgn/util/extremes.js';

const fmt = (x: number): string => String(Number(x.toPrecision(4)));

export function traceFigure(series: readonly TraceSeries[], subject: string, param: string | null): Figure {
  const markov = series.some((s) => s.lyapunov !== null);
  const quantity = markov
    ? 'KL Lyapunov V_k = Σ w_i KL(π*_i ‖ π_i)'
    : '‖x(t) − x*‖ in the certificate metric';
  const sym = param ? paramText(param).sym : null;
  const integrators = new Set(series.map((s) => s.integrator));
  const multipliers = new Set(series.map((s) => s.multiplier));
  const label = (s: TraceSeries): string =>
    [
      sym && param ? `${sym}=${fmt(Number(s.params[param]))}` : '',
      integrators.size > 1 ? s.integrator.toUpperCase() : '',
      multipliers.size > 1 ? `${fmt(s.multiplier)}×` : '',
    ]
      .filter(Boolean)
      .join(', ') || s.integrator.toUpperCase();
  // Log scale: only positive values are drawn (a run at x* exactly has distance 0).
  const points: { t: number; k: number; value: number; series: string }[] = [];
  for (const s of series) {
    const values = markov ? (s.lyapunov ?? []) : s.metricDistance;
    s.k.forEach((k, j) => {
      const v = values[j];
      if (v !== null && v !== undefined && v > 0)
        points.push({ t: k * s.step, k, value: v, series: label(s) });
    });
  }
  const runs = maxOf([0, ...series.map((s) => s.runs)]);
  return {
    name: 'traces',
    title: markov ? 'Lyapunov function over iterations' : 'Distance to the equilibrium over time',
    caption:
      `Median over each game's runs (${runs} per line at most) of ${quantity} for ${subject}, against ` +
      `t = k h, on a log scale; one line per ${[sym ? `value of ${sym}` : '', 'integrator', 'step'].filter(Boolean).join(', ')}. ` +
      'Values of 0 (a run at x* exactly) are not drawn.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: WIDTH,
      height: HEIGHT,
      title: {
        text: `${subject}: ${markov ? 'log V_k' : 'log ‖x(t) − x*‖_M'}`,
        subtitle: `median over runs; ${quantity}`,
      },
      data: { values: points },
      mark: { type: 'line', strokeWidth: 1.8, tooltip: true },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 't = k h' },
        y: {
          field: 'value',
          type: 'quantitative',
          title: markov ? 'V_k' : '‖x − x*‖_M',
          scale: { type: 'log' },
        },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 3 } },
        tooltip: [
          { field: 'series', type: 'nominal' },
          { field: 'k', type: 'quantitative' },
          { field: 't', type: 'quantitative', format: '.4g' },
          { field: 'value', type: 'quantitative', format: '.4g' },
        ],
      },
    },
  };
}
