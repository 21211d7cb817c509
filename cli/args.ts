/** Small helpers around node:util parseArgs so every subcommand reports flag errors the same way. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../sgn/util/errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node's messages can span lines (e.g. "--c4 -1" is "ambiguous"): keep the error to one line.
    const message = e instanceof Error ? e.message : String(e);
    throw new InputError(command, message.replace(/\s*\n\s*/g, ' '));
  }
}

export function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v))
    throw new InputError(flag, `must be a finite number, got "${value}"`);
  return v;
}

export function numberListFlag(value: string | undefined, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s, i) => {
    const v = Number(s);
    if (s.trim() === '' || !Number.isFinite(v))
      throw new InputError(`${flag}[${i}]`, `must be a finite number, got "${s}"`);
    return v;
  });
}
