/** Shared helpers of the benchmarks: option parsing, tables, CSV output, child runs. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const outRoot = join(projectRoot, 'bench-out');

/** `--key value` / `--flag` options; everything else is positional. */
export function parseArgs(args: readonly string[]): { opts: Map<string, string>; positional: string[] } {
  const opts = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) opts.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) opts.set(a.slice(2), args[++i]);
      else opts.set(a.slice(2), 'true');
    } else positional.push(a);
  }
  return { opts, positional };
}

export function intOption(opts: Map<string, string>, key: string, fallback: number): number {
  const v = opts.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${key} must be a positive integer, got ${v}`);
  return n;
}

/** Shortest round-trip representation; NaN/Infinity spelled the way NumPy reads them. */
export function csvNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}

export function writeCsv(
  path: string,
  header: readonly string[],
  rows: readonly (readonly number[])[],
): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines = [header.join(',')];
  for (const r of rows) lines.push(r.map(csvNumber).join(','));
  writeFileSync(path, lines.join('\n') + '\n');
}

/** As writeCsv, for rows of `header.length` numbers stored one after the other in `data`. */
export function writeCsvFlat(path: string, header: readonly string[], data: Float64Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const cols = header.length;
  const lines = [header.join(',')];
  for (let o = 0; o < data.length; o += cols) {
    let line = csvNumber(data[o]);
    for (let c = 1; c < cols; c++) line += ',' + csvNumber(data[o + c]);
    lines.push(line);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Reads a numeric CSV with one header line (NumPy savetxt output included). */
export function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((s) => s.trim());
  const rows = lines.slice(1).map((l) => l.split(',').map((s) => Number(s.trim())));
  return { header, rows };
}

export function printTable(
  title: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function sci(x: number): string {
  return x.toExponential(2);
}

/**
 * Runs this benchmark again in a fresh process (so every run pays its own JIT warm-up) and
 * returns the JSON its last stdout line carries.
 */
export function childRun<T>(bench: string, args: readonly string[]): T {
  const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [join(projectRoot, 'scripts', 'bench.ts'), bench, ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`child run of ${bench} failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
