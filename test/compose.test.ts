// The production set-up (docker-compose.yml, Dockerfile, .dockerignore), checked without a
// Docker engine: the files parse, the services reference each other consistently, and the
// worker image runs a command that really exists in this project.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseDatabaseUrl } from '../db/url.js';
import { runCli } from './support/processes.js';
import { projectRoot } from './support/reference.js';
import { NODE_FLAGS } from '../workers/node-flags.js';

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function dict(v: unknown, what: string): Dict {
  if (!isDict(v)) throw new Error(`${what} is not a mapping`);
  return v;
}

function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new Error(`${what} is not a list of strings`);
  return v;
}

const read = (file: string): string => readFileSync(join(projectRoot, file), 'utf8');

const compose = dict(parseYaml(read('docker-compose.yml')), 'docker-compose.yml');
const services = dict(compose.services, 'services');
const service = (name: string): Dict => dict(services[name], `services.${name}`);

/** A service's environment, from either the list (`- K=V`) or the mapping form. */
function env(name: string): Record<string, string> {
  const e = service(name).environment;
  const out: Record<string, string> = {};
  if (Array.isArray(e)) {
    for (const item of strings(e, `services.${name}.environment`)) {
      const i = item.indexOf('=');
      out[i < 0 ? item : item.slice(0, i)] = i < 0 ? '' : item.slice(i + 1);
    }
  } else if (e !== undefined) {
    for (const [k, v] of Object.entries(dict(e, `services.${name}.environment`))) out[k] = String(v);
  }
  return out;
}

function dependsOn(name: string): string[] {
  const d = service(name).depends_on;
  if (d === undefined) return [];
  return Array.isArray(d) ? strings(d, `services.${name}.depends_on`) : Object.keys(dict(d, 'depends_on'));
}

/** A command in exec form (a list), or a shell-form string split on spaces. */
function argv(v: unknown, what: string): string[] {
  if (typeof v === 'string') return v.trim().split(/\s+/);
  return strings(v, what);
}

/** Dockerfile instructions, with line continuations joined and comments dropped. */
function dockerfileInstructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l);
      if (!m) throw new Error(`cannot read Dockerfile line: ${l}`);
      return { op: m[1].toUpperCase(), args: m[2] };
    });
}

function durationSeconds(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(s.trim());
  if (!m) throw new Error(`cannot read duration ${s}`);
  return Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1);
}

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal, the Temporal UI and the worker', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker']),
    );
  });

  it('keeps PostgreSQL 16 data in a named volume', () => {
    const pg = service('postgresql');
    expect(pg.image).toBe('postgres:16');
    const volumes = strings(pg.volumes, 'postgresql.volumes');
    const data = volumes.find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(data).toBeDefined();
    const volumeName = data!.split(':')[0];
    expect(Object.keys(dict(compose.volumes, 'volumes'))).toContain(volumeName);
    expect(env('postgresql').POSTGRES_USER).toBeTruthy();
    expect(env('postgresql').POSTGRES_PASSWORD).toBeTruthy();
  });

  it("runs temporalio/auto-setup on that PostgreSQL, with the postgresql service's credentials", () => {
    const t = service('temporal');
    expect(String(t.image)).toMatch(/^temporalio\/auto-setup:/);
    expect(dependsOn('temporal')).toContain('postgresql');
    const te = env('temporal');
    const pe = env('postgresql');
    expect(te.DB).toBe('postgres12');
    expect(te.DB_PORT).toBe('5432');
    expect(te.POSTGRES_SEEDS).toBe('postgresql');
    expect(services).toHaveProperty(te.POSTGRES_SEEDS);
    expect(te.POSTGRES_USER).toBe(pe.POSTGRES_USER);
    expect(te.POSTGRES_PWD).toBe(pe.POSTGRES_PASSWORD);
  });

  it('serves temporalio/ui on port 8080, pointed at the temporal service', () => {
    const ui = service('temporal-ui');
    expect(String(ui.image)).toMatch(/^temporalio\/ui:/);
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(strings(ui.ports, 'temporal-ui.ports').some((p) => /:8080$/.test(p))).toBe(true);
  });

  describe('worker', () => {
    const worker = service('worker');

    it('builds from the local Dockerfile', () => {
      const build = worker.build;
      const context = typeof build === 'string' ? build : dict(build, 'worker.build').context;
      expect(context).toBe('.');
      expect(existsSync(join(projectRoot, 'Dockerfile'))).toBe(true);
    });

    it('scales: no container_name, no published ports', () => {
      expect(worker).not.toHaveProperty('container_name');
      expect(worker).not.toHaveProperty('ports');
    });

    it("reaches the postgresql and temporal services by name, with postgresql's credentials", () => {
      const we = env('worker');
      const db = parseDatabaseUrl(we.DATABASE_URL);
      expect(services).toHaveProperty(db.host);
      expect(db.host).toBe('postgresql');
      expect(db.port).toBe(5432);
      expect(db.user).toBe(env('postgresql').POSTGRES_USER);
      expect(db.password).toBe(env('postgresql').POSTGRES_PASSWORD);
      expect(db.database).toBe('sgn');

      const [host, port] = we.TEMPORAL_ADDRESS.split(':');
      expect(services).toHaveProperty(host);
      expect(host).toBe('temporal');
      expect(port).toBe('7233');
      // The database's own task queue (workers/config.ts), which the CLI finds from the database too.
      expect(we.SGN_TASK_QUEUE).toBeUndefined();
      expect(dependsOn('worker')).toEqual(expect.arrayContaining(['postgresql', 'temporal']));
    });

    it('restarts, and stops gracefully (SIGTERM, longer grace than the worker drains for)', () => {
      expect(worker.restart).toBe('unless-stopped');
      expect(worker.stop_signal).toBe('SIGTERM');
      const grace = durationSeconds(String(worker.stop_grace_period));
      const drain = /shutdownGraceTime:\s*'([^']+)'/.exec(read('workers/worker.ts'));
      expect(drain, 'shutdownGraceTime in workers/worker.ts').not.toBeNull();
      expect(grace).toBeGreaterThan(durationSeconds(drain![1]));
    });
  });
});

/**
 * What a worker command runs: the node flags, the TypeScript entry file and the `sgn`
 * subcommand with its flags. Accepts `node [flags] --import tsx [flags] <file> ...`,
 * `tsx [flags] <file> ...` and `npm run <script> -- ...`.
 */
function entryPoint(cmd: string[]): { nodeFlags: string[]; file: string; args: string[] } {
  const pkg = dict(JSON.parse(read('package.json')), 'package.json');
  const scripts = dict(pkg.scripts, 'package.json scripts');
  if (cmd[0] === 'npm') {
    const run = cmd.indexOf('run');
    expect(run, `npm command ${cmd.join(' ')}`).toBeGreaterThan(0);
    const script = scripts[cmd[run + 1]];
    expect(typeof script, `npm script "${cmd[run + 1]}" in package.json`).toBe('string');
    const rest = cmd.slice(run + 2);
    const inner = entryPoint(String(script).split(/\s+/));
    return { ...inner, args: [...inner.args, ...(rest[0] === '--' ? rest.slice(1) : rest)] };
  }
  expect(['node', 'tsx']).toContain(cmd[0]);
  const rest = cmd.slice(1);
  if (cmd[0] === 'node') {
    const i = rest.indexOf('--import');
    expect(i, 'node --import tsx').toBeGreaterThanOrEqual(0);
    expect(rest[i + 1]).toBe('tsx');
    rest.splice(i, 2);
  }
  const f = rest.findIndex((a) => !a.startsWith('-'));
  expect(f, `entry file in ${cmd.join(' ')}`).toBeGreaterThanOrEqual(0);
  return { nodeFlags: rest.slice(0, f), file: rest[f], args: rest.slice(f + 1) };
}

/** The Dockerfile's ENTRYPOINT and CMD (exec form). */
function dockerExec(op: 'ENTRYPOINT' | 'CMD'): string[] {
  const found = dockerfileInstructions(read('Dockerfile'))
    .filter((i) => i.op === op)
    .at(-1);
  expect(found, `Dockerfile ${op}`).toBeDefined();
  return strings(JSON.parse(found!.args), `Dockerfile ${op}`);
}

describe('the worker command (the image: ENTRYPOINT node <flags> dist/cli/sgn.js, CMD its arguments)', () => {
  let help = '';
  beforeAll(async () => {
    const r = await runCli(['--help'], {});
    expect(r.code).toBe(0);
    help = r.stdout;
  });

  const composeCmd = argv(service('worker').command, 'worker.command');
  const entrypoint = dockerExec('ENTRYPOINT');

  it('the ENTRYPOINT runs the compiled CLI with node and the flags sgn processes run with, no tsx', () => {
    expect(entrypoint[0]).toBe('node');
    const file = entrypoint.findIndex((a, i) => i > 0 && !a.startsWith('-'));
    expect(file, `entry file in ${entrypoint.join(' ')}`).toBe(entrypoint.length - 1);
    expect(entrypoint.slice(1, file)).toEqual(NODE_FLAGS);
    expect(entrypoint.join(' ')).not.toMatch(/tsx/);
    // dist/cli/sgn.js is what `npm run build` makes of cli/sgn.ts (tsconfig.build.json).
    expect(entrypoint[file]).toBe('dist/cli/sgn.js');
    const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions: { outDir: string; rootDir: string };
      include: string[];
    };
    expect(build.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    expect(build.include).toContain('cli');
    expect(existsSync(join(projectRoot, 'cli', 'sgn.ts'))).toBe(true);
  });

  it('compose runs `sgn worker` through it, with flags the CLI has', () => {
    expect(composeCmd[0]).toBe('worker');
    // The subcommand and its flags are registered in cli/sgn.ts.
    const usage = help.split('\n').find((l) => l.trim().startsWith('sgn worker'));
    expect(usage, `"sgn worker" in:\n${help}`).toBeDefined();
    for (const flag of composeCmd.slice(1).filter((a) => a.startsWith('--'))) expect(usage).toContain(flag);
    // `command: ["migrate"]` (a one-shot set-up of the database) is a command too.
    expect(help).toMatch(/^\s+sgn migrate\b/m);
  });

  it('is the Dockerfile CMD too', () => {
    expect(dockerExec('CMD')).toEqual(composeCmd);
  });
});

describe('every launcher passes NODE_FLAGS (workers/node-flags.ts)', () => {
  const scripts = dict(dict(JSON.parse(read('package.json')), 'package.json').scripts, 'scripts');

  it('npm run sgn, npm run bench and npm run demo (its workers run in-process)', () => {
    expect(entryPoint(['npm', 'run', 'sgn', '--', 'worker'])).toMatchObject({
      nodeFlags: NODE_FLAGS,
      file: 'cli/sgn.ts',
    });
    for (const script of ['bench', 'demo'])
      expect(entryPoint(String(scripts[script]).split(/\s+/)).nodeFlags, script).toEqual(NODE_FLAGS);
  });

  it('the installed bin/sgn.js', () => {
    const spawnArgs = /spawn\(\s*process\.execPath,\s*\[([^\]]*)\]/.exec(read('bin/sgn.js'));
    expect(spawnArgs).not.toBeNull();
    for (const flag of NODE_FLAGS) expect(spawnArgs![1]).toContain(`'${flag}'`);
  });
});

describe('Dockerfile', () => {
  const ins = dockerfileInstructions(read('Dockerfile'));
  const runs = ins.filter((i) => i.op === 'RUN').map((i) => i.args);

  it('builds on node:20-bookworm-slim: npm ci, npm run build, the workflow bundle; runs on production dependencies', () => {
    const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThanOrEqual(1);
    for (const f of froms) expect(f).toBe('node:20-bookworm-slim');
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(runs.some((r) => r.includes('dist/scripts/bundle-workflows.js'))).toBe(true);
    expect(existsSync(join(projectRoot, 'scripts/bundle-workflows.ts'))).toBe(true);
    // The image the ENTRYPOINT runs in (the last stage) has no dev dependencies and runs no tsx.
    const last = ins.map((i) => i.op).lastIndexOf('FROM');
    const final = ins.slice(last);
    const finalRuns = final.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(finalRuns.some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(final.map((i) => i.args).join('\n')).not.toMatch(/\btsx\b/);
    const pkg = dict(JSON.parse(read('package.json')), 'package.json');
    expect(Object.keys(dict(pkg.dependencies, 'dependencies'))).not.toContain('tsx');
    // Migrations run in the image (a worker's start, `sgn migrate`): the Prisma CLI is a dependency.
    expect(Object.keys(dict(pkg.dependencies, 'dependencies'))).toContain('prisma');
    // npm ci accepts the lockfile as it is: no fallback to npm install.
    expect(runs.some((r) => /npm install/.test(r))).toBe(false);
  });

  it('copies files that exist', () => {
    // COPY --from=<stage> copies from an earlier stage, not from the project.
    for (const copy of ins.filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(existsSync(join(projectRoot, src)), src).toBe(true);
    }
  });

  it('runs as a non-root user', () => {
    const users = ins.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
  });
});

describe('.dockerignore', () => {
  it('keeps host installs, generated code and scratch output out of the image', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'generated', '.tmp', 'bench-out', '.git']),
    );
  });
});
