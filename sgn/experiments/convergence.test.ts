import { describe, expect, it } from 'vitest';
import { criterionText, isConverged } from './convergence.js';

describe('convergence criteria', () => {
  const end = { residual: 1e-4, residual0: 10, distance: 0.5, diverged: false };

  it('residual: absolute tolerance', () => {
    expect(isConverged({ criterion: 'residual', tol: 1e-3 }, end)).toBe(true);
    expect(isConverged({ criterion: 'residual', tol: 1e-5 }, end)).toBe(false);
  });

  it('residual-ratio: relative to the start', () => {
    expect(isConverged({ criterion: 'residual-ratio', tol: 1e-5 }, end)).toBe(true); // 1e-4 <= 1e-5 * 10
    expect(isConverged({ criterion: 'residual-ratio', tol: 1e-6 }, end)).toBe(false);
  });

  it('bounded: the residual or a final distance below the bound; never a diverged run', () => {
    expect(isConverged({ criterion: 'bounded', tol: 1e-6, bound: 1 }, end)).toBe(true);
    expect(isConverged({ criterion: 'bounded', tol: 1e-6, bound: 0.1 }, end)).toBe(false);
    expect(isConverged({ criterion: 'bounded', tol: 1e-6, bound: 1 }, { ...end, diverged: true })).toBe(
      false,
    );
  });

  it('texts', () => {
    expect(criterionText({ criterion: 'bounded', tol: 1e-6, bound: 1 })).toBe(
      'residual <= 0.000001 or distance <= 1',
    );
    expect(criterionText({ criterion: 'residual-ratio', tol: 1e-8 })).toBe('residual-ratio <= 1e-8');
  });
});
