/** Live progress of a sweep on stderr: a redrawn line on a terminal, a line every few seconds otherwise. */
import type { SweepStatusReport } from '../app/sweeps.js';
import { progressLine } from './format.js';
import { workersLine } from '../app/pollers.js';

/** `label` names the sweep in the line; the rate is taken over the last ~15 s of samples. */
export function progressPrinter(
  label: (s: SweepStatusReport) => string,
  everyMs = 5000,
): (s: SweepStatusReport) => void {
  const tty = process.stderr.isTTY;
  const samples: { t: number; done: number }[] = [];
  let lastPrinted = 0;
  return (s) => {
    const now = Date.now();
    samples.push({ t: now, done: s.doneCells });
    while (samples.length > 2 && now - samples[0].t > 15_000) samples.shift();
    const first = samples[0];
    const rate = now > first.t + 500 ? ((s.doneCells - first.done) * 1000) / (now - first.t) : null;
    // A running sweep no worker polls for makes no progress: say that, not "0.0 cells/s".
    const idle = s.status === 'running' && s.workers?.length === 0;
    const line = `${label(s)} ${s.status}${s.progress?.paused ? ' (paused)' : ''} ${progressLine(s.doneCells, s.totalCells, idle ? null : rate)}${idle ? ` ${workersLine(s.taskQueue, [])}` : ''}`;
    const final = s.status !== 'running' && s.status !== 'paused';
    if (tty) process.stderr.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else if (now - lastPrinted > everyMs || s.status !== 'running') {
      process.stderr.write(`${line}\n`);
      lastPrinted = now;
    }
  };
}
