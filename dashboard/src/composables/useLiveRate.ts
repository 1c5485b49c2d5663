import { ref } from 'vue';

/**
 * Live events per second over the last `windowMs`, recomputed every second: what "Webhooks / s"
 * shows while the stream is live (the stats' per-minute count is a minute behind).
 */
export function useLiveRate(windowMs = 10_000) {
  const rate = ref(0);
  /** Arrival times, oldest first. */
  let arrivals: number[] = [];
  const started = Date.now();

  function count(n = 1, at = Date.now()): void {
    for (let i = 0; i < n; i += 1) arrivals.push(at);
  }

  function tick(now = Date.now()): void {
    const cut = arrivals.findIndex((t) => t > now - windowMs);
    arrivals = cut < 0 ? [] : arrivals.slice(cut);
    // In the first seconds the window is not full yet: divide by what has elapsed.
    const span = Math.min(windowMs, Math.max(1000, now - started));
    rate.value = (arrivals.length * 1000) / span;
  }

  const timer = setInterval(tick, 1000);

  function close(): void {
    clearInterval(timer);
  }

  return { rate, count, tick, close };
}
