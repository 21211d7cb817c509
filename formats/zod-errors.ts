/** zod's validation errors as the one line a user reads: the field's path, then the problem. */
import type { ZodError } from 'zod';
import { InputError } from '../sgn/util/errors.js';

/** Renders a zod path as `game.H[3][1]`, rooted at `root`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * The first issue of a zod error as an InputError. Unknown fields are reported first: a misspelt
 * key is usually the cause of the other issues. zod reports an unknown key at its parent; the
 * path names the key itself.
 */
export function inputErrorFromZod(root: string, err: ZodError): InputError {
  const issue = err.issues.find((i) => i.code === 'unrecognized_keys') ?? err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const more = issue.keys.length > 1 ? ` (also: ${issue.keys.slice(1).join(', ')})` : '';
    return new InputError(formatPath(root, [...issue.path, issue.keys[0]]), `unknown field${more}`);
  }
  return new InputError(formatPath(root, issue.path), issue.message);
}
