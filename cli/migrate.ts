/**
 * `sgn migrate`: create the database of DATABASE_URL if it is missing and apply the committed
 * migrations, then exit. Workers and `sweep start` do the same before they begin; this runs it
 * alone, e.g. as a one-shot container before the workers (`command: ["migrate"]` in compose).
 */
import { InputError } from '../sgn/util/errors.js';
import { databaseUrl, parseDatabaseUrl, redactUrl } from '../db/url.js';
import { postgresUnavailable } from '../db/unavailable.js';
import { parse } from './args.js';

export const migrateUsage = 'sgn migrate';

export async function runMigrate(argv: string[], out: (s: string) => void): Promise<number> {
  const { positionals } = parse(argv, {}, 'migrate');
  if (positionals.length) throw new InputError('migrate', `takes no arguments; usage: ${migrateUsage}`);
  const url = databaseUrl();
  parseDatabaseUrl(url); // a malformed DATABASE_URL: one line, exit 2, before Prisma loads
  const { committedMigrations, createPrisma, prepareSchema } = await import('../db/client.js');
  const prisma = createPrisma(url, { max: 1 });
  try {
    const state = await prepareSchema(prisma, url, {
      create: true,
      log: (line) => process.stderr.write(`sgn migrate: ${line}\n`),
    }).catch((e: unknown) => {
      throw postgresUnavailable(e, url);
    });
    if (state.applied === 0)
      out(`${redactUrl(url)} is up to date (${committedMigrations().length} migrations)`);
    return 0;
  } finally {
    await prisma.$disconnect();
  }
}
