import type { DeadLetter, Delivery } from '../../functions/src';

/** Plain columns for a terminal; --json gives the API's objects instead. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function more(cursor: string | null): string {
  return cursor ? `\nmore: --cursor ${cursor}` : '';
}

export function deliveryTable(items: Delivery[], cursor: string | null): string {
  if (items.length === 0) return 'no deliveries';
  const rows = items.map((d) => [
    String(d.id),
    d.receivedAt,
    String(d.status),
    d.outcome,
    String(d.bodyBytes),
    d.webhookId === null ? '-' : String(d.webhookId),
    d.sourceAddress ?? '-',
    d.bodySha256 ? d.bodySha256.slice(0, 12) : '-',
  ]);
  return table(['id', 'received at', 'status', 'outcome', 'bytes', 'webhook', 'source', 'sha256'], rows) + more(cursor);
}

export function deadLetterTable(items: DeadLetter[], cursor: string | null, waiting: number): string {
  const head = `${waiting} waiting`;
  if (items.length === 0) return head;
  const rows = items.map((d) => [
    String(d.id),
    String(d.webhookId),
    d.ticketNumber ?? '-',
    String(d.tries),
    d.deadLetteredAt,
    d.redrivenAt ?? 'waiting',
    d.reason.slice(0, 100),
  ]);
  return `${head}\n${table(['id', 'webhook', 'ticket', 'tries', 'dead-lettered at', 'redriven at', 'reason'], rows)}${more(cursor)}`;
}
