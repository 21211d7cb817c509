/** Where the project's files are, from the sources (`config/`) or the compiled build (`dist/config/`). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above `from` holding prisma.config.ts: `..` from config/, `../..` from dist/config/. */
function projectRoot(from: string): string {
  for (let d = join(from, '..'); ; d = dirname(d)) {
    if (existsSync(join(d, 'prisma.config.ts'))) return d;
    if (dirname(d) === d) return join(from, '..');
  }
}

/** Project root (the directory holding prisma.config.ts, migrations and the local caches). */
export const PROJECT_ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));
