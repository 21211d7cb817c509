/**
 * Test-only faults, injected into chosen cells by the compute thread, so the fault suite can
 * show what a real sweep does when a cell hangs, outlasts its budget, exhausts the thread's heap
 * or kills its worker. Off unless SGN_TEST_FAULTS is set, e.g. `5:kill,9:hang,12:slow=8000`:
 *
 *   hang      spins forever (a cell that never ends: the cell time budget stops it)
 *   slow=MS   spins MS milliseconds, then computes the cell as usual (a long, healthy cell)
 *   exit      ends the compute thread (process.exit in a worker thread ends the thread)
 *   kill      computes 1.5 s, then SIGKILLs the whole worker process (the kernel's OOM killer,
 *             a segfault): long enough for the batch's last heartbeat to say it was computing
 *   oom       fills the thread's heap until V8 gives up
 *
 * Indices are cell indices for certify and game-group indices for step-size runs.
 */
export type FaultAction =
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'exit' }
  | { readonly kind: 'kill' }
  | { readonly kind: 'oom' };

export const FAULTS_VARIABLE = 'SGN_TEST_FAULTS';

/** The faults `SGN_TEST_FAULTS` asks for; a malformed entry is an error (a test that injects nothing would pass). */
export function parseFaults(text: string | undefined): Map<number, FaultAction> {
  const faults = new Map<number, FaultAction>();
  if (!text) return faults;
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^(\d+):(hang|slow=(\d+)|exit|kill|oom)$/.exec(entry);
    if (!m) throw new Error(`${FAULTS_VARIABLE}: cannot read "${entry}" (index:hang|slow=MS|exit|kill|oom)`);
    const kind = m[2].startsWith('slow') ? 'slow' : m[2];
    faults.set(
      Number(m[1]),
      kind === 'slow' ? { kind: 'slow', ms: Number(m[3]) } : ({ kind } as FaultAction),
    );
  }
  return faults;
}

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a cell computing
  }
}

/** Does to this thread what the fault says. */
export function injectFault(fault: FaultAction): void {
  switch (fault.kind) {
    case 'hang':
      for (;;) spin(1000);
    case 'slow':
      spin(fault.ms);
      return;
    case 'exit':
      process.exit(1);
      return;
    case 'kill':
      spin(1500);
      process.kill(process.pid, 'SIGKILL');
      return;
    case 'oom': {
      const hoard: number[][] = [];
      for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, i) => i + hoard.length));
    }
  }
}
