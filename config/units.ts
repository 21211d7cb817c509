/**
 * Byte sizes as people write them in settings (SGN_MAX_CELL_MEMORY, SGN_MAX_INPUT_BYTES): here,
 * on the bottom floor, because the configuration parses them; sweep/budget.ts re-exports them.
 */
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: KiB,
  m: MiB,
  g: GiB,
  t: 1024 * GiB,
  kib: KiB,
  mib: MiB,
  gib: GiB,
  tib: 1024 * GiB,
};

/**
 * A byte count: a plain number of bytes, or a number with a unit (case-insensitive): B, KB, MB,
 * GB, TB (powers of 1000), KiB, MiB, GiB, TiB and K, M, G, T (powers of 1024). Undefined when the
 * text is not one, or not a positive finite size.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[3].toLowerCase()];
  if (unit === undefined) return undefined;
  const v = Math.floor(Number(`${m[1]}${m[2] !== undefined ? `e${m[2]}` : ''}`) * unit);
  return Number.isFinite(v) && v >= 1 ? v : undefined;
}
