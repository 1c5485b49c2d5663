/** A webhook id or a live event's seq: a positive integer that a JavaScript number holds exactly. */
export function isPositiveId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
