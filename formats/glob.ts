/**
 * File globs for a sweep's `game.file: {glob: ...}`: `*` and `?` within a path segment, `[abc]`
 * classes, `**` for any number of directories; names starting with a dot are matched only by a
 * pattern segment starting with one (as shells do). Matches are regular files, returned as the
 * pattern spells them (relative stays relative) and sorted by code unit, so every machine that
 * sees the same directory lists the same files in the same order.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

const WILD = /[*?[]/;

function segmentRegex(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function entries(dir: string): { name: string; dir: boolean; file: boolean }[] {
  try {
    return (
      readdirSync(dir, { withFileTypes: true })
        .map((e) => {
          // Follow symbolic links: a checkpoints folder is often a link.
          let isDir = e.isDirectory();
          let isFile = e.isFile();
          if (e.isSymbolicLink()) {
            try {
              const st = statSync(join(dir, e.name));
              isDir = st.isDirectory();
              isFile = st.isFile();
            } catch {
              /* a dangling link matches nothing */
            }
          }
          return { name: e.name, dir: isDir, file: isFile };
        })
        // Sorted, so that which name a folder reached twice (through a link) is found by never varies.
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    );
  } catch {
    return [];
  }
}

/** The regular files `pattern` matches under `baseDir` (for a relative pattern), sorted. */
export function expandGlob(pattern: string, baseDir: string): string[] {
  const absolute = isAbsolute(pattern);
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const found = new Set<string>();
  // Folders `**` has entered (real paths, per pattern position): a link back up the tree ends there.
  const entered = new Set<string>();
  const walk = (dir: string, shown: string, k: number): void => {
    const seg = segments[k];
    const last = k === segments.length - 1;
    const path = (name: string): [string, string] => [
      join(dir, name),
      shown === '' ? name : `${shown}/${name}`,
    ];
    if (seg === '**') {
      if (last) return; // `dir/**` names directories, not files
      let real: string;
      try {
        real = `${k}:${realpathSync(dir)}`;
      } catch {
        return;
      }
      if (entered.has(real)) return;
      entered.add(real);
      walk(dir, shown, k + 1);
      for (const e of entries(dir)) if (e.dir && !e.name.startsWith('.')) walk(...path(e.name), k);
      return;
    }
    if (!WILD.test(seg)) {
      const [full, name] = path(seg);
      if (last) {
        try {
          if (statSync(full).isFile()) found.add(name);
        } catch {
          /* no such file */
        }
      } else walk(full, name, k + 1);
      return;
    }
    const re = segmentRegex(seg);
    for (const e of entries(dir)) {
      if (e.name.startsWith('.') && !seg.startsWith('.')) continue;
      if (!re.test(e.name)) continue;
      if (last ? e.file : e.dir) {
        const [full, name] = path(e.name);
        if (last) found.add(name);
        else walk(full, name, k + 1);
      }
    }
  };
  if (segments.length > 0) walk(absolute ? '/' : baseDir, absolute ? '' : '', 0);
  const out = [...found].map((p) => (absolute ? `/${p}` : p));
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
