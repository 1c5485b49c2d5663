import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { keyHeaders } from './support';
import type { SeenRow } from './sseWorker';

/** An SSE client running on its own thread (sseWorker.ts), asked for what it saw. */
export class SseThread {
  private constructor(private readonly worker: Worker) {}

  static async start(url: string): Promise<SseThread> {
    const worker = new Worker(path.join(__dirname, 'sseWorker.js'), { workerData: { url, headers: keyHeaders() } });
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => resolve());
    });
    return new SseThread(worker);
  }

  /** Every id seen so far, with when it was first read and the pipeline's stamps. */
  collect(): Promise<Map<number, { firstSeen: number; receivedAt: number; relayedAt: number }>> {
    return new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', (message: { seen: SeenRow[] }) => {
        this.worker.off('error', reject);
        resolve(
          new Map(
            message.seen.map(([id, firstSeen, receivedAt, relayedAt]) => [id, { firstSeen, receivedAt, relayedAt }]),
          ),
        );
      });
      this.worker.postMessage('collect');
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('close');
    await exited;
  }
}
