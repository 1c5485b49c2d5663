/**
 * Spaces request starts 1/rate seconds apart. A slot missed because everything was busy is not
 * made up for later, so a stall never turns into a burst above the rate.
 */
export interface Pacer {
  /** Reserves the next slot; returns how many ms to wait before using it. */
  reserve(nowMs: number): number;
}

export function createPacer(ratePerSecond: number): Pacer {
  const interval = 1000 / ratePerSecond;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    reserve(nowMs) {
      const slot = Math.max(nextSlot, nowMs);
      nextSlot = slot + interval;
      return slot - nowMs;
    },
  };
}
