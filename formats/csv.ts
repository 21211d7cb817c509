/** CSV as RFC 4180 writes it: objects as JSON text, quotes doubled, a cell quoted when it must be. */

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header.join(','), ...rows.map(csvRow)].join('\n') + '\n';
}

/** One CSV line (no newline). */
export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',');
}
