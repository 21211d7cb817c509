/**
 * One CPU-bound batch computation at a time per worker process, first come first served.
 *
 * A worker runs several batches at once (activity slots), but their computations share one
 * JavaScript thread: interleaved, two batches finish computing together and then wait on their
 * database writes together, leaving the thread idle. Through the gate a batch computes while the
 * previous one writes, so the writes (and PostgreSQL's work on them) overlap computation; the
 * throughput of the computation itself is unchanged (it had one thread either way), and each
 * batch's result is the same (a batch's computation depends on nothing outside it).
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

  async run<T>(
    compute: () => Promise<T>,
    opts: { whileWaiting?: () => void; heartbeatMs?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    this.waiting++;
    const timer = opts.whileWaiting ? setInterval(opts.whileWaiting, opts.heartbeatMs ?? 5000) : null;
    try {
      await abortable(previous, opts.signal);
    } catch (e) {
      // Cancelled while queued: our turn passes straight to the next batch when it comes.
      void previous.then(release);
      throw e;
    } finally {
      this.waiting--;
      if (timer !== null) clearInterval(timer);
    }
    try {
      return await compute();
    } finally {
      release();
    }
  }
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
