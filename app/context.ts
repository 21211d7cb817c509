/**
 * What the application layer works through: the sweep database (migrated as asked) and, opened
 * on first use, a Temporal client on that database's task queue.
 */
import { Client, Connection } from '@temporalio/client';
import type { AutoMigrate, SgnConfig } from '../config/config.js';
import { createPrisma, prepareSchema, type PrismaClient } from '../db/client.js';
import { postgresUnavailable } from '../db/unavailable.js';
import {
  scopedTaskQueue,
  temporalConfig,
  temporalConnectionOptions,
  temporalUnavailable,
  type TemporalConfig,
} from '../workers/config.js';

export interface SweepContext {
  /** The settings it was opened with (start-up's SgnConfig): the app's operations read theirs here. */
  readonly config: SgnConfig;
  readonly prisma: PrismaClient;
  /** Temporal's address and namespace, and the task queue of this database (workers/config.ts). */
  readonly temporal: TemporalConfig;
  client(): Promise<Client>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The settings, built once at start-up: the database, Temporal's variables, the limits. */
  readonly config: SgnConfig;
  /** Another database than `config.databaseUrl` (the demo's embedded PostgreSQL). */
  readonly databaseUrl?: string;
  /** Temporal's settings when the caller has them already (else from `config.temporal`). */
  readonly temporal?: TemporalConfig;
  /**
   * What may change in the database (db/client.ts prepareSchema). Default: SGN_AUTO_MIGRATE's
   * (config.autoMigrate); 'never' only checks the schema.
   */
  readonly autoMigrate?: AutoMigrate;
  /**
   * Whether this command may set up a new database (create a missing one, migrate an empty one):
   * sweep start and the demo. Default false: read-only commands refuse a missing database rather
   * than create it (a mistyped DATABASE_URL would otherwise leave an empty database behind).
   */
  readonly create?: boolean;
  /** Hears one line when the database was created or migrated. */
  readonly log?: (line: string) => void;
}

/** Opens the database (checking its schema, or migrating it) and, lazily, a Temporal client. */
export async function openContext(opts: OpenOptions): Promise<SweepContext> {
  const { config } = opts;
  const url = opts.databaseUrl ?? config.databaseUrl;
  const prisma = createPrisma(url);
  let key: string;
  try {
    ({ key } = await prepareSchema(prisma, url, {
      autoMigrate: opts.autoMigrate ?? config.autoMigrate,
      create: opts.create ?? false,
      log: opts.log,
    }));
  } catch (e) {
    await prisma.$disconnect().catch(() => undefined);
    throw postgresUnavailable(e, url);
  }
  const temporal = scopedTaskQueue(opts.temporal ?? temporalConfig(config.temporal), key);
  let connection: Connection | null = null;
  let client: Client | null = null;
  return {
    config,
    prisma,
    temporal,
    async client() {
      if (!client) {
        try {
          connection = await Connection.connect({
            ...temporalConnectionOptions(temporal),
            connectTimeout: '5s',
          });
        } catch (e) {
          throw await temporalUnavailable(temporal, e);
        }
        client = new Client({ connection, namespace: temporal.namespace });
      }
      return client;
    },
    async close() {
      await connection?.close();
      await prisma.$disconnect();
    },
  };
}
