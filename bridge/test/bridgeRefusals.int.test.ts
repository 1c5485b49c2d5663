import { LIVE_IDS_HEADER, LIVE_SEQS_HEADER, type Logger } from '../../functions/src';
import { openSse } from '../../test/support/sse';
import { metricValue, startBridgeFixture, type BridgeFixture, type RelayedEvent } from './relayStandIn';

/**
 * The bridge accepts the one petzi.live form the relay publishes, a batch (docs/protocol.md): any
 * other message is refused, counted by reason and logged, and the event it carried still reaches
 * every client, filled from Postgres once the next batch shows the gap.
 */
let fx: BridgeFixture;
const warnings: string[] = [];
const log: Logger = { info: () => undefined, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };

beforeAll(async () => {
  fx = await startBridgeFixture({}, log);
});

afterAll(async () => {
  await fx.close();
});

const refused = (reason: string) =>
  metricValue(fx.bridge.url, 'bridge_live_messages_refused_total', `{reason="${reason}"}`);

type Form = (event: RelayedEvent) => Promise<void>;
const FORMS: Array<[string, string, Form]> = [
  [
    'a single event with its seq in x-petzi-seq',
    'type',
    (e) =>
      fx.relay.publishRaw(
        { content: Buffer.from(JSON.stringify(e.body)), headers: { 'x-petzi-seq': e.seq } },
        { type: '', contentType: 'application/json' },
      ),
  ],
  [
    'a single event as plain JSON',
    'type',
    (e) =>
      fx.relay.publishRaw(
        { content: Buffer.from(JSON.stringify(e.body)) },
        { type: '', contentType: 'application/json' },
      ),
  ],
  [
    'a batch without its headers',
    'headers',
    (e) => fx.relay.publishRaw({ content: Buffer.from(JSON.stringify(e.body)) }),
  ],
  [
    'a batch whose seqs go down',
    'order',
    (e) =>
      fx.relay.publishRaw({
        content: Buffer.from(`{}\n${JSON.stringify(e.body)}`),
        headers: { [LIVE_SEQS_HEADER]: [e.seq + 1, e.seq], [LIVE_IDS_HEADER]: [e.id, e.id] },
      }),
  ],
  [
    'a batch with a line too few',
    'lines',
    (e) =>
      fx.relay.publishRaw({
        content: Buffer.from(JSON.stringify(e.body)),
        headers: { [LIVE_SEQS_HEADER]: [e.seq, e.seq + 1], [LIVE_IDS_HEADER]: [e.id, e.id] },
      }),
  ],
  [
    'a batch whose line is not a JSON object',
    'line',
    (e) =>
      fx.relay.publishRaw({
        content: Buffer.from('[1]'),
        headers: { [LIVE_SEQS_HEADER]: [e.seq], [LIVE_IDS_HEADER]: [e.id] },
      }),
  ],
];

test.each(FORMS)(
  '%s is refused (reason %s), counted and logged; its event still reaches the client from Postgres',
  async (what, reason, publish) => {
    const client = await openSse(`${fx.bridge.url}/events`);
    try {
      const before = await refused(reason);
      const logged = warnings.length;
      const event = await fx.relay.commit();
      await publish(event);
      const deadline = Date.now() + 10_000;
      while ((await refused(reason)) === before) {
        if (Date.now() > deadline) throw new Error(`${what}: not counted as refused (${reason})`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await refused(reason)).toBe(before + 1);
      expect(warnings.slice(logged)).toEqual([expect.stringMatching(/^refused a message on \S+: /)]);
      // Nothing of it was written; the next batch leaves a gap the bridge fills from Postgres.
      expect(client.events).toEqual([]);
      const next = await fx.relay.relay();
      const events = await client.waitFor(2);
      expect(events.map((e) => Number(e.id))).toEqual([event.id, next.id]);
      await fx.settled();
    } finally {
      await client.close();
    }
  },
);
