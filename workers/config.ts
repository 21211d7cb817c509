/** Where workers and clients find Temporal: from the environment, with local defaults. */
export interface TemporalConfig {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /**
   * True: `taskQueue` is a prefix, and the queue actually used is `<taskQueue>-<database key>`
   * (see scopedTaskQueue). Set when SGN_TASK_QUEUE is not; absent or false: used as given.
   */
  readonly perDatabaseQueue?: boolean;
}

/** The default task queue's prefix. */
export const DEFAULT_TASK_QUEUE = 'sgn-sweeps';

/**
 * A worker is bound to one database: it reads the spec of every batch it is given from its own
 * DATABASE_URL and writes the rows there. Workers of two databases polling one task queue would
 * take each other's batches and compute them against the wrong database (or fail them with
 * "not in the database"). So unless SGN_TASK_QUEUE names a queue, the queue is scoped to the
 * database: `sgn-sweeps-<key>`, with the key derived from the database itself (db/client.ts
 * databaseKey: its name and a random id stored in it when it was first migrated), not from the
 * URL, so that a worker reaching PostgreSQL as `postgresql:5432` (docker compose) and a CLI
 * reaching it as `localhost:5432` agree. Workers also check each activity's workflow id against
 * the sweep's stored one (workers/worker.ts), which catches two databases given one queue by hand.
 */
export function temporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const explicit = env.SGN_TASK_QUEUE?.trim();
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: explicit || DEFAULT_TASK_QUEUE,
    perDatabaseQueue: !explicit,
  };
}

/** The config with its task queue fixed for the database of key `databaseKey`. */
export function scopedTaskQueue(config: TemporalConfig, databaseKey: string): TemporalConfig {
  if (!config.perDatabaseQueue) return config;
  return { ...config, taskQueue: `${config.taskQueue}-${databaseKey}`, perDatabaseQueue: false };
}
