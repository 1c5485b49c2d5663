/**
 * The SSE frames of GET /events (docs/protocol.md). Every frame ends with a blank line, so frames
 * can be written whole in any order. The bridge is their only writer and browsers' EventSource
 * their reader; bridge/test/sseFrames.test.ts reads them back with the harness's EventSource-like
 * parser (tools/harness/sse.ts).
 */

export const RETRY_MS = 2000;

export function retryFrame(ms: number = RETRY_MS): Buffer {
  return Buffer.from(`retry: ${ms}\n\n`);
}

/** A comment line; EventSource ignores it, proxies see traffic. */
export function commentFrame(text: string): Buffer {
  return Buffer.from(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
}

/**
 * The same frame around bytes received as they are; they must be one line (a line of a relay batch, see
 * decodeLiveBatch).
 */
export function eventFrameOfBytes(id: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`id: ${id}\nevent: ticket\ndata: `), data, Buffer.from('\n\n')]);
}

/** `data` must be one line: JSON.stringify output never contains a raw newline. */
export function eventFrame(id: number, data: string): Buffer {
  return Buffer.from(`id: ${id}\nevent: ticket\ndata: ${data}\n\n`);
}
