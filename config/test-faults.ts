/**
 * The grammar of SGN_TEST_FAULTS, test-only faults the compute thread injects into chosen cells
 * (activities/fault-injection.ts does them). Parsed here with the other settings, so that a
 * malformed value stops a worker at start-up, naming the variable, instead of failing each
 * compute thread it starts.
 */
import { InputError } from './errors.js';

export type FaultAction =
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'exit' }
  | { readonly kind: 'kill' }
  | { readonly kind: 'oom' }
  | { readonly kind: 'throw' };

export const FAULTS_VARIABLE = 'SGN_TEST_FAULTS';

/** Cell (or game group) index and what to do there, in the order given. */
export type TestFaults = readonly (readonly [index: number, action: FaultAction])[];

/**
 * The faults `text` asks for, e.g. `5:kill,9:hang,12:slow=8000`. A malformed entry is an
 * InputError naming SGN_TEST_FAULTS: a test that silently injected nothing would pass.
 */
export function parseFaults(text: string | undefined): Map<number, FaultAction> {
  const faults = new Map<number, FaultAction>();
  if (!text) return faults;
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^(\d+):(hang|slow=(\d+)|exit|kill|oom|throw)$/.exec(entry);
    if (!m)
      throw new InputError(
        FAULTS_VARIABLE,
        `cannot read "${entry.slice(0, 40)}" (index:hang|slow=MS|exit|kill|oom|throw)`,
      );
    const kind = m[2].startsWith('slow') ? 'slow' : m[2];
    faults.set(
      Number(m[1]),
      kind === 'slow' ? { kind: 'slow', ms: Number(m[3]) } : ({ kind } as FaultAction),
    );
  }
  return faults;
}
