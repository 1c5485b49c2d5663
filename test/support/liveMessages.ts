import { decodeLiveBatch, type LiveEvent } from '../../functions/src';
import type { CapturedMessage } from './broker';

/** The live events in messages captured from petzi.live: each line of a relay batch, or a single event's message. */
export function liveEventsIn(messages: readonly CapturedMessage[]): LiveEvent[] {
  return messages.flatMap((m) => {
    const lines = decodeLiveBatch(m.content, m.properties.headers as Record<string, unknown> | undefined);
    return lines ? lines.map((line) => JSON.parse(line.bytes.toString('utf8')) as LiveEvent) : [m.json() as LiveEvent];
  });
}
