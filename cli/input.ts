/** Reading user files with bounded size and one clear error line per problem. */
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { InputError } from '../sgn/util/errors.js';

/** Inputs larger than this are refused before parsing (override with SGN_MAX_INPUT_BYTES). */
export function maxInputBytes(): number {
  const env = process.env.SGN_MAX_INPUT_BYTES;
  const v = env ? Number(env) : 256 * 1024 * 1024;
  return Number.isFinite(v) && v > 0 ? v : 256 * 1024 * 1024;
}

export function readBoundedText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(path, 'is not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, 'cannot be read (no such file or no permission)');
  }
  const limit = maxInputBytes();
  if (size > limit)
    throw new InputError(path, `is ${size} bytes, over the input limit of ${limit} (SGN_MAX_INPUT_BYTES)`);
  return readFileSync(path, 'utf8');
}

/** Parses JSON, or YAML for .yaml/.yml files. YAML is parsed as plain data (no custom tags). */
export function readDataFile(path: string): unknown {
  const text = readBoundedText(path);
  const yaml = /\.ya?ml$/i.test(path);
  try {
    return yaml ? parseYamlData(text) : JSON.parse(text);
  } catch (e) {
    const detail = (e instanceof Error ? e.message.split('\n')[0] : String(e)).replace(/:$/, '');
    throw new InputError(path, `is not valid ${yaml ? 'YAML' : 'JSON'} (${detail})`);
  }
}

/**
 * YAML as plain data. Warnings (e.g. an unresolved custom tag such as `!!foo`) are errors
 * too: yaml's own parse() would print them to stderr as multi-line process warnings and
 * go on with the untagged value.
 */
function parseYamlData(text: string): unknown {
  const doc = parseDocument(text, { schema: 'core' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw problem;
  return doc.toJS({ maxAliasCount: 100 });
}
