/**
 * Watches how many results a sweep has stored (polling the database) so the fault suite can
 * say how long progress stalled after a fault. Tolerates the database being down.
 */
import type { PrismaClient } from '../../db/client.js';

const POLL_MS = 200;

export class ProgressMonitor {
  private stored = 0;
  /** Times (ms since epoch) at which the stored count was seen to grow. */
  private readonly increases: number[] = [];
  private timer: NodeJS.Timeout | null;
  private polling = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sweepId: string,
  ) {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const n = await this.prisma.cellResult.count({ where: { sweepId: this.sweepId } });
      if (n > this.stored) {
        this.stored = n;
        this.increases.push(Date.now());
      }
    } catch {
      // The database may be down on purpose; the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  private async until<T>(probe: () => T | null, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== null) return v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, POLL_MS / 2));
    }
  }

  /** Resolves once at least `n` cells are stored. */
  waitForStored(n: number, timeoutMs: number): Promise<number> {
    return this.until(() => (this.stored >= n ? this.stored : null), timeoutMs, `${n} stored cells`);
  }

  /** Milliseconds from `since` until the stored count next grows. */
  nextProgressAfter(since: number, timeoutMs: number): Promise<number> {
    return this.until(
      () => {
        const t = this.increases.find((x) => x > since);
        return t === undefined ? null : t - since;
      },
      timeoutMs,
      `progress of ${this.sweepId} after a fault`,
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
