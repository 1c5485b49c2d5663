/**
 * CSV for spreadsheets: every field quoted (quotes doubled), CRLF line ends, and a field that a
 * spreadsheet would run as a formula (= + - @, or a tab or CR first) prefixed with ' so it
 * stays text: ticket data comes from outside and must not execute on the box office's machine.
 */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
