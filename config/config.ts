/**
 * The configuration: every setting sgn reads from its environment, validated once at start-up (the
 * CLI's main(), a worker's start, the demo, the tests' harnesses) into one frozen SgnConfig that is
 * passed down to what needs it (or the part it needs). Nothing else in the house reads
 * process.env: library functions take the values as parameters. A bad value is one InputError
 * naming the variable, which the CLI prints as one line with exit code 2, like any bad input.
 * docs/deployment.md has the table of settings (config.test.ts checks that it lists every one).
 *
 * What is checked here is what the text alone can tell. Checks that need I/O stay where the
 * setting is used, and name the variable there too: DATABASE_URL (db/url.ts parses it and reads
 * the certificate files it names), Temporal's profile file and certificates (workers/config.ts,
 * through @temporalio/envconfig), TEMPORAL_CLI_PATH's executable (local/temporal-cli.ts). So a
 * command that connects to nothing (sgn certify) reads no files it does not need, and a Temporal
 * profile file is only read by the commands that talk to Temporal.
 *
 * Blank values (empty, or spaces only) count as unset, except TEMPORAL_TLS, which must be true or
 * false whatever it is (@temporalio/envconfig would take an empty one for false).
 */
import { z } from 'zod';
import { InputError } from './errors.js';
import { GiB, MiB, parseByteSize } from './units.js';
import { parseFaults, type TestFaults } from './test-faults.js';

/** An environment: process.env, or a record standing for one (tests). */
export type Env = Readonly<Record<string, string | undefined>>;

// ---- defaults and bounds ----------------------------------------------------------------------

/** DATABASE_URL when unset: a local server's `sgn` database (created by sweep start or a worker). */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/sgn';
/**
 * Default bound for any input: JSON.parse needs ~4x the file in memory, so 64 MiB stays well under
 * Node's default heap and still holds an explicit d ~ 1800 game.
 */
export const DEFAULT_MAX_INPUT_BYTES = 64 * MiB;
/**
 * The most SGN_MAX_INPUT_BYTES may allow: V8's longest string is ~2^29 characters, so a larger
 * file could not be decoded into text anyway (and JSON.parse would need some 2 GiB besides).
 */
export const MAX_INPUT_BYTES_CEILING = 512 * MiB;
/** Sweeps with more cells are refused unless SGN_MAX_CELLS, spec.maxCells or --max-cells say more. */
export const DEFAULT_MAX_CELLS = 5_000_000;
/** The default cell memory limit is the smaller of this and half of the machine's memory. */
export const DEFAULT_MAX_CELL_MEMORY = 4 * GiB;
/** Default cell work limit, in floating-point operations (~10-20 minutes of one core here). */
export const DEFAULT_MAX_CELL_WORK = 1e12;
/** Batches a sweep workflow starts per execution before continuing as new (~7 history events each). */
export const DEFAULT_BATCHES_PER_RUN = 400;
/**
 * Temporal fails a workflow whose history passes 51,200 events; at ~7 events a batch, 5000
 * batches (~35,000 events) per execution leaves room for the signals and timers besides.
 */
export const MAX_BATCHES_PER_RUN = 5000;
/** Temporal's default limit on the length of names (task queues included). */
export const MAX_TASK_QUEUE_LENGTH = 1000;
/** `host:port`, `host` or `[v6]:port`: what TEMPORAL_ADDRESS (or a profile's address) must look like. */
export const TEMPORAL_ADDRESS_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+)(:\d{1,5})?$/;
/** The values TEMPORAL_TLS may take (@temporalio/envconfig reads 1 and true as on). */
const TLS_FLAGS = ['1', '0', 'true', 'false'];
/** Temporal's own variables (TEMPORAL_CLI_PATH is ours: the local dev server's executable). */
const TEMPORAL_VARIABLE = /^TEMPORAL_(?!CLI_PATH$)/;
/** The variables, besides TEMPORAL_*, that say where Temporal's TOML file is by default. */
const CONFIG_DIR_VARIABLES = ['HOME', 'XDG_CONFIG_HOME', 'APPDATA'];

// ---- one variable -----------------------------------------------------------------------------

type Parsed<T> = { readonly value: T } | { readonly problem: string };

/** A value quoted for a message: short, and with control characters escaped (one printable line). */
function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/**
 * A variable whose text `parse` reads into a value or a problem (the message after `VARIABLE: `).
 * Blank is unset (undefined), so that `VAR= command` turns a setting off as people expect.
 */
function variable<T>(parse: (text: string) => Parsed<T>) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const r = parse(raw);
      if ('value' in r) return r.value;
      ctx.addIssue({ code: 'custom', message: r.problem });
      return z.NEVER;
    });
}

const text = () => variable((t) => ({ value: t.trim() }));

/** A whole number from `min` to `max`, written as JavaScript reads numbers (400, 1e3). */
const integer = (min: number, max: number, what: string) =>
  variable((t) => {
    const v = Number(t);
    return Number.isSafeInteger(v) && v >= min && v <= max
      ? { value: v }
      : { problem: `${what}, got ${quoted(t)}` };
  });

/** A byte count: a number of bytes or a size with a unit (512MB, 4GB, 1.5GiB, 2G; config/units.ts). */
const bytes = (problem: string, max = Infinity) =>
  variable((t) => {
    const v = parseByteSize(t);
    return v !== undefined && v <= max ? { value: v } : { problem: `${problem}, got ${quoted(t)}` };
  });

/** SGN_DEBUG's rule: any value but empty, 0 or false (any case) is on. Never refuses a value. */
export function debugFlag(text: string | undefined): boolean {
  const v = text?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

// ---- the settings -----------------------------------------------------------------------------

/**
 * Every setting, by variable. The order is the order problems are found in (one is reported).
 * Unset values become their defaults here or in loadConfig, except where "unset" itself is what
 * the users of a setting need to know: the limits whose messages then say "the default limit",
 * the per-database task queue, and the TEMPORAL_* variables a profile may fill in.
 */
/**
 * What `sweep start` and `sgn worker` may change in their database (SGN_AUTO_MIGRATE):
 *   never   nothing: only `sgn migrate` creates and migrates (SGN_AUTO_MIGRATE=0, production);
 *   new     set up a new database: create one that does not exist, migrate one with no tables
 *           (the default: like Optuna's storage, a first sweep needs no set-up step), but leave
 *           a database behind the committed migrations to `sgn migrate`;
 *   always  also apply pending migrations (SGN_AUTO_MIGRATE=1: the tests, the demo, a laptop).
 * Read-only commands never create a database, whatever this says.
 */
export type AutoMigrate = 'never' | 'new' | 'always';

export const settingsSchema = z.object({
  /** PostgreSQL, as a libpq-style URL (db/url.ts parses it where a connection is made). */
  DATABASE_URL: text(),
  /**
   * What `sweep start` and workers may change in the database (AutoMigrate): unset, they set up a
   * new one (create a missing database, migrate an empty one) and leave upgrades to `sgn migrate`;
   * 1 also applies pending migrations; 0 changes nothing: in production only `sgn migrate`, run as
   * the role that owns the schema, does (docs/deployment.md, "Roles").
   */
  SGN_AUTO_MIGRATE: variable((t): Parsed<AutoMigrate> => {
    const v = t.trim().toLowerCase();
    if (v === '0' || v === 'false') return { value: 'never' };
    if (v === '1' || v === 'true') return { value: 'always' };
    return { problem: `must be 1 or 0, got ${quoted(t)}` };
  }).transform((v): AutoMigrate => v ?? 'new'),
  /** Spec and game files larger than this are refused before they are read (YAML: at most 8 MiB). */
  SGN_MAX_INPUT_BYTES: bytes(
    `must be a number of bytes or a size like 64MB, at most ${MAX_INPUT_BYTES_CEILING / MiB} MiB`,
    MAX_INPUT_BYTES_CEILING,
  ).transform((v) => v ?? DEFAULT_MAX_INPUT_BYTES),
  /** Sweeps with more cells are refused (spec.maxCells and --max-cells override it). */
  SGN_MAX_CELLS: integer(1, Number.MAX_SAFE_INTEGER, 'must be a positive integer'),
  /** Bytes one cell may add to a process (sweep/budget.ts); default min(4 GiB, half the machine). */
  SGN_MAX_CELL_MEMORY: bytes('must be a number of bytes or a size like 512MB, 4GB or 1.5GiB'),
  /** Estimated floating-point operations one cell may take (sweep/budget.ts); default 1e12. */
  SGN_MAX_CELL_WORK: variable((t) => {
    // Digits, a decimal point, an exponent and _ separators (1_000_000): no units, no words.
    const v = /^\s*[0-9.eE+_]+\s*$/.test(t) ? Number(t.trim().replace(/_/g, '')) : NaN;
    return Number.isFinite(v) && v >= 1
      ? { value: v }
      : { problem: `must be a positive number of floating-point operations (e.g. 1e12), got ${quoted(t)}` };
  }),
  /** Batches per workflow execution before continue-as-new (tests lower it to exercise that). */
  SGN_BATCHES_PER_RUN: integer(
    1,
    MAX_BATCHES_PER_RUN,
    `must be an integer from 1 to ${MAX_BATCHES_PER_RUN}`,
  ).transform((v) => v ?? DEFAULT_BATCHES_PER_RUN),
  /** The task queue of workers and clients; unset: one per database, sgn-sweeps-<key>. */
  SGN_TASK_QUEUE: variable((t) =>
    t.trim().length <= MAX_TASK_QUEUE_LENGTH
      ? { value: t.trim() }
      : { problem: `must be at most ${MAX_TASK_QUEUE_LENGTH} characters, got ${t.trim().length}` },
  ),
  /** Stack traces of unexpected errors (any value but 0 or false). */
  SGN_DEBUG: z
    .string()
    .optional()
    .transform((t) => debugFlag(t)),
  /** Test-only faults the compute thread injects, e.g. `5:kill,9:hang,12:slow=8000`. */
  SGN_TEST_FAULTS: variable((t): Parsed<TestFaults> => {
    try {
      return { value: [...parseFaults(t)] };
    } catch (e) {
      if (e instanceof InputError) return { problem: e.problem };
      throw e;
    }
  }).transform((v): TestFaults => v ?? []),
  /** The demo's size: small runs in well under a minute (npm run demo -- --small does the same). */
  SGN_DEMO_SCALE: variable((t): Parsed<'small' | 'full'> => {
    const v = t.trim();
    return v === 'small' || v === 'full'
      ? { value: v }
      : { problem: `must be small or full, got ${quoted(t)}` };
  }),
  /** Temporal's web UI, for the dashboard's links to a sweep's workflow page; unset: no links. */
  SGN_TEMPORAL_UI_URL: variable((t) => {
    const v = t.trim();
    return /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v)
      ? { value: v }
      : { problem: `must be an http(s) URL such as http://localhost:8233, got ${quoted(t)}` };
  }),
  /** The Temporal CLI for local dev servers (the demo's, the tests'); unset: `temporal` on PATH. */
  TEMPORAL_CLI_PATH: text(),
  /** Temporal's frontend, host:port (a TEMPORAL_PROFILE may give it instead). */
  TEMPORAL_ADDRESS: variable((t) =>
    TEMPORAL_ADDRESS_PATTERN.test(t) ? { value: t } : { problem: `must be host:port, got ${quoted(t)}` },
  ),
  /** TLS on or off (true/false, 1/0); as given, not trimmed: @temporalio/envconfig reads it so. */
  TEMPORAL_TLS: z
    .string()
    .optional()
    .refine((t) => t === undefined || TLS_FLAGS.includes(t), {
      error: (issue) => `must be true or false, got ${quoted(String(issue.input))}`,
    }),
});

/** Where Temporal's connection settings come from (workers/config.ts turns them into options). */
export interface TemporalSettings {
  /** SGN_TASK_QUEUE: used as given; unset, the queue is the database's own (sgn-sweeps-<key>). */
  readonly taskQueue?: string;
  /**
   * The TEMPORAL_* variables as given, and HOME, XDG_CONFIG_HOME and APPDATA (where the TOML file
   * is by default): @temporalio/envconfig reads them, over the profile of the TOML file. The ones
   * checkable from their text alone were checked above; the rest pass through to it. Blank ones
   * are left out, unset like every blank setting (envconfig would let an empty TEMPORAL_ADDRESS
   * hide a profile's address, and take an empty TEMPORAL_API_KEY for a key).
   */
  readonly variables: Readonly<Record<string, string>>;
}

/** The validated settings (read-only, frozen all the way down). */
export interface SgnConfig {
  /** DATABASE_URL, trimmed, or DEFAULT_DATABASE_URL. */
  readonly databaseUrl: string;
  /** Whether DATABASE_URL was set (the demo starts its own PostgreSQL when it was not). */
  readonly databaseUrlSet: boolean;
  /** SGN_AUTO_MIGRATE: what sweep start and workers may change in the database. */
  readonly autoMigrate: AutoMigrate;
  /** SGN_MAX_INPUT_BYTES (default DEFAULT_MAX_INPUT_BYTES). */
  readonly maxInputBytes: number;
  /** SGN_MAX_CELLS; unset: DEFAULT_MAX_CELLS, reported as "the default limit". */
  readonly maxCells?: number;
  /** SGN_MAX_CELL_MEMORY in bytes; unset: min(DEFAULT_MAX_CELL_MEMORY, half the machine's memory). */
  readonly maxCellMemory?: number;
  /** SGN_MAX_CELL_WORK in floating-point operations; unset: DEFAULT_MAX_CELL_WORK. */
  readonly maxCellWork?: number;
  /** SGN_BATCHES_PER_RUN (default DEFAULT_BATCHES_PER_RUN). */
  readonly batchesPerRun: number;
  /** SGN_DEBUG: stack traces of unexpected errors. */
  readonly debug: boolean;
  /** SGN_TEST_FAULTS (none by default). */
  readonly testFaults: TestFaults;
  /** SGN_DEMO_SCALE; unset: the demo's --small flag decides. */
  readonly demoScale?: 'small' | 'full';
  /** TEMPORAL_CLI_PATH; unset: `temporal` on PATH, or a copy the project obtains. */
  readonly temporalCliPath?: string;
  /** SGN_TEMPORAL_UI_URL: Temporal's web UI (the dashboard links there); unset: no links. */
  readonly temporalUiUrl?: string;
  readonly temporal: TemporalSettings;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The settings of `env` (the process's environment by default: the one place it is read), checked
 * once. Throws an InputError naming the first variable that is wrong and why (one line).
 */
export function loadConfig(env: Env = process.env): SgnConfig {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const s = parsed.data;
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && v.trim() !== '' && (TEMPORAL_VARIABLE.test(k) || CONFIG_DIR_VARIABLES.includes(k)))
      variables[k] = v;
  const config: SgnConfig = {
    databaseUrl: s.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    databaseUrlSet: s.DATABASE_URL !== undefined,
    autoMigrate: s.SGN_AUTO_MIGRATE,
    maxInputBytes: s.SGN_MAX_INPUT_BYTES,
    ...(s.SGN_MAX_CELLS !== undefined ? { maxCells: s.SGN_MAX_CELLS } : {}),
    ...(s.SGN_MAX_CELL_MEMORY !== undefined ? { maxCellMemory: s.SGN_MAX_CELL_MEMORY } : {}),
    ...(s.SGN_MAX_CELL_WORK !== undefined ? { maxCellWork: s.SGN_MAX_CELL_WORK } : {}),
    batchesPerRun: s.SGN_BATCHES_PER_RUN,
    debug: s.SGN_DEBUG,
    testFaults: s.SGN_TEST_FAULTS,
    ...(s.SGN_DEMO_SCALE !== undefined ? { demoScale: s.SGN_DEMO_SCALE } : {}),
    ...(s.TEMPORAL_CLI_PATH !== undefined ? { temporalCliPath: s.TEMPORAL_CLI_PATH } : {}),
    ...(s.SGN_TEMPORAL_UI_URL !== undefined ? { temporalUiUrl: s.SGN_TEMPORAL_UI_URL } : {}),
    temporal: {
      ...(s.SGN_TASK_QUEUE !== undefined ? { taskQueue: s.SGN_TASK_QUEUE } : {}),
      variables,
    },
  };
  return deepFreeze(config);
}

/**
 * Every setting at its default (an empty environment): what library functions use when their
 * caller passes no settings (tests, benchmarks). The entry points pass loadConfig()'s.
 */
export const DEFAULT_CONFIG: SgnConfig = loadConfig({});
