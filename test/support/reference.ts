/** Paths to the read-only reference material in ../shared (beside the project root, in CI too). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedRoot = process.env.SGN_SHARED_DIR ?? resolve(projectRoot, '..', 'shared');
export const lq64GamePath = join(sharedRoot, 'reference', 'lq64', 'game.json');
export const lq64GoldenPath = join(sharedRoot, 'reference', 'lq64', 'golden.json');

export interface GoldenRow {
  lam: number;
  mu: [number, number];
  L12: number;
  L21: number;
  gamma_euc: number;
  alpha_sgn: number;
  alpha_true: number;
  beta: number;
  euler_step: number;
  rk4_step: number;
  h_stab_euler: number;
  h_stab_rk4: number;
  alpha_max: number;
  w_opt_ratio: number;
  band_r: [number, number] | null;
}

export function loadJson<T>(path: string): T {
  if (!existsSync(path)) throw new Error(`reference file missing: ${path} (set SGN_SHARED_DIR)`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function loadGolden(): { weights: [number, number]; rows: GoldenRow[] } {
  return loadJson(lq64GoldenPath);
}
