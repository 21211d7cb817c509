import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ComputeGate } from './compute-gate.js';

describe('ComputeGate', () => {
  it('runs computations one at a time, in arrival order', async () => {
    const gate = new ComputeGate();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await sleep(ms);
      log.push(`${name}-`);
      return name;
    };
    const results = await Promise.all([gate.run(job('a', 30)), gate.run(job('b', 5)), gate.run(job('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('passes the turn on when a computation throws', async () => {
    const gate = new ComputeGate();
    const failing = gate.run(async () => {
      throw new Error('boom');
    });
    const next = gate.run(async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('heartbeats while queued and lets a cancelled batch leave the queue', async () => {
    const gate = new ComputeGate();
    let finishFirst!: () => void;
    const first = gate.run(() => new Promise<string>((r) => (finishFirst = () => r('first'))));
    let beats = 0;
    const ac = new AbortController();
    const cancelled = gate.run(async () => 'never', {
      whileWaiting: () => beats++,
      heartbeatMs: 5,
      signal: ac.signal,
    });
    const third = gate.run(async () => 'third');
    await sleep(1);
    expect(gate.queued).toBe(2);
    await sleep(40);
    expect(beats).toBeGreaterThanOrEqual(3);
    ac.abort(new Error('activity cancelled'));
    await expect(cancelled).rejects.toThrow('activity cancelled');
    const seen = beats;
    await sleep(20);
    expect(beats).toBe(seen);
    finishFirst();
    await expect(first).resolves.toBe('first');
    await expect(third).resolves.toBe('third');
    expect(gate.queued).toBe(0);
  });
});
