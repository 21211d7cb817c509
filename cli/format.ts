/** Terminal output helpers: numbers, aligned tables, a progress line. */

import { maxOf } from '../sgn/util/extremes.js';

export function num(x: number | null | undefined, digits = 6): string {
  if (x === null || x === undefined) return '-';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  return Number(x.toPrecision(digits)).toString();
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => maxOf([h.length, ...rows.map((r) => (r[i] ?? '').length)]));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `[#####.....] 1234/9821 cells  12.6%  410 cells/s  ETA 21s` */
export function progressLine(done: number, total: number, rate: number | null, width = 30): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(f * width);
  const eta = rate && rate > 0 ? Math.max(0, (total - done) / rate) : null;
  const etaText = eta === null ? '' : `  ETA ${eta < 90 ? `${Math.ceil(eta)}s` : `${Math.ceil(eta / 60)}m`}`;
  const rateText = rate === null ? '' : `  ${rate < 10 ? rate.toFixed(1) : Math.round(rate)} cells/s`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} cells  ${(100 * f).toFixed(1)}%${rateText}${etaText}`;
}
