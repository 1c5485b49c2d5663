import { parentPort, workerData } from 'node:worker_threads';
import { ReconnectingSseClient } from '../faults/sse';

/**
 * The e2e bench's SSE client, on a thread of its own. In the load generator's thread, the
 * moment an event is read waited on the generator's own work, which the bench then counted as
 * pipeline latency; a dashboard reads the stream on another machine.
 *
 * Messages in: 'collect' (reply with what was seen), 'close'.
 * Message out: { seen: Array<[id, firstSeenMs, receivedAtMs, relayedAtMs]> }.
 */
export type SeenRow = [id: number, firstSeen: number, receivedAt: number, relayedAt: number];

const port = parentPort;
if (!port) throw new Error('sseWorker runs as a worker thread');
// The key comes from the main thread: a worker has its own copy of support.ts, with another API_KEY.
const { url, headers } = workerData as { url: string; headers: Record<string, string> };
const client = new ReconnectingSseClient(url, headers, 500, true).start();

port.on('message', (message: unknown) => {
  if (message === 'collect') {
    const seen: SeenRow[] = [];
    for (const [id, at] of client.firstSeen) {
      const stamp = client.stamps.get(id);
      seen.push([id, at, stamp?.receivedAt ?? NaN, stamp?.relayedAt ?? NaN]);
    }
    port.postMessage({ seen });
  } else if (message === 'close') {
    client.close();
    port.close();
  }
});
port.postMessage('started');
