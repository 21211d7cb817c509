import { InputError } from '../../config/errors.js';

// Invalid user input (files, flags and settings alike): defined on the bottom floor, where the
// configuration raises it too.
export { InputError };

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
