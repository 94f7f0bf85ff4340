/** What the CLI prints: stable JSON for machines, short aligned text for people. */
import { writeOut } from '../platform/stdio';

export function printJson(value: unknown): void {
  writeOut(1, `${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ''): void {
  writeOut(1, `${line}\n`);
}

export function printErr(line: string): void {
  writeOut(2, `${line}\n`);
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  align?: 'left' | 'right';
}

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string[] {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] as string).length)));
  const fmt = (values: readonly string[]) =>
    values
      .map((v, i) => ((columns[i] as Column<T>).align === 'right' ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [fmt(columns.map((c) => c.header)), ...cells.map(fmt)];
}

/** `label  value` pairs with the labels padded to one width. */
export function formatPairs(pairs: readonly [string, string][], indent = '  '): string[] {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}
