import type { ServerResponse } from 'node:http';
import type { LiveFrame } from './liveFrame';

export type DropReason = 'slow' | 'closed';

/**
 * One connected EventSource. Writes never wait: bytes the socket has not taken yet count
 * against `maxBufferedBytes`, and a client past it is disconnected (it resumes with
 * Last-Event-ID), so one slow reader costs bounded memory and never holds back the others.
 * While its backlog is replayed from Postgres, live frames are parked (within the same bound).
 */
export class SseClient {
  private live = false;
  private parked: LiveFrame[] = [];
  private parkedBytes = 0;
  /** Frames at or below this seq were already sent by the replay. */
  private sentThrough = 0;
  private gone = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBufferedBytes: number,
    private readonly onGone: (client: SseClient, reason: DropReason) => void,
  ) {
    res.once('close', () => this.leave('closed'));
  }

  get closed(): boolean {
    return this.gone;
  }

  /** Writes bytes unless the client is already too far behind, in which case it is dropped. */
  write(bytes: Buffer): boolean {
    if (this.gone) return false;
    const buffered = this.res.writableLength;
    if (buffered > 0 && buffered + bytes.length > this.maxBufferedBytes) {
      this.drop('slow');
      return false;
    }
    this.res.write(bytes);
    return true;
  }

  /** A live frame from the hub; true when written now. */
  offer(frame: LiveFrame): boolean {
    if (this.gone) return false;
    if (!this.live) {
      this.parked.push(frame);
      this.parkedBytes += frame.bytes.length;
      if (this.parkedBytes > this.maxBufferedBytes) this.drop('slow');
      return false;
    }
    if (frame.seq <= this.sentThrough) return false;
    this.sentThrough = frame.seq;
    return this.write(frame.bytes);
  }

  /**
   * Consecutive live frames and their joined bytes: one write when none was sent yet (the usual case). Returns how many
   * were written.
   */
  offerBatch(frames: LiveFrame[], joined: Buffer): number {
    if (this.live && !this.gone && frames[0].seq > this.sentThrough) {
      this.sentThrough = frames[frames.length - 1].seq;
      return this.write(joined) ? frames.length : 0;
    }
    let written = 0;
    for (const frame of frames) if (this.offer(frame)) written += 1;
    return written;
  }

  /**
   * The client already has everything up to seq (its Last-Event-ID): parked or replayed frames up to it are skipped.
   */
  startAfter(seq: number): void {
    this.sentThrough = Math.max(this.sentThrough, seq);
  }

  /** A replayed frame, written in seq order before the client goes live. */
  replay(frame: LiveFrame): boolean {
    if (frame.seq <= this.sentThrough) return false;
    this.sentThrough = frame.seq;
    return this.write(frame.bytes);
  }

  /**
   * Ends the replay: parked frames the replay already covered are skipped, the rest written in order. Returns how many
   * were written.
   */
  goLive(): number {
    if (this.gone || this.live) return 0;
    this.live = true;
    const parked = this.parked;
    this.parked = [];
    this.parkedBytes = 0;
    let written = 0;
    for (const frame of parked) if (this.offer(frame)) written += 1;
    return written;
  }

  /**
   * For the replay, which may wait for a client (unlike a broadcast): resolves once the response is not asking for a
   * drain, or the client is gone.
   */
  async roomToWrite(): Promise<void> {
    if (this.gone || !this.res.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Graceful end: a last comment, then the response is finished. */
  end(finalBytes: Buffer): void {
    if (this.gone) return;
    // Gone from here on: a write after end() would raise an error event on the response.
    this.gone = true;
    this.parked = [];
    this.res.end(finalBytes);
  }

  drop(reason: DropReason): void {
    if (this.gone) return;
    this.leave(reason);
    this.res.destroy();
  }

  private leave(reason: DropReason): void {
    if (this.gone) return;
    this.gone = true;
    this.parked = [];
    this.onGone(this, reason);
  }
}
