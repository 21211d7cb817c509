/**
 * The least-privilege role layout (docs/deployment.md, "Roles"): the role that runs `sgn migrate`
 * owns the schema; three other roles get exactly the privileges their commands need, granted by
 * `sgn migrate --operator-role R --worker-role R --reader-role R` after the migrations, on every
 * run (so a table added by a later migration is granted too).
 *
 * - operator: `sgn sweep start|resume|pause|cancel` (registers sweeps, marks their status, deletes
 *   failed cells for `resume --retry-failed`) and everything a reader does;
 * - worker: `sgn worker` (reads specs, inserts results, moves a sweep's counters and status);
 * - reader: `sgn sweep list|status|results|band`, `sgn report`.
 *
 * None of them may change the schema, delete a sweep, or write a column outside its own part.
 * Must not import the generated client (the CLI prints the statements without loading it).
 */
import { quoteIdent } from './url.js';

export const ROLE_KINDS = ['operator', 'worker', 'reader'] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

/** sgn's tables, Prisma's bookkeeping included (test/roles.test.ts checks them against a migrated database). */
export const SGN_TABLES = [
  '_prisma_migrations',
  'sweeps',
  'cell_results',
  'stepsize_results',
  'stepsize_traces',
  'band_maps',
] as const;
/** The sequences behind sgn's serial columns. */
export const SGN_SEQUENCES = ['stepsize_results_id_seq', 'band_maps_id_seq'] as const;

/** The result tables: written by workers, emptied of failed cells by the operator's --retry-failed. */
const RESULT_TABLES = ['cell_results', 'stepsize_results', 'stepsize_traces', 'band_maps'] as const;

/** The columns of a sweep that move while it runs (status, error, counters, timestamps). */
export const SWEEP_PROGRESS_COLUMNS = [
  'status',
  'error',
  'done_cells',
  'failed_cells',
  'updated_at',
  'finished_at',
] as const;

interface Grant {
  readonly privilege: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'USAGE';
  /** Column privilege: only these columns. */
  readonly columns?: readonly string[];
  readonly on: 'TABLE' | 'SEQUENCE';
  readonly objects: readonly string[];
}

/** What each role may do, and nothing more. */
export const PRIVILEGES: Record<RoleKind, readonly Grant[]> = {
  operator: [
    { privilege: 'SELECT', on: 'TABLE', objects: SGN_TABLES },
    { privilege: 'INSERT', on: 'TABLE', objects: ['sweeps'] },
    { privilege: 'UPDATE', columns: SWEEP_PROGRESS_COLUMNS, on: 'TABLE', objects: ['sweeps'] },
    { privilege: 'DELETE', on: 'TABLE', objects: RESULT_TABLES },
  ],
  worker: [
    { privilege: 'SELECT', on: 'TABLE', objects: SGN_TABLES },
    { privilege: 'INSERT', on: 'TABLE', objects: RESULT_TABLES },
    // Also what lets the insert statement lock its sweep FOR KEY SHARE (db/cell-batches.ts).
    { privilege: 'UPDATE', columns: SWEEP_PROGRESS_COLUMNS, on: 'TABLE', objects: ['sweeps'] },
    { privilege: 'USAGE', on: 'SEQUENCE', objects: SGN_SEQUENCES },
  ],
  reader: [{ privilege: 'SELECT', on: 'TABLE', objects: SGN_TABLES }],
};

/** What each kind of role is for, as `sgn migrate` says it. */
export const ROLE_PURPOSE: Record<RoleKind, string> = {
  operator: 'sweep start|resume|pause|cancel and every read',
  worker: 'sgn worker: read specs, insert results, move counters',
  reader: 'sweep list|status|results|band, report: read only',
};

/**
 * The statements that give `role` exactly the privileges of `kind` on sgn's tables in `schema` of
 * `database`: connect and use the schema, nothing of what it held on those objects before (a
 * re-run, or a role that changed kind, keeps no stale privilege), then its own, and no CREATE on
 * the schema. Idempotent; run by the owner of the tables (or a superuser).
 */
export function grantStatements(kind: RoleKind, role: string, database: string, schema: string): string[] {
  const r = quoteIdent(role);
  const s = quoteIdent(schema);
  const names = (objects: readonly string[]): string =>
    objects.map((o) => `${s}.${quoteIdent(o)}`).join(', ');
  const out = [
    `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${r}`,
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `REVOKE CREATE ON SCHEMA ${s} FROM ${r}`,
    `REVOKE ALL ON TABLE ${names(SGN_TABLES)} FROM ${r}`,
    `REVOKE ALL ON SEQUENCE ${names(SGN_SEQUENCES)} FROM ${r}`,
  ];
  for (const g of PRIVILEGES[kind]) {
    const what = g.columns ? `${g.privilege} (${g.columns.map(quoteIdent).join(', ')})` : g.privilege;
    out.push(`GRANT ${what} ON ${g.on} ${names(g.objects)} TO ${r}`);
  }
  return out;
}
