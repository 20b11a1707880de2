/** Plain-text tables for `npm run ops` (its default output; `--json` prints the API's answers instead). */

export const table = (headers: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
};

/** `2026-06-01T12:00:00.000Z` -> `2026-06-01 12:00:00Z`. */
export const when = (iso: string | undefined): string =>
  iso === undefined ? '' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

/** How long ago, roughly: `3d 4h`, `2h 5m`, `40s`. */
export const age = (iso: string, nowMs: number): string => {
  let seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3_600);
  seconds -= hours * 3_600;
  const minutes = Math.floor(seconds / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m`;
  return `${seconds}s`;
};

/** Wraps a paragraph at `width`, each line indented. */
export const wrap = (text: string, indent: string, width = 100): string => {
  const lines: string[] = [];
  let current = '';
  // A `quoted command` is never cut.
  for (const word of text.match(/`[^`]*`\S*|\S+/g) ?? []) {
    if (current !== '' && indent.length + current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') lines.push(current);
  return lines.map((line) => `${indent}${line}`).join('\n');
};
