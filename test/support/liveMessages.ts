import { decodeLiveBatch, type LiveEvent } from '../../functions/src';
import type { CapturedMessage } from './broker';

/** The live events in messages captured from petzi.live: each line of each relay batch, decoded as the bridge does. */
export function liveEventsIn(messages: readonly CapturedMessage[]): LiveEvent[] {
  return messages.flatMap((m) => decodeLiveBatch(m.content, m.properties).map((line) => JSON.parse(line.bytes.toString('utf8')) as LiveEvent));
}
