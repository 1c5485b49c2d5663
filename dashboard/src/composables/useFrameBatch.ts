/**
 * Collects items and hands them over in one batch per animation frame, so a burst of live events
 * costs one state update and one render per frame instead of one per event. A hidden tab gets no
 * frames: a timer flushes then, so the state never falls far behind.
 */
export function useFrameBatch<T>(flush: (items: T[]) => void, fallbackMs = 250) {
  let queue: T[] = [];
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function run(): void {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
    frame = undefined;
    timer = undefined;
    const items = queue;
    queue = [];
    if (items.length > 0) flush(items);
  }

  function push(item: T): void {
    queue.push(item);
    if (frame === undefined) frame = requestAnimationFrame(run);
    if (timer === undefined) timer = setTimeout(run, fallbackMs);
  }

  function close(): void {
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
    queue = [];
  }

  return { push, flush: run, close };
}
