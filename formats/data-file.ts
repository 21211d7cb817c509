/** Reading user files with bounded size and one clear error line per problem. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { DEFAULT_MAX_INPUT_BYTES, type SgnConfig } from '../config/config.js';
import { MiB } from '../config/units.js';
import { InputError } from '../sgn/util/errors.js';
import { dataTooDeep, lineOf, yamlFlowTooDeep } from './nesting.js';

// The general bound is a setting (SGN_MAX_INPUT_BYTES, default 64 MiB): its home is config/.
export { DEFAULT_MAX_INPUT_BYTES } from '../config/config.js';
/** YAML's document model takes ~90x the file (16 MB: 9 s, 1.4 GB), so YAML gets a tighter bound. */
export const MAX_YAML_BYTES = 8 * MiB;

/**
 * The bound on inputs, from the settings (SgnConfig.maxInputBytes, SGN_MAX_INPUT_BYTES); callers
 * without settings get the default.
 */
export type InputLimits = Pick<SgnConfig, 'maxInputBytes'>;
const DEFAULT_LIMITS: InputLimits = { maxInputBytes: DEFAULT_MAX_INPUT_BYTES };

const isYamlPath = (path: string): boolean => /\.ya?ml$/i.test(path);

/** The file's bytes, refused (before reading them) when over the bound for its kind. */
function readBoundedBytes(path: string, yaml: boolean, limits: InputLimits): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new InputError(path, 'cannot be read (no such file or no permission)');
  }
  try {
    // fstat on the open descriptor: the size checked is the size of the file being read.
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(path, 'is not a regular file');
    const general = limits.maxInputBytes;
    const limit = yaml ? Math.min(general, MAX_YAML_BYTES) : general;
    if (st.size > limit) {
      const which =
        limit < general
          ? `the YAML input limit of ${limit} (YAML parsing needs ~90x the file in memory; use JSON for large inputs)`
          : `the input limit of ${limit} (SGN_MAX_INPUT_BYTES)`;
      throw new InputError(path, `is ${st.size} bytes, over ${which}`);
    }
    // Read at most limit + 1 bytes, so a file that grows after fstat cannot slip past the bound.
    const buf = Buffer.allocUnsafe(Math.min(st.size, limit) + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > limit) throw new InputError(path, `grew past the input limit of ${limit} while being read`);
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, 'cannot be read (no such file or no permission)');
  } finally {
    closeSync(fd);
  }
}

/** A binary file's bytes (NumPy's .npy / .npz), under the general input bound. */
export function readBoundedBinary(path: string, limits: InputLimits = DEFAULT_LIMITS): Buffer {
  return readBoundedBytes(path, false, limits);
}

/**
 * The file as UTF-8 text. Binary data (a NUL byte, or bytes that are not UTF-8, e.g. an image
 * or a UTF-16 file) is refused by name: YAML would otherwise read it as one long string.
 */
export function readBoundedText(path: string, limits: InputLimits = DEFAULT_LIMITS): string {
  const bytes = readBoundedBytes(path, isYamlPath(path), limits);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new InputError(path, `is not a text file (NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(path, 'is not UTF-8 text (binary data or another encoding)');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM is not content
}

/** Parses JSON, or YAML for .yaml/.yml files. YAML is parsed as plain data (no custom tags). */
export function readDataFile(path: string, limits: InputLimits = DEFAULT_LIMITS): unknown {
  const text = readBoundedText(path, limits);
  const yaml = isYamlPath(path);
  if (yaml) {
    const at = yamlFlowTooDeep(text, MAX_NESTING);
    if (at >= 0) throw tooDeep(path, `at line ${lineOf(text, at)}`);
  }
  let data: unknown;
  try {
    data = yaml ? parseYamlData(text) : JSON.parse(text);
  } catch (e) {
    const first = e instanceof Error ? e.message.split('\n')[0] : String(e);
    // Parsers quote the offending input: keep control characters out of the one-line message.
    // eslint-disable-next-line no-control-regex -- control characters are what is replaced
    const detail = first.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').replace(/:$/, '');
    throw new InputError(path, `is not valid ${yaml ? 'YAML' : 'JSON'} (${detail})`);
  }
  // JSON.parse copes with any depth, but the code that reads the data recurses.
  const under = dataTooDeep(data, MAX_NESTING);
  if (under !== null) throw tooDeep(path, under ? `under ${under}` : 'at the top level');
  return data;
}

/** Lists and objects nested deeper than this are refused (valid inputs nest ~4 levels). */
export const MAX_NESTING = 64;

function tooDeep(path: string, where: string): InputError {
  return new InputError(path, `nests lists or objects more than ${MAX_NESTING} levels deep (${where})`);
}

/**
 * YAML as plain data. Warnings (e.g. an unresolved custom tag such as `!!foo`) are errors
 * too: yaml's own parse() would print them to stderr as multi-line process warnings and
 * go on with the untagged value. Aliases are expanded at most 100 times (a "billion laughs"
 * document fails fast instead of exhausting memory).
 */
function parseYamlData(text: string): unknown {
  const doc = parseDocument(text, { schema: 'core' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw problem;
  return doc.toJS({ maxAliasCount: 100 });
}
