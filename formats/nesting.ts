/**
 * Nesting bounds for user files. No valid input nests more than a few levels (a spec holding a
 * game holding a matrix is 4), but deep nesting is dangerous: YAML's composer recurses per level
 * (10,000 nested `[` in a 20 KB file end the process with a fatal out-of-memory error that no
 * catch sees), and recursive code downstream (JSON.stringify, schema checks) overflows the stack.
 */

/**
 * Offset where brackets in YAML text first open deeper than `max`, or -1. Quotes and comments are
 * not skipped on purpose: whether a quote opens a scalar depends on YAML's context rules, and a
 * scanner that guessed wrong could be steered past the bound; counting every bracket can only
 * over-estimate, and a real file never holds 64 unclosed brackets inside its strings.
 */
export function yamlFlowTooDeep(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i; // [ or {
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--; // ] or }
  }
  return -1;
}

/**
 * Where parsed data first nests lists and objects deeper than `max`: the top-level key (or list
 * index) it sits under, '' for the top level itself; null when within the bound. Iterative.
 */
export function dataTooDeep(value: unknown, max: number): string | null {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length > 0) {
    const [v, depth, top] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return top;
    // Only containers go on the stack; keys are formatted only for the top level's children.
    const children: [unknown, string | number][] = [];
    if (Array.isArray(v)) {
      for (let k = 0; k < v.length; k++)
        if (typeof v[k] === 'object' && v[k] !== null) children.push([v[k], k]);
    } else {
      for (const [key, c] of Object.entries(v))
        if (typeof c === 'object' && c !== null) children.push([c, key]);
    }
    for (const [c, key] of children) {
      const under = depth > 0 ? top : typeof key === 'number' ? `[${key}]` : key;
      stack.push([c, depth + 1, under]);
    }
  }
  return null;
}

/** 1-based line of an offset, for messages. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
