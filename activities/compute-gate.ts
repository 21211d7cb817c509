/**
 * One CPU-bound batch computation at a time per worker process, first come first served.
 *
 * A worker runs several batches at once (activity slots), but their computations share the
 * process's one compute thread (compute-thread.ts), which runs a job at a time. Through the gate
 * a batch computes while the previous one writes, so the writes (and PostgreSQL's work on them)
 * overlap computation; each batch's result is the same (a batch's computation depends on nothing
 * outside it).
 *
 * A waiting batch keeps heartbeating (`whileWaiting`, every `heartbeatMs`) so that it is not
 * taken for a dead worker's, and leaves the queue when its activity is cancelled.
 */
export class ComputeGate {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Batches queued behind the one computing. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Waits for this caller's turn; resolves to the function that ends it (idempotent). Call it
   * when the computation is done, whatever happens next.
   */
  async turn(opts: GateWaitOptions = {}): Promise<() => void> {
    const previous = this.tail;
    let open!: () => void;
    this.tail = new Promise<void>((r) => (open = r));
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      open();
    };
    this.waiting++;
    const timer = opts.whileWaiting ? setInterval(opts.whileWaiting, opts.heartbeatMs ?? 5000) : null;
    try {
      await abortable(previous, opts.signal);
    } catch (e) {
      // Cancelled while queued: the turn passes straight on to the next caller when it comes.
      void previous.then(end);
      throw e;
    } finally {
      this.waiting--;
      if (timer !== null) clearInterval(timer);
    }
    return end;
  }

  /** Runs `compute` in turn. */
  async run<T>(compute: () => Promise<T>, opts: GateWaitOptions = {}): Promise<T> {
    const end = await this.turn(opts);
    try {
      return await compute();
    } finally {
      end();
    }
  }
}

export interface GateWaitOptions {
  /** Called every `heartbeatMs` while waiting (default 5 s). */
  whileWaiting?: () => void;
  heartbeatMs?: number;
  /** Aborting it while waiting rejects with its reason. */
  signal?: AbortSignal;
}

function abortable(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('cancelled while waiting to compute');
}
