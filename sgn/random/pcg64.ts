/**
 * NumPy's default bit generator PCG64 (PCG XSL RR 128/64: 128-bit LCG state, 64-bit output),
 * bit for bit, without BigInt: the 128-bit state is eight 16-bit limbs held in doubles, whose
 * limb products and column sums (< 2^36) are exact.
 *
 * Seeding as numpy.random.PCG64(seed): SeedSequence(seed).generate_state(4, uint64) gives
 * (initstate_hi, initstate_lo, initseq_hi, initseq_lo); then pcg_setseq_128_srandom_r:
 * inc = initseq << 1 | 1, state = 0, step, state += initstate, step. Each draw steps the LCG
 * (state = state * MULT + inc) and outputs rotr64(hi64 ^ lo64, state >> 122).
 */
import { generateState } from './seed-sequence.js';

/** PCG_DEFAULT_MULTIPLIER_128 = 0x2360ED051FC65DA4_4385DF649FCCF645, 16-bit limbs, low first. */
const MULT = [0xf645, 0x9fcc, 0xdf64, 0x4385, 0x5da4, 0x1fc6, 0xed05, 0x2360] as const;
const [M0, M1, M2, M3, M4, M5, M6, M7] = MULT;
const B16 = 65536;
const INV_B16 = 1 / 65536;
const TWO_M53 = 1 / 9007199254740992;

/** 32-bit words (most significant first) as 16-bit limbs, least significant first. */
function limbsOf128(w3: number, w2: number, w1: number, w0: number): Float64Array {
  return Float64Array.of(
    w0 & 0xffff,
    w0 >>> 16,
    w1 & 0xffff,
    w1 >>> 16,
    w2 & 0xffff,
    w2 >>> 16,
    w3 & 0xffff,
    w3 >>> 16,
  );
}

export class PCG64 {
  /** The LCG state and increment, 16-bit limbs, least significant first. */
  private readonly s: Float64Array;
  private readonly inc: Float64Array;
  /** The last 64-bit output (nextUint64), as two 32-bit halves. */
  hi = 0;
  lo = 0;

  private constructor(state: Float64Array, inc: Float64Array) {
    this.s = state;
    this.inc = inc;
  }

  /** pcg_setseq_128_srandom_r: inc = initseq << 1 | 1, state = 0, step, state += initstate, step. */
  private static seeded(initState: Float64Array, initSeq: Float64Array): PCG64 {
    const inc = new Float64Array(8);
    let carry = 1;
    for (let k = 0; k < 8; k++) {
      const v = initSeq[k] * 2 + carry;
      carry = v >= B16 ? 1 : 0;
      inc[k] = v - carry * B16;
    }
    const g = new PCG64(new Float64Array(8), inc);
    g.step();
    let c = 0;
    for (let k = 0; k < 8; k++) {
      const v = g.s[k] + initState[k] + c;
      c = v >= B16 ? 1 : 0;
      g.s[k] = v - c * B16;
    }
    g.step();
    return g;
  }

  /** numpy.random.PCG64(seed) for a non-negative integer seed (through SeedSequence). */
  static fromSeed(seed: number): PCG64 {
    const w = generateState(seed, 8);
    // uint64 k = w[2k] | w[2k + 1] << 32: (state_hi, state_lo, seq_hi, seq_lo).
    return PCG64.seeded(limbsOf128(w[1], w[0], w[3], w[2]), limbsOf128(w[5], w[4], w[7], w[6]));
  }

  /** From the 128-bit initstate and initseq as 32-bit words, most significant first. */
  static fromStateAndSequence(initState: readonly number[], initSeq: readonly number[]): PCG64 {
    if (initState.length !== 4 || initSeq.length !== 4) throw new Error('expected four 32-bit words each');
    const [a3, a2, a1, a0] = initState;
    const [b3, b2, b1, b0] = initSeq;
    return PCG64.seeded(limbsOf128(a3, a2, a1, a0), limbsOf128(b3, b2, b1, b0));
  }

  /** A copy at the same state (it draws what this one would). */
  clone(): PCG64 {
    const copy = new PCG64(Float64Array.from(this.s), Float64Array.from(this.inc));
    copy.hi = this.hi;
    copy.lo = this.lo;
    return copy;
  }

  /** The current state and increment as 32-bit words, most significant first (for tests). */
  stateWords(): { state: number[]; inc: number[] } {
    const words = (l: Float64Array): number[] =>
      [3, 2, 1, 0].map((k) => (l[2 * k + 1] * B16 + l[2 * k]) >>> 0);
    return { state: words(this.s), inc: words(this.inc) };
  }

  /** state = state * MULT + inc (mod 2^128). */
  private step(): void {
    const s = this.s;
    const i = this.inc;
    const s0 = s[0],
      s1 = s[1],
      s2 = s[2],
      s3 = s[3],
      s4 = s[4],
      s5 = s[5],
      s6 = s[6],
      s7 = s[7];
    // Column k of the product: sum over j <= k of s_j * M_{k-j} (< 2^36 with the carries, exact);
    // (c * 2^-16) | 0 is its carry (c >= 0 and c * 2^-16 < 2^31, so truncation is floor).
    let c = s0 * M0 + i[0];
    let carry = (c * INV_B16) | 0;
    s[0] = c - carry * B16;
    c = s0 * M1 + s1 * M0 + i[1] + carry;
    carry = (c * INV_B16) | 0;
    s[1] = c - carry * B16;
    c = s0 * M2 + s1 * M1 + s2 * M0 + i[2] + carry;
    carry = (c * INV_B16) | 0;
    s[2] = c - carry * B16;
    c = s0 * M3 + s1 * M2 + s2 * M1 + s3 * M0 + i[3] + carry;
    carry = (c * INV_B16) | 0;
    s[3] = c - carry * B16;
    c = s0 * M4 + s1 * M3 + s2 * M2 + s3 * M1 + s4 * M0 + i[4] + carry;
    carry = (c * INV_B16) | 0;
    s[4] = c - carry * B16;
    c = s0 * M5 + s1 * M4 + s2 * M3 + s3 * M2 + s4 * M1 + s5 * M0 + i[5] + carry;
    carry = (c * INV_B16) | 0;
    s[5] = c - carry * B16;
    c = s0 * M6 + s1 * M5 + s2 * M4 + s3 * M3 + s4 * M2 + s5 * M1 + s6 * M0 + i[6] + carry;
    carry = (c * INV_B16) | 0;
    s[6] = c - carry * B16;
    c = s0 * M7 + s1 * M6 + s2 * M5 + s3 * M4 + s4 * M3 + s5 * M2 + s6 * M1 + s7 * M0 + i[7] + carry;
    s[7] = c % B16;
  }

  /** Next 64-bit output, left in this.hi and this.lo (unsigned 32-bit halves). */
  nextUint64(): void {
    this.step();
    const s = this.s;
    // x = hi64 ^ lo64 as 32-bit halves; rot = state >> 122, the top 6 bits.
    const xlo = (((s[1] ^ s[5]) << 16) | (s[0] ^ s[4])) >>> 0;
    const xhi = (((s[3] ^ s[7]) << 16) | (s[2] ^ s[6])) >>> 0;
    const rot = s[7] >>> 10;
    if (rot === 0) {
      this.hi = xhi;
      this.lo = xlo;
    } else if (rot < 32) {
      this.lo = ((xlo >>> rot) | (xhi << (32 - rot))) >>> 0;
      this.hi = ((xhi >>> rot) | (xlo << (32 - rot))) >>> 0;
    } else if (rot === 32) {
      this.hi = xlo;
      this.lo = xhi;
    } else {
      const r = rot - 32;
      this.lo = ((xhi >>> r) | (xlo << (32 - r))) >>> 0;
      this.hi = ((xlo >>> r) | (xhi << (32 - r))) >>> 0;
    }
  }

  /** NumPy's next_double: (next_uint64 >> 11) * 2^-53, uniform in [0, 1). */
  nextDouble(): number {
    this.nextUint64();
    return (this.hi * 2097152 + (this.lo >>> 11)) * TWO_M53;
  }
}
