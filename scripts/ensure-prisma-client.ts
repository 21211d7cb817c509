// Make sure the generated Prisma client (generated/prisma, gitignored) exists and matches
// prisma/schema.prisma. Fast no-op when nothing changed (a stamp file holds a hash of the
// inputs). Wired as npm `postinstall`, `pretest` and `presgn`.
//
//   tsx scripts/ensure-prisma-client.ts [--force] [--optional] [--quiet]
//
// --optional: if the Prisma CLI (a devDependency) is missing, e.g. `npm ci --omit=dev`,
//             warn and exit 0 instead of failing (used by postinstall).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const force = args.has('--force');
const optional = args.has('--optional');
const quiet = args.has('--quiet');

const schemaPath = join(root, 'prisma', 'schema.prisma');
const outDir = join(root, 'generated', 'prisma');
const stampPath = join(root, 'generated', '.prisma-client.hash');
const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') {
      return pkg.version;
    }
  } catch {
    // not installed
  }
  return 'missing';
}

function inputsHash(): string {
  const h = createHash('sha256');
  for (const file of [schemaPath, join(root, 'prisma.config.ts')]) {
    h.update(file).update('\0');
    h.update(existsSync(file) ? readFileSync(file) : 'missing').update('\0');
  }
  h.update(`prisma@${packageVersion('prisma')} @prisma/client@${packageVersion('@prisma/client')}`);
  return h.digest('hex');
}

const hash = inputsHash();
const current = existsSync(stampPath) ? readFileSync(stampPath, 'utf8').trim() : '';
if (!force && current === hash && existsSync(join(outDir, 'client.ts'))) {
  if (!quiet) console.log('Prisma client is up to date (generated/prisma).');
  process.exit(0);
}

let cli: string;
try {
  cli = require.resolve('prisma/build/index.js');
} catch {
  const msg = 'The Prisma CLI (devDependency "prisma") is not installed, cannot generate the Prisma client.';
  if (optional) {
    console.warn(`warning: ${msg} Skipping.`);
    process.exit(0);
  }
  console.error(`error: ${msg} Run \`npm install\` (with dev dependencies).`);
  process.exit(1);
}

const result = spawnSync(process.execPath, [cli, 'generate'], {
  cwd: root,
  stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  env: { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
if (result.status !== 0 || !existsSync(join(outDir, 'client.ts'))) {
  console.error(`error: \`prisma generate\` failed (${result.error?.message ?? `exit ${result.status}`}).`);
  process.exit(1);
}
mkdirSync(dirname(stampPath), { recursive: true });
writeFileSync(stampPath, `${hash}\n`);
