/** A plain-text table: a header row, a rule, right-aligned numbers, left-aligned text. */
export type Cell = string | number | null | undefined;

export function formatTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (cell: Cell): string => (cell === null || cell === undefined ? '-' : String(cell));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => text(row[i]).length)));
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((cell, i) => (typeof cell === 'number' ? text(cell).padStart(widths[i] ?? 0) : text(cell).padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Rounds for display: integers stay integers, others get `digits` decimals. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
