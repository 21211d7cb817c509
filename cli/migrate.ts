/**
 * `sgn migrate [--check] [--operator-role R] [--worker-role R] [--reader-role R] [--print-grants]`:
 * the schema step of a deployment (db/migrate.ts), run as the role that owns the schema, before
 * the workers start; and the grants of the least-privilege roles (db/roles.ts).
 */
import { InputError } from '../sgn/util/errors.js';
import { DEFAULT_CONFIG, type SgnConfig } from '../config/config.js';
import { parseDatabaseUrl } from '../db/url.js';
import { grantStatements, ROLE_KINDS, type RoleKind } from '../db/roles.js';
import { parse } from './args.js';

export const migrateUsage =
  'sgn migrate [--check] [--operator-role R] [--worker-role R] [--reader-role R] [--print-grants]';

/** `config`: the settings main() built (tests calling this directly get the defaults). */
export async function runMigrate(
  argv: string[],
  out: (s: string) => void,
  config: SgnConfig = DEFAULT_CONFIG,
): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      check: { type: 'boolean', default: false },
      'print-grants': { type: 'boolean', default: false },
      'operator-role': { type: 'string' },
      'worker-role': { type: 'string' },
      'reader-role': { type: 'string' },
    },
    'migrate',
  );
  if (positionals.length)
    throw new InputError('migrate', `takes no positional arguments; usage: ${migrateUsage}`);
  const roles: Partial<Record<RoleKind, string>> = {};
  for (const kind of ROLE_KINDS) {
    const role = values[`${kind}-role`];
    if (role !== undefined) roles[kind] = role;
  }
  const named = Object.keys(roles).length > 0;
  if (values.check && (named || values['print-grants']))
    throw new InputError('--check', 'only checks the schema: it takes no role flags nor --print-grants');
  const url = config.databaseUrl;
  const cfg = parseDatabaseUrl(url);
  // Loaded after the settings are checked: the migration code brings in the database client.
  const { checkRoleNames, migrateDatabase } = await import('../db/migrate.js');
  checkRoleNames(roles);
  if (values['print-grants']) {
    if (!named)
      throw new InputError(
        '--print-grants',
        'needs at least one of --operator-role, --worker-role, --reader-role',
      );
    // For a DBA who applies them by hand (psql), after the migrations: sgn's tables in schema public.
    for (const kind of ROLE_KINDS) {
      const role = roles[kind];
      if (role === undefined) continue;
      out(`-- the ${kind} role`);
      for (const sql of grantStatements(kind, role, cfg.database, 'public')) out(`${sql};`);
    }
    return 0;
  }
  await migrateDatabase(url, { check: values.check, roles, log: out });
  return 0;
}
