/** The event-stream format (text/event-stream) read back: the one SSE parser of tests, benches and faults. */

export interface SseEvent {
  /** The last event id the stream set (it carries over to later events), or undefined if none yet. */
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseHandlers {
  event(e: SseEvent): void;
  comment?(text: string): void;
  retry?(ms: number): void;
}

export interface SseParser {
  push(text: string): void;
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * Parses the event-stream format as EventSource does: fields until a blank line, lines ending in
 * CRLF, LF or CR, `:` comments, `retry:`, a field without a colon as a field with an empty value.
 * A chunk may end anywhere, even between the CR and LF of one line end: partial lines wait.
 */
export function createSseParser(on: SseHandlers): SseParser {
  let buffer = '';
  // The last chunk ended on a CR: an LF starting the next one belongs to the same line end.
  let afterCr = false;
  let data: string[] = [];
  let event = '';
  let lastId: string | undefined;
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) on.event({ id: lastId, event: event || 'message', data: data.join('\n') });
      data = [];
      event = '';
      return;
    }
    if (text.startsWith(':')) {
      on.comment?.(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) on.retry?.(Number(value));
  };
  return {
    push(text) {
      if (text === '') return;
      buffer += afterCr && text.startsWith('\n') ? text.slice(1) : text;
      afterCr = false;
      let start = 0;
      LINE_END.lastIndex = 0;
      for (let match = LINE_END.exec(buffer); match; match = LINE_END.exec(buffer)) {
        line(buffer.slice(start, match.index));
        start = LINE_END.lastIndex;
        if (match[0] === '\r' && start === buffer.length) afterCr = true;
      }
      buffer = buffer.slice(start);
    },
  };
}
