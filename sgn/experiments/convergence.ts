/**
 * When a run counts as converged, as the user chooses:
 *   residual:        ||F(x_k)||_2 <= tol (the run stops there);
 *   residual-ratio:  ||F(x_k)||_2 <= tol ||F(x_0)||_2 (the run stops there);
 *   bounded:         ||F(x_k)||_2 <= tol (the run stops there) or, when the budget ends, the final
 *                    Euclidean distance ||x_N - x*||_2 <= bound: the paper's Markov stability study
 *                    (markov/experiment.py: `converged or dist[-1] < 1.0`, tol 1e-6), which counts
 *                    a bounded 2-cycle as converged.
 * A diverged run never converges.
 */
export const CONVERGENCE_CRITERIA = ['residual', 'residual-ratio', 'bounded'] as const;
export type ConvergenceKind = (typeof CONVERGENCE_CRITERIA)[number];

export type ConvergenceCriterion =
  | { readonly criterion: 'residual'; readonly tol: number }
  | { readonly criterion: 'residual-ratio'; readonly tol: number }
  | { readonly criterion: 'bounded'; readonly tol: number; readonly bound: number };

/** The residual at which a run stops early as converged. */
export function stoppingResidual(c: ConvergenceCriterion, residual0: number): number {
  return c.criterion === 'residual-ratio' ? c.tol * residual0 : c.tol;
}

export interface RunEnd {
  readonly residual: number;
  readonly residual0: number;
  /** ||x_N - x*||_2 at the last step. */
  readonly distance: number;
  readonly diverged: boolean;
}

export function isConverged(c: ConvergenceCriterion, end: RunEnd): boolean {
  if (end.diverged || !Number.isFinite(end.residual)) return false;
  if (end.residual <= stoppingResidual(c, end.residual0)) return true;
  return c.criterion === 'bounded' && end.distance <= c.bound;
}

/** The criterion as stored with each result and printed, e.g. `residual <= 1e-06 or distance <= 1`. */
export function criterionText(c: ConvergenceCriterion): string {
  switch (c.criterion) {
    case 'residual':
      return `residual <= ${c.tol}`;
    case 'residual-ratio':
      return `residual-ratio <= ${c.tol}`;
    case 'bounded':
      return `residual <= ${c.tol} or distance <= ${c.bound}`;
  }
}
