/** Invalid user input: the message names the offending field. Never retried by workers. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
    this.name = 'InputError';
  }
}

/**
 * A user-supplied value for an error message, kept short: an input may hold a megabyte-long
 * string or a list nested 100,000 deep, which must neither flood the terminal nor overflow
 * JSON.stringify's stack.
 */
export function shortValue(v: unknown, max = 40): string {
  if (typeof v === 'string') return JSON.stringify(v.length > max ? `${v.slice(0, max)}...` : v);
  if (Array.isArray(v)) return `(a list of ${v.length})`;
  if (typeof v === 'object' && v !== null) return '(an object)';
  return String(v);
}
