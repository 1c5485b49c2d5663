import type { HttpRequest } from '@azure/functions';

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`Body larger than ${limit} bytes`);
  }
}

/**
 * Reads the raw body, refusing early: on the declared length when there is one, else as soon as
 * the streamed bytes pass the limit, so an oversized body is never buffered whole.
 */
export async function readBodyLimited(request: HttpRequest, limit: number): Promise<Buffer> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw new BodyTooLargeError(limit);
  if (declared !== null && /^\d+$/.test(declared)) {
    // The declared length bounds the body (HTTP framing), so it is read whole in one call rather
    // than chunk by chunk (the local host has already read and size-checked these bytes).
    const bytes = Buffer.from(await request.arrayBuffer());
    if (bytes.length > limit) throw new BodyTooLargeError(limit);
    return bytes;
  }
  const stream = request.body;
  if (!stream) return Buffer.alloc(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
