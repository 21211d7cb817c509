/**
 * Test-only faults, injected into chosen cells by the compute thread, so the fault suite can
 * show what a real sweep does when a cell hangs, outlasts its budget, exhausts the thread's heap
 * or kills its worker. Off unless SGN_TEST_FAULTS is set (the worker's configuration hands it to
 * its compute thread), e.g. `5:kill,9:hang,12:slow=8000`:
 *
 *   hang      spins forever (a cell that never ends: the cell time budget stops it)
 *   slow=MS   spins MS milliseconds, then computes the cell as usual (a long, healthy cell)
 *   exit      ends the compute thread (process.exit in a worker thread ends the thread)
 *   kill      computes 1.5 s, then SIGKILLs the whole worker process (the kernel's OOM killer,
 *             a segfault): long enough for the batch's last heartbeat to say it was computing
 *   oom       fills the thread's heap until V8 gives up
 *   throw     throws, as mathematics that fails on one cell does (a poison cell among healthy ones)
 *
 * Indices are cell indices for certify and game-group indices for step-size runs.
 */
import type { FaultAction } from '../config/test-faults.js';

// The variable's grammar is parsed with the other settings (config/test-faults.ts).
export { FAULTS_VARIABLE, parseFaults, type FaultAction, type TestFaults } from '../config/test-faults.js';

/** What a `throw` fault's cell is stored with. */
export const POISON_ERROR = "test fault: this cell's computation throws";

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
    case 'throw':
      throw new Error(POISON_ERROR);
    case 'oom': {
      const hoard: number[][] = [];
      for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, i) => i + hoard.length));
    }
  }
}
