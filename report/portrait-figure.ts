/**
 * The paper's Figure 1 (experiments/quadratic_phase.py) for any game of two scalar players: the
 * same trajectories drawn twice, in the Euclidean plane (x1, x2) with the circle through the
 * start, where they leave it (transient growth), and in the SGN coordinates (sqrt(w1) (x1 - x1*),
 * sqrt(w2) (x2 - x2*)) with the M(w) circle through the start, inside which they stay.
 */
import { WIDTH, type Figure } from './figures.js';
import { maxOf } from '../sgn/util/extremes.js';

export interface PortraitRun {
  /** Positions x_k (two coordinates), in step order. */
  readonly points: readonly (readonly [number, number])[];
}

function circle(
  cx: number,
  cy: number,
  r: number,
  panel: string,
): { x: number; y: number; o: number; panel: string }[] {
  return Array.from({ length: 201 }, (_, i) => {
    const t = (2 * Math.PI * i) / 200;
    return { x: cx + r * Math.cos(t), y: cy + r * Math.sin(t), o: i, panel };
  });
}

export function portraitFigure(
  runs: readonly PortraitRun[],
  xStar: readonly [number, number],
  weights: readonly [number, number],
  subject: string,
): Figure {
  const [s1, s2] = [Math.sqrt(weights[0]), Math.sqrt(weights[1])];
  const euclid = 'Euclidean view (x1, x2)';
  const sgn = `SGN view (√w1 (x1 − x1*), √w2 (x2 − x2*)), w = (${weights.map((w) => Number(w.toPrecision(4))).join(', ')})`;
  const paths: { x: number; y: number; o: number; run: number; panel: string }[] = [];
  const circles: { x: number; y: number; o: number; panel: string; run: number }[] = [];
  runs.forEach((r, run) => {
    r.points.forEach(([x1, x2], o) => {
      paths.push({ x: x1, y: x2, o, run, panel: euclid });
      paths.push({ x: s1 * (x1 - xStar[0]), y: s2 * (x2 - xStar[1]), o, run, panel: sgn });
    });
    const [a1, a2] = r.points[0];
    const e = Math.hypot(a1 - xStar[0], a2 - xStar[1]);
    const m = Math.hypot(s1 * (a1 - xStar[0]), s2 * (a2 - xStar[1]));
    for (const c of circle(xStar[0], xStar[1], e, euclid)) circles.push({ ...c, run });
    for (const c of circle(0, 0, m, sgn)) circles.push({ ...c, run });
  });
  // Equal x and y ranges around the centre: a circle must look like one.
  const square = (title: string, cx: number, cy: number): { x: number[]; y: number[] } => {
    const pts = [...paths, ...circles].filter((p) => p.panel === title);
    const half = 1.05 * maxOf([1e-12, ...pts.map((p) => Math.max(Math.abs(p.x - cx), Math.abs(p.y - cy)))]);
    return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
  };
  const domains = { [euclid]: square(euclid, xStar[0], xStar[1]), [sgn]: square(sgn, 0, 0) };
  const panel = (title: string) => ({
    width: Math.round(WIDTH / 2),
    height: Math.round(WIDTH / 2),
    title,
    layer: [
      {
        data: { values: circles.filter((c) => c.panel === title) },
        mark: { type: 'line' as const, strokeDash: [4, 3], color: '#1f77b4', strokeWidth: 1.2 },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative' as const,
            title: title === euclid ? 'x1' : '√w1 (x1 − x1*)',
            scale: { domain: domains[title].x, nice: false, zero: false },
          },
          y: {
            field: 'y',
            type: 'quantitative' as const,
            title: title === euclid ? 'x2' : '√w2 (x2 − x2*)',
            scale: { domain: domains[title].y, nice: false, zero: false },
          },
          order: { field: 'o' },
          detail: { field: 'run' },
        },
      },
      {
        data: { values: paths.filter((p) => p.panel === title) },
        mark: { type: 'line' as const, color: '#d62728', strokeWidth: 1.6 },
        encoding: {
          x: { field: 'x', type: 'quantitative' as const },
          y: { field: 'y', type: 'quantitative' as const },
          order: { field: 'o' },
          detail: { field: 'run' },
        },
      },
    ],
  });
  return {
    name: 'portrait',
    title: 'Phase portrait',
    caption:
      `Trajectories of ${subject} (red) from their starts, with the circle through each start (dashed blue): ` +
      'left in the Euclidean norm, which they may leave (transient growth); right in the SGN metric M(w), ' +
      "whose circle they stay inside when the step is certified (the paper's Figure 1).",
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: `${subject}: phase portrait`,
        subtitle: 'red: trajectories; dashed: the norm ball through the start',
      },
      hconcat: [panel(euclid), panel(sgn)],
    },
  };
}
