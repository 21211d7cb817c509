/**
 * `true` when A and B are the same type, else `false`: a schema's inferred type can be held equal
 * to the hand-written shape it fills (`const ok: SameType<A, B> = true` fails to compile otherwise).
 */
export type SameType<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
