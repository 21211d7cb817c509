/**
 * Parquet files written a row group at a time (hyparquet-writer): typed, nullable columns, rows
 * handed over in pages and buffered up to one row group, so memory stays bounded whatever the
 * number of rows. The file is written beside its name and renamed when complete: a failed
 * export leaves nothing half-written.
 */
import { renameSync, rmSync } from 'node:fs';
import { fileWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';

export type ColumnType = 'INT32' | 'DOUBLE' | 'BOOLEAN' | 'STRING';
export type Cell = number | string | boolean | null;

export interface TypedColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** Rows per row group: a few MB of buffered values for ~40 columns. */
export const ROW_GROUP_ROWS = 50_000;

function schemaElement({ name, type }: TypedColumn): SchemaElement {
  const repetition_type = 'OPTIONAL';
  return type === 'STRING'
    ? { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type }
    : { name, type, repetition_type };
}

export class ParquetFileStream {
  private readonly temp: string;
  private readonly writer: ParquetWriter;
  private buffered: (readonly Cell[])[] = [];
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly columns: readonly TypedColumn[],
    private readonly rowGroupRows = ROW_GROUP_ROWS,
  ) {
    this.temp = `${path}.partial-${process.pid}`;
    this.writer = new ParquetWriter({
      writer: fileWriter(this.temp),
      schema: [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)],
    });
  }

  /** Rows of cells in the columns' order. */
  append(rows: readonly (readonly Cell[])[]): void {
    for (const r of rows) {
      this.buffered.push(r);
      if (this.buffered.length >= this.rowGroupRows) this.writeGroup();
    }
  }

  private writeGroup(): void {
    const rows = this.buffered;
    if (rows.length === 0) return;
    this.buffered = [];
    // Synchronous: fileWriter appends to the file as its buffer passes 1 MB.
    void this.writer.write({
      columnData: this.columns.map((c, j) => ({ name: c.name, data: rows.map((r) => r[j]) })),
      rowGroupSize: rows.length,
    });
  }

  /** Writes the last row group and the footer, and gives the file its name. */
  finish(): void {
    this.writeGroup();
    void this.writer.finish();
    this.closed = true;
    renameSync(this.temp, this.path);
  }

  /** Removes the unfinished file (after a failure). */
  abandon(): void {
    if (!this.closed) rmSync(this.temp, { force: true });
    this.closed = true;
  }
}
