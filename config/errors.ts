/**
 * Invalid user input: a file, a flag or a setting. The message names the offending field (for a
 * setting, its variable). The CLI prints it as one line and exits 2; workers never retry it
 * (contracts/failures.ts). It lives on the bottom floor because the configuration raises it too,
 * and the configuration imports nothing of the project; sgn/util/errors.ts re-exports it.
 */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
    this.name = 'InputError';
  }
}
