/**
 * Where a benchmarked sweep's wall time went, read back from the processes and from Temporal:
 * CPU used by each process involved (from /proc: the servers run on this machine) and the
 * workflow's activity timeline (queue wait, run time, and the phases of the sweep).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type pg from 'pg';

/** [on-CPU, waiting on a run queue] milliseconds of a process, all its threads (/proc/<pid>/task/<tid>/schedstat). */
export function schedMs(pid: number): [number, number] {
  let run = 0;
  let wait = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [r, w] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
        run += Number(r) / 1e6;
        wait += Number(w) / 1e6;
      } catch {
        // thread exited meanwhile
      }
    }
  } catch {
    // process gone
  }
  return [run, wait];
}

/** On-CPU milliseconds of a process, all threads, or 0 when gone. */
export function cpuMs(pid: number): number {
  return schedMs(pid)[0];
}

/** A process and its descendants (the Temporal CLI is started through a pyenv shim). */
function tree(pid: number): number[] {
  const out = [pid];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(' ') : []) out.push(...tree(Number(k)));
    }
  } catch {
    // exited meanwhile
  }
  return out;
}

/** On-CPU milliseconds of a process and its descendants. */
export function treeCpuMs(pid: number): number {
  return tree(pid).reduce((s, p) => s + cpuMs(p), 0);
}

/** [on-CPU, run-queue wait] milliseconds of a process's main thread (where a worker computes). */
export function mainThreadMs(pid: number): [number, number] {
  try {
    const [r, w] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
    return [Number(r) / 1e6, Number(w) / 1e6];
  } catch {
    return [0, 0];
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * The machine's CPU time stolen by the hypervisor (other guests), in jiffies summed over all
 * cores, from /proc/stat: a share of it over a measurement says how much of the machine was
 * not ours, whatever the load average says.
 */
export function stealJiffies(): { steal: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { steal: cpu[7] ?? 0, total: cpu.reduce((a, b) => a + b, 0) };
}

/** CPU of named processes plus every PostgreSQL backend connected to one database, between two points. */
export class CpuMeter {
  private readonly start = new Map<string, number>();
  private readonly mainStart = new Map<string, [number, number]>();
  private readonly backendStart = new Map<number, number>();

  constructor(
    private readonly pids: () => Record<string, number | undefined>,
    private readonly pgAdmin: pg.ClientBase,
    private readonly database: string,
  ) {}

  private async backends(): Promise<number[]> {
    const r = await this.pgAdmin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [this.database],
    );
    return r.rows.map((x) => x.pid);
  }

  async begin(): Promise<void> {
    for (const [k, pid] of Object.entries(this.pids())) {
      if (!pid) continue;
      this.start.set(k, treeCpuMs(pid));
      this.mainStart.set(k, mainThreadMs(pid));
    }
    for (const pid of await this.backends()) this.backendStart.set(pid, cpuMs(pid));
  }

  /** Main threads' [on-CPU, run-queue wait] ms since begin(), filled by end(). */
  readonly mainThreads: Record<string, [number, number]> = {};

  /** Milliseconds of CPU per process name since begin(); backends that closed meanwhile are missed. */
  async end(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [k, pid] of Object.entries(this.pids())) {
      if (!pid) continue;
      out[k] = treeCpuMs(pid) - (this.start.get(k) ?? 0);
      const [r, w] = mainThreadMs(pid);
      const [r0, w0] = this.mainStart.get(k) ?? [0, 0];
      this.mainThreads[k] = [r - r0, w - w0];
    }
    let pgMs = 0;
    for (const pid of await this.backends()) pgMs += cpuMs(pid) - (this.backendStart.get(pid) ?? 0);
    out['postgres backends'] = pgMs;
    return out;
  }
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

interface Ts {
  seconds?: number | { toNumber(): number } | null;
  nanos?: number | null;
}

function ms(ts: Ts | null | undefined): number {
  if (!ts) return NaN;
  const s = ts.seconds ?? 0;
  return (typeof s === 'number' ? s : s.toNumber()) * 1000 + (ts.nanos ?? 0) / 1e6;
}

export interface Timeline {
  /** Workflow start to the first batch's start (planning, status). */
  startupMs: number;
  /** First batch started to last batch completed. */
  batchesMs: number;
  /** Last batch completed to workflow completion (band aggregation, final status). */
  finishMs: number;
  batches: number;
  /** Mean time a batch waited in the task queue (scheduled -> started). */
  meanQueueMs: number;
  /** Mean batch activity run time (started -> completed). */
  meanRunMs: number;
  /** The final band-map step (a local activity): from its workflow task's start to its completion. */
  aggregateMs: number;
  /** Band-map rows that step inserted (the games no batch folded). */
  aggregateRows: number;
}

/** A local activity's marker: its type, completion time (ms) and result, when it is one. */
function localActivity(e: HistoryEvent): { type: string; completedAt: number; result: unknown } | null {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== 'core_local_activity') return null;
  const text = (key: string): string | undefined => {
    const data = m.details?.[key]?.payloads?.[0]?.data;
    return data ? Buffer.from(data).toString() : undefined;
  };
  const meta = JSON.parse(text('data') ?? '{}') as { activity_type?: string; complete_time?: Ts };
  const result = text('result');
  return {
    type: meta.activity_type ?? '?',
    completedAt: meta.complete_time ? ms(meta.complete_time) : NaN,
    result: result ? (JSON.parse(result) as unknown) : undefined,
  };
}

/** The sweep workflow's activity timeline (all runs of it, across continue-as-new). */
export async function sweepTimeline(address: string, workflowId: string): Promise<Timeline> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map<string, { type: string; at: number }>();
    const started = new Map<string, number>();
    let wfStart = NaN;
    let wfEnd = NaN;
    let firstBatch = Infinity;
    let lastBatch = -Infinity;
    let queue = 0;
    let run = 0;
    let batches = 0;
    let aggregateMs = NaN;
    let aggregateRows = NaN;
    let taskStarted = NaN;
    for (const e of events) {
      const at = ms(e.eventTime as Ts);
      if (e.workflowTaskStartedEventAttributes) taskStarted = at;
      const local = localActivity(e);
      if (local?.type === 'aggregateBands') {
        // Run inside the workflow task that started last (its marker is recorded when that task completes).
        aggregateMs = local.completedAt - taskStarted;
        aggregateRows = Number(local.result);
      }
      if (e.workflowExecutionStartedEventAttributes && Number.isNaN(wfStart)) wfStart = at;
      if (e.workflowExecutionCompletedEventAttributes) wfEnd = at;
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), { type: s.activityType?.name ?? '?', at });
      const st = e.activityTaskStartedEventAttributes;
      if (st) started.set(String(st.scheduledEventId), at);
      const c = e.activityTaskCompletedEventAttributes;
      if (c) {
        const id = String(c.scheduledEventId);
        const sch = scheduled.get(id);
        const begin = started.get(id) ?? NaN;
        if (sch?.type === 'runBatch') {
          batches++;
          queue += begin - sch.at;
          run += at - begin;
          firstBatch = Math.min(firstBatch, begin);
          lastBatch = Math.max(lastBatch, at);
        }
      }
    }
    return {
      startupMs: firstBatch - wfStart,
      batchesMs: lastBatch - firstBatch,
      finishMs: wfEnd - lastBatch,
      batches,
      meanQueueMs: queue / batches,
      meanRunMs: run / batches,
      aggregateMs,
      aggregateRows,
    };
  } finally {
    await connection.close();
  }
}
