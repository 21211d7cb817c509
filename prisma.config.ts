// Prisma CLI config: JS schema engine via the pg driver adapter, so generate and
// migrate deploy need no native engine download (see ../shared/notes/toolchain.md).
// Pass PrismaPg an object config, not a connection string: with a string the shadow
// database resolves to the main database.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { loadConfig } from './config/config.js';
import { parseDatabaseUrl, resolveSslPrefer } from './db/url.js';

// The one setting Prisma needs, through the configuration (its default included). Only
// DATABASE_URL is given to loadConfig: a bad value of another setting must not stop
// `prisma generate` (run before the tests) or a migration.
const { databaseUrl } = loadConfig({ DATABASE_URL: process.env.DATABASE_URL });

// The schema's `url = env("DATABASE_URL")` must resolve even when the variable is unset:
// otherwise the CLI cannot read engineType = "client" from the schema, falls back to the
// native library engine and tries to download it (fails offline).
process.env.DATABASE_URL = databaseUrl;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // allowExitOnIdle: the CLI never closes the adapter's pool; without it every command
  // lingers for pg's 10 s idle timeout before exiting. (migrate deploy has a second 10 s
  // linger, the schema engine's advisory-lock timer: db/client.ts migrateDeploy() unrefs it.)
  // The same URL -> config function as the workers, the CLI and the tests (db/url.ts): TLS
  // (sslmode, sslrootcert, ...), Unix sockets (host=/dir) and the other parameters alike.
  adapter: async () =>
    new PrismaPg({ ...(await resolveSslPrefer(parseDatabaseUrl(databaseUrl))), allowExitOnIdle: true }),
});
