import type { DeadLetter, RedriveRequest, RedriveResult } from '../types';

export type DeadLetterState = 'waiting' | 'redriven' | 'all';

/** The query string of GET /api/dead-letters. */
export function deadLetterSearch(
  state: DeadLetterState,
  options: { limit?: number; cursor?: string | null } = {},
): URLSearchParams {
  const search = new URLSearchParams({ state });
  if (options.limit !== undefined) search.set('limit', String(options.limit));
  if (options.cursor) search.set('cursor', options.cursor);
  return search;
}

/** The question the confirmation asks before anything is sent. */
export function confirmQuestion(target: RedriveRequest, waiting: number, letters: readonly DeadLetter[] = []): string {
  if ('all' in target)
    return `Redrive all ${waiting} waiting dead letter${waiting === 1 ? '' : 's'}? Each stored webhook is published to the relay again.`;
  if (target.ids.length === 1) {
    const letter = letters.find((d) => d.id === target.ids[0]);
    const what = letter
      ? `webhook ${letter.webhookId}${letter.ticketNumber ? ` (ticket ${letter.ticketNumber})` : ''}`
      : `dead letter ${target.ids[0]}`;
    return `Redrive ${what}? It is published to the relay again.`;
  }
  return `Redrive ${target.ids.length} dead letters? Each stored webhook is published to the relay again.`;
}

/**
 * The result in words. Records redriven by someone else in the meantime are not redriven twice:
 * the answer then names fewer than were asked for, and the message says so.
 */
export function redriveSummary(target: RedriveRequest, result: RedriveResult): string {
  const done = `${result.redriven} dead letter${result.redriven === 1 ? '' : 's'} redriven`;
  if ('all' in target)
    return result.redriven === 0
      ? 'Nothing to redrive: no dead letter was waiting.'
      : `${done}: published to the relay again.`;
  const skipped = target.ids.filter((id) => !result.ids.includes(id));
  if (skipped.length === 0) return `${done}: published to the relay again.`;
  return `${done}; ${skipped.length === 1 ? `dead letter ${skipped[0]} was` : `dead letters ${skipped.join(', ')} were`} not waiting any more.`;
}
