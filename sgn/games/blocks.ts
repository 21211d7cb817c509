/** Block structure of the joint state x = (x_1, ..., x_N). */
export interface Blocks {
  readonly dims: readonly number[];
  /** offsets[i] is where player i's block starts; offsets[N] = d. */
  readonly offsets: readonly number[];
  readonly dim: number;
}

export function blocksOf(dims: readonly number[]): Blocks {
  const offsets = [0];
  for (const d of dims) offsets.push(offsets[offsets.length - 1] + d);
  return { dims, offsets, dim: offsets[offsets.length - 1] };
}
