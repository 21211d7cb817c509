/**
 * Files the CLI writes for users, never half-written: the bytes go to `<file>.partial-<pid>`
 * beside it, renamed over the file once complete; a failure removes the partial file and leaves
 * whatever was there before.
 */
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';

const partialName = (file: string): string => `${file}.partial-${process.pid}`;

/** Writes `data` to `file` whole, or not at all. */
export function writeFileAtomically(file: string, data: string | Uint8Array): void {
  const partial = partialName(file);
  try {
    writeFileSync(partial, data);
    renameSync(partial, file);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/** A file written a line at a time (memory of a line, not of the file), in place once finished. */
export interface LineFile {
  write(line: string): void;
  /** Renames the complete file into place. */
  finish(): void;
  /** Removes what was written (after a failure). */
  abandon(): void;
}

export function openLineFile(file: string): LineFile {
  const partial = partialName(file);
  const fd = openSync(partial, 'w');
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    write: (line) => {
      writeSync(fd, `${line}\n`);
    },
    finish: () => {
      close();
      renameSync(partial, file);
    },
    abandon: () => {
      close();
      rmSync(partial, { force: true });
    },
  };
}

/** Runs `fill` on a line file: in place when it returns, removed when it throws. */
export async function withLineFile<T>(file: string, fill: (f: LineFile) => T | Promise<T>): Promise<T> {
  const f = openLineFile(file);
  try {
    const result = await fill(f);
    f.finish();
    return result;
  } catch (e) {
    f.abandon();
    throw e;
  }
}

/** Where JSON lines go: a line file, or stdout's lines. */
export interface LineSink {
  write(line: string): void;
}

/**
 * A JSON array written an element a line: `add` a page of elements (one write per page), then
 * `end`. An element's comma waits for the next element, so no pass over the rows is needed first.
 */
export interface JsonArrayLines {
  add(items: Iterable<unknown>): void;
  /** Closes the array; returns how many elements it holds. */
  end(): number;
}

export function jsonArrayLines(sink: LineSink): JsonArrayLines {
  let previous: string | null = null;
  let count = 0;
  sink.write('[');
  return {
    add: (items) => {
      const lines: string[] = [];
      for (const item of items) {
        if (previous !== null) lines.push(`${previous},`);
        previous = JSON.stringify(item);
        count++;
      }
      if (lines.length > 0) sink.write(lines.join('\n'));
    },
    end: () => {
      if (previous !== null) sink.write(previous);
      sink.write(']');
      return count;
    },
  };
}

/**
 * Writes `items` as one JSON array, an element a line, whole or not at all: no string of the
 * whole document is built (a band map of millions of cells is larger than V8's longest string).
 */
export async function writeJsonArray(file: string, items: Iterable<unknown>): Promise<number> {
  return withLineFile(file, (f) => {
    const json = jsonArrayLines(f);
    for (const item of items) json.add([item]);
    return json.end();
  });
}
