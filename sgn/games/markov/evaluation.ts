/**
 * Exact policy evaluation and exact derivatives of the two-player tabular Markov game with
 * softmax policies over logits theta_i in R^{S x A} (row-major: theta_i[s * A + a]).
 *
 *   f_i(theta) = -( c * rho^T V_i + tau * sum_s H(pi_i(.|s)) ),  c = returnScale,
 *   V_i = (I - gamma P_pi)^{-1} r_{i,pi}                         (exact policy evaluation).
 *
 * Gradient (policy-gradient theorem, unnormalised discounted visitation d = (I - gamma P_pi^T)^{-1} rho):
 *   d rho^T V_i / d theta_i(s,a) = d(s) pi_i(a|s) (Q_i(s,a) - V_i(s)),
 * where Q_i(s,a) marginalises the joint action value over the other player's policy. Entropy:
 *   d H / d theta(s,a) = -pi(a|s) (log pi(a|s) + H(s)).
 * The Jacobian of F = (grad_1 f_1, grad_2 f_2) is exact too: forward-mode (tangent) propagation
 * through every step above, one direction per column (the tests compare it with Richardson-
 * extrapolated central differences of F).
 */
import type { MarkovModel } from './model.js';
import { luFactor, luSolve, type SmallLu } from './small-solve.js';

type Pair<T> = readonly [T, T];

/** Everything the gradient and its tangents reuse at one joint logit vector. */
export interface PolicyEvaluation {
  readonly model: MarkovModel;
  /** pi_i(a|s) at [s * A + a]. */
  readonly p: Pair<Float64Array>;
  readonly logp: Pair<Float64Array>;
  /** Entropy per state. */
  readonly entropy: Pair<Float64Array>;
  /** P_pi[s * S + t]. */
  readonly Ppi: Float64Array;
  /** LU of I - gamma P_pi and of its transpose. */
  readonly values: SmallLu;
  readonly visits: SmallLu;
  /** V_i: state values of player i's reward. */
  readonly V: Pair<Float64Array>;
  /** U_i[(s A + a1) A + a2] = R_i + gamma sum_t P(t|s,a1,a2) V_i(t): joint action values. */
  readonly U: Pair<Float64Array>;
  /** Q_i[s A + a]: player i's own-action values (the other player's policy marginalised). */
  readonly Q: Pair<Float64Array>;
  /** d(s) = [(I - gamma P_pi^T)^{-1} rho](s): discounted state visitation (sums to 1 / (1 - gamma)). */
  readonly d: Float64Array;
}

function softmax(theta: Float64Array, offset: number, S: number, A: number): [Float64Array, Float64Array] {
  const p = new Float64Array(S * A);
  const logp = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let max = -Infinity;
    for (let a = 0; a < A; a++) max = Math.max(max, theta[offset + s * A + a]);
    let sum = 0;
    for (let a = 0; a < A; a++) sum += Math.exp(theta[offset + s * A + a] - max);
    const lse = max + Math.log(sum);
    for (let a = 0; a < A; a++) {
      logp[s * A + a] = theta[offset + s * A + a] - lse;
      p[s * A + a] = Math.exp(logp[s * A + a]);
    }
  }
  return [p, logp];
}

function entropyOf(p: Float64Array, logp: Float64Array, S: number, A: number): Float64Array {
  const h = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let v = 0;
    for (let a = 0; a < A; a++) v -= p[s * A + a] * logp[s * A + a];
    h[s] = v;
  }
  return h;
}

/** sum_{a1,a2} w(s,a1,a2) T[(s A + a1) A + a2] with w = x1(s,a1) y2(s,a2): a bilinear pairing per state. */
function pairState(T: Float64Array, x1: Float64Array, y2: Float64Array, s: number, A: number): number {
  let v = 0;
  for (let a1 = 0; a1 < A; a1++) {
    const u = x1[s * A + a1];
    if (u === 0) continue;
    for (let a2 = 0; a2 < A; a2++) v += u * y2[s * A + a2] * T[(s * A + a1) * A + a2];
  }
  return v;
}

/** Joint values U = R + gamma P V, and the marginal values Q_1 (over pi_2) and Q_2 (over pi_1). */
function actionValues(m: MarkovModel, reward: Float64Array | null, V: Float64Array): Float64Array {
  const { states: S, actions: A, gamma, P } = m;
  const U = new Float64Array(S * A * A);
  for (let j = 0; j < S * A * A; j++) {
    let v = 0;
    for (let t = 0; t < S; t++) v += P[j * S + t] * V[t];
    U[j] = (reward === null ? 0 : reward[j]) + gamma * v;
  }
  return U;
}

/** Marginal for `player`: Q(s, a_player) = sum_b pi_other(b|s) U(s, ., .). */
function marginal(U: Float64Array, other: Float64Array, player: 0 | 1, S: number, A: number): Float64Array {
  const Q = new Float64Array(S * A);
  for (let s = 0; s < S; s++)
    for (let a1 = 0; a1 < A; a1++)
      for (let a2 = 0; a2 < A; a2++) {
        const u = U[(s * A + a1) * A + a2];
        if (player === 0) Q[s * A + a1] += other[s * A + a2] * u;
        else Q[s * A + a2] += other[s * A + a1] * u;
      }
  return Q;
}

export function evaluatePolicies(m: MarkovModel, theta: Float64Array): PolicyEvaluation {
  const { states: S, actions: A, gamma, P } = m;
  const n = S * A;
  if (theta.length !== 2 * n) throw new Error(`logits have ${theta.length} entries, expected ${2 * n}`);
  const [p1, logp1] = softmax(theta, 0, S, A);
  const [p2, logp2] = softmax(theta, n, S, A);
  const Ppi = new Float64Array(S * S);
  const tmp = new Float64Array(S * A * A);
  for (let t = 0; t < S; t++) {
    for (let s = 0; s < S; s++) {
      for (let k = 0; k < A * A; k++) tmp[s * A * A + k] = P[(s * A * A + k) * S + t];
      Ppi[s * S + t] = pairState(tmp, p1, p2, s, A);
    }
  }
  const I = (transpose: boolean): Float64Array => {
    const a = new Float64Array(S * S);
    for (let s = 0; s < S; s++)
      for (let t = 0; t < S; t++)
        a[s * S + t] = (s === t ? 1 : 0) - gamma * (transpose ? Ppi[t * S + s] : Ppi[s * S + t]);
    return a;
  };
  const values = luFactor(I(false), S);
  const visits = luFactor(I(true), S);
  const value = (R: Float64Array): Float64Array => {
    const r = new Float64Array(S);
    for (let s = 0; s < S; s++) r[s] = pairState(R, p1, p2, s, A);
    return luSolve(values, r);
  };
  const V: Pair<Float64Array> = [value(m.R[0]), value(m.R[1])];
  const U: Pair<Float64Array> = [actionValues(m, m.R[0], V[0]), actionValues(m, m.R[1], V[1])];
  const Q: Pair<Float64Array> = [marginal(U[0], p2, 0, S, A), marginal(U[1], p1, 1, S, A)];
  return {
    model: m,
    p: [p1, p2],
    logp: [logp1, logp2],
    entropy: [entropyOf(p1, logp1, S, A), entropyOf(p2, logp2, S, A)],
    Ppi,
    values,
    visits,
    V,
    U,
    Q,
    d: luSolve(visits, m.start),
  };
}

/** f_i = -(c rho^T V_i + tau sum_s H_i(s)), i = 1, 2. */
export function losses(e: PolicyEvaluation): [number, number] {
  const { model: m } = e;
  const out: [number, number] = [0, 0];
  for (const i of [0, 1] as const) {
    let ret = 0;
    for (let s = 0; s < m.states; s++) ret += m.start[s] * e.V[i][s];
    let h = 0;
    for (let s = 0; s < m.states; s++) h += e.entropy[i][s];
    out[i] = -(m.returnScale * ret + m.tau * h);
  }
  return out;
}

/** F = (grad_{theta_1} f_1, grad_{theta_2} f_2). */
export function pseudoGradient(e: PolicyEvaluation): Float64Array {
  const { model: m } = e;
  const S = m.states;
  const A = m.actions;
  const n = S * A;
  const F = new Float64Array(2 * n);
  for (const i of [0, 1] as const) {
    const p = e.p[i];
    const logp = e.logp[i];
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const k = s * A + a;
        const ret = e.d[s] * p[k] * (e.Q[i][k] - e.V[i][s]);
        F[i * n + k] = -m.returnScale * ret + m.tau * p[k] * (logp[k] + e.entropy[i][s]);
      }
    }
  }
  return F;
}

/** Tangent of the softmax: dp(s,a) = p(s,a) (v(s,a) - sum_b p(s,b) v(s,b)). */
function softmaxTangent(
  p: Float64Array,
  v: Float64Array,
  offset: number,
  S: number,
  A: number,
): Float64Array {
  const dp = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    let mean = 0;
    for (let a = 0; a < A; a++) mean += p[s * A + a] * v[offset + s * A + a];
    for (let a = 0; a < A; a++) dp[s * A + a] = p[s * A + a] * (v[offset + s * A + a] - mean);
  }
  return dp;
}

/** Tangents of the intermediate quantities along a direction v of the joint logits. */
interface Tangents {
  readonly dp: Pair<Float64Array>;
  /** d V_i. */
  readonly dV: Pair<Float64Array>;
  /** d Q_i (own-action values of player i). */
  readonly dQ: Pair<Float64Array>;
  /** d of the visitation d. */
  readonly dd: Float64Array;
}

function tangents(e: PolicyEvaluation, v: Float64Array): Tangents {
  const { model: m } = e;
  const { states: S, actions: A, gamma, P } = m;
  const n = S * A;
  const [p1, p2] = e.p;
  const dp1 = softmaxTangent(p1, v, 0, S, A);
  const dp2 = softmaxTangent(p2, v, n, S, A);
  // Tangent of P_pi and r_pi: the product rule on pi_1(a1|s) pi_2(a2|s).
  const dPpi = new Float64Array(S * S);
  const tmp = new Float64Array(S * A * A);
  for (let t = 0; t < S; t++) {
    for (let s = 0; s < S; s++) {
      for (let k = 0; k < A * A; k++) tmp[s * A * A + k] = P[(s * A * A + k) * S + t];
      dPpi[s * S + t] = pairState(tmp, dp1, p2, s, A) + pairState(tmp, p1, dp2, s, A);
    }
  }
  // d[(I - gamma P_pi)^{-1} r] = (I - gamma P_pi)^{-1} (dr + gamma dP_pi V).
  const valueTangent = (i: 0 | 1): Float64Array => {
    const R = m.R[i];
    const rhs = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let pv = 0;
      for (let t = 0; t < S; t++) pv += dPpi[s * S + t] * e.V[i][t];
      rhs[s] = pairState(R, dp1, p2, s, A) + pairState(R, p1, dp2, s, A) + gamma * pv;
    }
    return luSolve(e.values, rhs);
  };
  const dV: Pair<Float64Array> = [valueTangent(0), valueTangent(1)];
  // d[(I - gamma P_pi^T)^{-1} rho] = (I - gamma P_pi^T)^{-1} gamma dP_pi^T d.
  const rhsD = new Float64Array(S);
  for (let t = 0; t < S; t++) {
    let s2 = 0;
    for (let s = 0; s < S; s++) s2 += dPpi[s * S + t] * e.d[s];
    rhsD[t] = gamma * s2;
  }
  const dd = luSolve(e.visits, rhsD);
  const dps: Pair<Float64Array> = [dp1, dp2];
  // dQ_i = marginal(dU_i, pi_other) + marginal(U_i, dpi_other), dU_i = gamma P dV_i.
  const qTangent = (i: 0 | 1): Float64Array => {
    const dU = actionValues(m, null, dV[i]);
    const a = marginal(dU, e.p[1 - i], i, S, A);
    const b = marginal(e.U[i], dps[1 - i], i, S, A);
    for (let k = 0; k < a.length; k++) a[k] += b[k];
    return a;
  };
  return { dp: dps, dV, dQ: [qTangent(0), qTangent(1)], dd };
}

/** Directional derivative J(theta) v of the pseudo-gradient, exact (forward-mode). */
export function pseudoGradientTangent(e: PolicyEvaluation, v: Float64Array): Float64Array {
  const { model: m } = e;
  const { states: S, actions: A } = m;
  const n = S * A;
  const t = tangents(e, v);
  const dF = new Float64Array(2 * n);
  for (const i of [0, 1] as const) {
    const p = e.p[i];
    const logp = e.logp[i];
    const dp = t.dp[i];
    for (let s = 0; s < S; s++) {
      let dH = 0;
      for (let a = 0; a < A; a++) dH -= dp[s * A + a] * logp[s * A + a];
      for (let a = 0; a < A; a++) {
        const k = s * A + a;
        const adv = e.Q[i][k] - e.V[i][s];
        const dAdv = t.dQ[i][k] - t.dV[i][s];
        const dRet = t.dd[s] * p[k] * adv + e.d[s] * dp[k] * adv + e.d[s] * p[k] * dAdv;
        const dEnt = dp[k] * (logp[k] + e.entropy[i][s] + 1) + p[k] * dH;
        dF[i * n + k] = -m.returnScale * dRet + m.tau * dEnt;
      }
    }
  }
  return dF;
}

/**
 * The natural residual N = G^+ F: per player and state the minimum-norm solution of
 * (diag(p) - p p^T) z = F_i(s, .), which for the softmax is z = F/p minus its mean, i.e.
 *   N_i(s, a) = centred_a( tau log pi_i(a|s) - c d(s) Q_i(s, a) ).
 * Same zeros as F at interior policies, but, unlike F, it does not vanish as policies saturate
 * (tau > 0): the equilibrium solver works on it.
 */
export function naturalResidual(e: PolicyEvaluation): Float64Array {
  const { model: m } = e;
  const { states: S, actions: A } = m;
  const n = S * A;
  const N = new Float64Array(2 * n);
  for (const i of [0, 1] as const)
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const k = s * A + a;
        N[i * n + k] = m.tau * e.logp[i][k] - m.returnScale * e.d[s] * e.Q[i][k];
      }
      centre(N, i * n + s * A, A);
    }
  return N;
}

/** Directional derivative of the natural residual (exact). */
export function naturalResidualTangent(e: PolicyEvaluation, v: Float64Array): Float64Array {
  const { model: m } = e;
  const { states: S, actions: A } = m;
  const n = S * A;
  const t = tangents(e, v);
  const dN = new Float64Array(2 * n);
  for (const i of [0, 1] as const)
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const k = s * A + a;
        // d log p = dp / p = v - sum_b p v (the softmax tangent); the centring removes the mean anyway.
        const dLogp = v[i * n + k];
        const dRet = t.dd[s] * e.Q[i][k] + e.d[s] * t.dQ[i][k];
        dN[i * n + k] = m.tau * dLogp - m.returnScale * dRet;
      }
      centre(dN, i * n + s * A, A);
    }
  return dN;
}

function centre(x: Float64Array, offset: number, A: number): void {
  let mean = 0;
  for (let a = 0; a < A; a++) mean += x[offset + a];
  mean /= A;
  for (let a = 0; a < A; a++) x[offset + a] -= mean;
}
