/** The fault suite's summary table (Markdown, so it pastes into notes as is). */

export interface FaultRow {
  readonly fault: string;
  /** How many times the fault was injected during the sweep. */
  readonly injected: number;
  readonly expected: number;
  readonly stored: number;
  /** Cells stored failed (a cell's own failure is its result), as the scenario expects. */
  readonly failed: number;
  readonly duplicates: number;
  /** Cells missing or differing from the undisturbed in-process computation. */
  readonly mismatches: number;
  /** Status completed and counters equal to the stored rows. */
  readonly countsRight: boolean;
  /** Longest time from the end of a fault until results were stored again (s). */
  readonly recoverySeconds: number | null;
  /** Wall time of the whole scenario (s). */
  readonly totalSeconds: number;
}

const HEADER = [
  'fault',
  'times injected',
  'cells expected',
  'cells stored',
  'cells failed',
  'duplicates',
  'mismatches',
  'status & counts',
  'time to recover (s)',
  'scenario time (s)',
];

export function formatFaultTable(rows: readonly FaultRow[]): string {
  const body = rows.map((r) => [
    r.fault,
    String(r.injected),
    String(r.expected),
    String(r.stored),
    String(r.failed),
    String(r.duplicates),
    String(r.mismatches),
    r.countsRight ? 'right' : 'WRONG',
    r.recoverySeconds === null ? '-' : r.recoverySeconds.toFixed(1),
    r.totalSeconds.toFixed(1),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(HEADER), rule, ...body.map(line)].join('\n');
}
