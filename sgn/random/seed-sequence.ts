/**
 * NumPy's SeedSequence (numpy.random.SeedSequence, the entropy hashing of O'Neill's seed_seq
 * proposal, pool size 4) for a plain integer seed: the words a bit generator such as PCG64 is
 * seeded from. Pure 32-bit integer arithmetic (Math.imul), no BigInt.
 *
 * Covered: `SeedSequence(entropy)` with entropy a non-negative integer (or its 32-bit words) and
 * no spawn key, `generate_state(n, uint32 | uint64)`. Spawning is not needed here.
 */

const POOL_SIZE = 4;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;

/**
 * The 32-bit words of a non-negative integer, least significant first (NumPy's
 * _int_to_uint32_array): 0 -> [0]. Exact for safe integers (below 2^53).
 */
export function seedWords(seed: number): Uint32Array {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`a SeedSequence seed must be a non-negative safe integer, got ${seed}`);
  if (seed === 0) return Uint32Array.of(0);
  const words: number[] = [];
  let n = seed;
  while (n > 0) {
    words.push(n % 0x100000000);
    n = Math.floor(n / 0x100000000);
  }
  return Uint32Array.from(words);
}

/** The mixed entropy pool of SeedSequence(entropy) (4 words). */
export function seedSequencePool(entropy: number | ArrayLike<number>): Uint32Array {
  const words = typeof entropy === 'number' ? seedWords(entropy) : Uint32Array.from(entropy);
  const pool = new Uint32Array(POOL_SIZE);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    return (v ^ (v >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> XSHIFT)) >>> 0;
  };
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < words.length ? words[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++)
    for (let dst = 0; dst < POOL_SIZE; dst++) if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
  for (let src = POOL_SIZE; src < words.length; src++)
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(words[src]));
  return pool;
}

/**
 * SeedSequence(entropy).generate_state(n32, uint32): n32 words. For uint64 output ask for twice
 * as many and pair them little-endian (word 2k is the low half of the k-th uint64).
 */
export function generateState(entropy: number | ArrayLike<number>, n32: number): Uint32Array {
  const pool = seedSequencePool(entropy);
  const out = new Uint32Array(n32);
  let hashConst = INIT_B;
  for (let i = 0; i < n32; i++) {
    let v = (pool[i % POOL_SIZE] ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_B) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    out[i] = (v ^ (v >>> XSHIFT)) >>> 0;
  }
  return out;
}
