/**
 * Calling a CLI command function in-process from tests: its one printed output, or the
 * InputError it refuses with (and nothing printed before it). Relative game paths are taken
 * from the project root.
 */
import { isAbsolute, join } from 'node:path';
import { expect } from 'vitest';
import { InputError } from '../../sgn/util/errors.js';
import { projectRoot } from './reference.js';

export type CommandFn = (argv: string[], out: (s: string) => void) => void;

const abs = (p: string): string => (isAbsolute(p) ? p : join(projectRoot, p));

/** The single output of `command <file> ...rest` (commands print once: a summary or one JSON object). */
export function commandOutput(command: CommandFn, args: readonly string[]): string {
  const [file, ...rest] = args;
  const lines: string[] = [];
  command([abs(file), ...rest], (s) => lines.push(s));
  expect(lines).toHaveLength(1);
  return lines[0];
}

/** The InputError `command args` refuses with; fails the test if it prints or succeeds. */
export function commandInputError(command: CommandFn, args: readonly string[], name: string): InputError {
  const printed: string[] = [];
  try {
    command([...args], (s) => printed.push(s));
  } catch (e) {
    expect(printed).toEqual([]);
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`no error for ${name} ${args.join(' ')}; printed:\n${printed.join('\n')}`);
}
