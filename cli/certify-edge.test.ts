// `sgn certify` on edge games (issue 17): an uncoupled 3-player game (it died with a stack trace)
// and a 3-player game only the Euclidean test certifies (it printed NOT CERTIFIED). One real
// process for the exit code and streams, direct runCertify() calls for the rest.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../test/support/processes.js';
import { commandOutput } from '../test/support/command-harness.js';
import { runCertify } from './certify.js';

const FIX = 'test/fixtures/edge-games';
const UNCOUPLED = `${FIX}/uncoupled-3p.json`;
const EUCLIDEAN_ONLY = `${FIX}/euclidean-only-3p.json`;

const certifyText = (args: string[]): string => commandOutput(runCertify, args);

let uncoupled: Promise<CliResult>;
beforeAll(() => {
  uncoupled = runCli(['certify', UNCOUPLED], {});
});

describe('sgn certify on an uncoupled 3-player game (coupling 0)', () => {
  it('exits 0 with nothing on stderr and says CERTIFIED by both tests', async () => {
    const r = await uncoupled;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Error|\n\s+at /);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^CERTIFIED \(SGN and Euclidean\): gradient play contracts at rate (\S+) in the SGN metric, at rate \1 in the Euclidean norm$/,
    );
    expect(r.stdout).toContain('coupling L:         [0, 0, 0] [0, 0, 0] [0, 0, 0]');
    expect(r.stdout).toContain('optimal weights:    [1, 1, 1] with alpha = ');
    expect(r.stdout).not.toContain('supremum');
    expect(r.stdout).toContain('band along w2/w1: (0, inf)');
    expect(r.stdout).not.toMatch(/nan|NaN/);
  });

  it('the SGN rate is min mu (the printed curvatures)', () => {
    const text = certifyText([UNCOUPLED]);
    const mu = /own curvature mu: +\[([^\]]+)\]/.exec(text)![1].split(', ').map(Number);
    const rate = Number(/at rate (\S+) in the SGN metric/.exec(text)![1]);
    expect(rate).toBe(Math.min(...mu));
  });
});

describe('sgn certify on a 3-player game only the Euclidean test certifies', () => {
  // H = I + cyclic skew: gamma_euc = 1 and ||H|| = 2 (closed forms in sgn/euclidean.test.ts),
  // while mu = 1 and L_ij = 1 make tau(K) = -1: no SGN weights.
  it('CERTIFIED (Euclidean only), with its steps and why SGN fails', () => {
    const lines = certifyText([EUCLIDEAN_ONLY]).split('\n');
    expect(lines[0]).toBe(
      'CERTIFIED (Euclidean only): gradient play contracts at rate 1 in the Euclidean norm',
    );
    expect(lines[1]).toMatch(/^ {2}why not SGN: small-gain condition fails/);
    expect(lines).toContain('  Euclidean margin:   1 (monotone)');
    expect(lines).toContain(
      '  Euclidean steps:    Euler 0.5 (2 gamma / ||J||^2), RK4 1.25 (C4 / ||J||), ||J|| = 2',
    );
    // SGN's own steps stay 0: the two certificates are reported side by side.
    expect(lines.find((l) => l.startsWith('  safe Euler step:'))).toMatch(/^ {2}safe Euler step: +0 /);
  });

  it('--json carries both certificates; `certified` stays the SGN verdict', () => {
    const c = JSON.parse(certifyText([EUCLIDEAN_ONLY, '--json'])) as {
      certified: boolean;
      certifiedBy: string[];
      euclidean: { gamma: number; beta: number; eulerStep: number; certified: boolean };
    };
    expect(c.certified).toBe(false);
    expect(c.certifiedBy).toEqual(['Euclidean']);
    expect(c.euclidean.certified).toBe(true);
    expect(Math.abs(c.euclidean.gamma - 1)).toBeLessThan(1e-12);
    expect(Math.abs(c.euclidean.beta - 2)).toBeLessThan(1e-12);
    expect(Math.abs(c.euclidean.eulerStep - 0.5)).toBeLessThan(1e-12);
  });
});
