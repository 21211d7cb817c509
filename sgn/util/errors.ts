import type { ZodError } from 'zod';

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

/** Renders a zod path as `game.H[3][1]`, rooted at `root`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** The first issue of a zod error as an InputError (one clear line for the user). */
export function inputErrorFromZod(root: string, err: ZodError): InputError {
  const issue = err.issues[0];
  let path: PropertyKey[] = [...issue.path];
  let message = issue.message;
  // zod reports unrecognized keys at the parent; name the key itself.
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]];
    message = `unknown field${issue.keys.length > 1 ? ` (also: ${issue.keys.slice(1).join(', ')})` : ''}`;
  }
  return new InputError(formatPath(root, path), message);
}
