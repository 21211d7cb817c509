/**
 * `sgn migrate`: the one step that changes the schema (docs/deployment.md, "Roles"). Creates the
 * database when it is missing and the role may, applies the committed migrations (`prisma migrate
 * deploy`), then grants the operator, worker and reader roles it is given exactly their
 * privileges (db/roles.ts). Run as the role that owns the schema; everything else (workers, the
 * other commands) only checks that the schema is current.
 *
 * Every refusal is an InputError naming what to change (one line, exit 2): a role that does not
 * own the tables, a database it may not create, a schema it may not create tables in, a role to
 * grant that does not exist, is a superuser, or would inherit the owner's privileges.
 */
import pg from 'pg';
import { InputError } from '../sgn/util/errors.js';
import {
  committedMigrations,
  describeDatabase,
  ensureDatabase,
  migrateDeploy,
  parseDatabaseUrl,
  resolveSslPrefer,
  schemaBehind,
} from './client.js';
import { grantStatements, ROLE_KINDS, ROLE_PURPOSE, type RoleKind } from './roles.js';
import { postgresUnavailable } from './unavailable.js';

export interface MigrateOptions {
  /** Only check: exit 0 when the schema is current, else the "behind" line. Changes nothing. */
  readonly check?: boolean;
  /** Roles to grant, by kind. */
  readonly roles?: Partial<Record<RoleKind, string>>;
  /** Hears what was done, a line at a time. */
  readonly log: (line: string) => void;
}

export interface MigrateResult {
  readonly created: boolean;
  readonly applied: number;
  readonly granted: readonly string[];
}

interface State {
  readonly me: string;
  readonly superuser: boolean;
  /** The schema holding sgn's tables (or, before the first migration, the one they will go to). */
  readonly schema: string | null;
  /** Owner of the tables; null before the first migration. */
  readonly owner: string | null;
  /**
   * Whether this role is that owner (or there are no tables yet). Not a member of it nor a
   * superuser: the tables a migration creates belong to whoever runs it, and must be the owner's.
   */
  readonly ownsTables: boolean;
  /** Whether this role may create tables in `schema`. */
  readonly mayCreate: boolean;
}

function pgCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(await resolveSslPrefer(parseDatabaseUrl(url)));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

async function readState(c: pg.Client): Promise<State> {
  const { rows } = await c.query<{
    me: string;
    superuser: boolean;
    schema: string | null;
    owner: string | null;
    owns: boolean;
    may_create: boolean | null;
  }>(`
    SELECT current_user AS me,
      (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
      coalesce(n.nspname, current_schema()) AS schema,
      pg_get_userbyid(t.relowner) AS owner,
      t.oid IS NULL OR t.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AS owns,
      has_schema_privilege(coalesce(n.nspname, current_schema()), 'CREATE') AS may_create
    FROM (SELECT to_regclass('_prisma_migrations') AS oid) r
    LEFT JOIN pg_class t ON t.oid = r.oid
    LEFT JOIN pg_namespace n ON n.oid = t.relnamespace`);
  const s = rows[0];
  return {
    me: s.me,
    superuser: s.superuser,
    schema: s.schema,
    owner: s.owner,
    ownsTables: s.owns,
    mayCreate: s.may_create === true,
  };
}

async function appliedMigrations(c: pg.Client): Promise<Set<string>> {
  const { rows } = await c.query<{ migration_name: string }>(
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
  );
  return new Set(rows.map((r) => r.migration_name));
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The roles named, checked against each other before anything connects. */
export function checkRoleNames(roles: Partial<Record<RoleKind, string>>): void {
  const seen = new Map<string, RoleKind>();
  for (const kind of ROLE_KINDS) {
    const role = roles[kind];
    if (role === undefined) continue;
    if (role === '' || role.includes('\0') || Buffer.byteLength(role) > 63)
      throw new InputError(
        `--${kind}-role`,
        `must be a role name (1 to 63 bytes), got ${JSON.stringify(role)}`,
      );
    const other = seen.get(role);
    if (other !== undefined)
      throw new InputError(
        `--${kind}-role`,
        `"${role}" is already the ${other} role: each role gets the privileges of one kind`,
      );
    seen.set(role, kind);
  }
}

/** Refuses a role that would not be restricted by its grants, or does not exist. */
async function checkRole(c: pg.Client, kind: RoleKind, role: string, state: State): Promise<void> {
  // The owner: of the tables, or before the first migration this role, which will own them.
  const { rows } = await c.query<{ superuser: boolean; me: boolean; inherits: boolean }>(
    `SELECT rolsuper AS superuser, rolname = current_user AS me,
       pg_has_role(oid, coalesce((SELECT relowner FROM pg_class WHERE oid = to_regclass('_prisma_migrations')),
         (SELECT oid FROM pg_roles WHERE rolname = current_user)), 'MEMBER') AS inherits
     FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  const flag = `--${kind}-role`;
  const r = rows[0];
  if (!r)
    throw new InputError(
      flag,
      `role "${role}" does not exist: create it first (CREATE ROLE ... LOGIN, or a group role; db/roles.sql creates the four)`,
    );
  if (r.me)
    throw new InputError(
      flag,
      `"${role}" is the role sgn migrate runs as, the owner of the tables: name another`,
    );
  if (r.superuser)
    throw new InputError(flag, `role "${role}" is a superuser: no grant restricts it; name an ordinary role`);
  if (r.inherits)
    throw new InputError(
      flag,
      `role "${role}" is a member of "${state.owner ?? state.me}", the owner of the tables, and holds all its privileges: name a role outside it`,
    );
}

/**
 * Brings the database of `url` to the committed migrations (see the file comment); with `check`,
 * only says whether it is there.
 */
export async function migrateDatabase(url: string, opts: MigrateOptions): Promise<MigrateResult> {
  const cfg = parseDatabaseUrl(url);
  const where = describeDatabase(cfg);
  const roles = opts.roles ?? {};
  checkRoleNames(roles);
  let created = false;
  let c: pg.Client;
  try {
    c = await connect(url);
  } catch (e) {
    if (pgCode(e) !== '3D000') throw postgresUnavailable(e, url);
    if (opts.check) throw new InputError('DATABASE_URL', `${where} does not exist: run \`sgn migrate\``);
    try {
      created = await ensureDatabase(url);
    } catch (e2) {
      if (pgCode(e2) === '42501')
        throw new InputError(
          'DATABASE_URL',
          `${where} does not exist and role "${cfg.user}" may not create it: create it as a superuser (CREATE DATABASE ${cfg.database} OWNER ${cfg.user}; db/roles.sql does) or give the role CREATEDB`,
        );
      throw postgresUnavailable(e2, url);
    }
    if (created) opts.log(`created ${where}`);
    c = await connect(url);
  }
  let applied = 0;
  try {
    const state = await readState(c);
    if (!opts.check && !state.ownsTables)
      throw new InputError(
        'DATABASE_URL',
        `role "${state.me}" does not own the sgn tables of ${where} (their owner is "${state.owner}"): run \`sgn migrate\` as "${state.owner}"`,
      );
    // The roles are checked before anything changes: a typo migrates nothing.
    const named = ROLE_KINDS.filter((k) => roles[k] !== undefined);
    for (const kind of named) await checkRole(c, kind, roles[kind]!, state);
    const committed = committedMigrations();
    const done = state.owner === null ? new Set<string>() : await appliedMigrations(c);
    const pending = committed.filter((m) => !done.has(m));
    const unknown = [...done].filter((m) => !committed.includes(m));
    const newest = committed[committed.length - 1];
    if (opts.check) {
      if (pending.length > 0) throw schemaBehind(where, pending, committed.length);
      opts.log(`${where} is up to date (${plural(committed.length, 'migration')}, the newest ${newest})`);
    } else if (pending.length > 0) {
      if (state.owner === null && !state.mayCreate)
        throw new InputError(
          'DATABASE_URL',
          `role "${state.me}" may not create tables in schema "${state.schema ?? '(none)'}" of ${where}: make it the database's owner (ALTER DATABASE ${cfg.database} OWNER TO ${state.me}) or GRANT CREATE ON SCHEMA ${state.schema ?? 'public'} TO ${state.me}`,
        );
      await c.end();
      await migrateDeploy(url);
      applied = pending.length;
      opts.log(`applied ${plural(applied, 'migration')} to ${where} (now at ${newest})`);
      c = await connect(url);
    } else {
      opts.log(`${where} is up to date (${plural(committed.length, 'migration')}, the newest ${newest})`);
    }
    if (unknown.length > 0)
      opts.log(
        `note: ${where} has ${plural(unknown.length, 'migration')} this sgn does not know (${unknown.join(', ')}): a newer sgn migrated it`,
      );

    const granted: string[] = [];
    if (named.length > 0) {
      const after = await readState(c);
      await c.query('BEGIN');
      try {
        for (const kind of named)
          for (const sql of grantStatements(kind, roles[kind]!, cfg.database, after.schema ?? 'public'))
            await c.query(sql);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
      for (const kind of named) {
        granted.push(roles[kind]!);
        opts.log(`granted role "${roles[kind]}" the ${kind} privileges (${ROLE_PURPOSE[kind]})`);
      }
    }
    return { created, applied, granted };
  } finally {
    await c.end().catch(() => undefined);
  }
}
