import { useLiveRate } from '../src/composables/useLiveRate';

describe('the live rate', () => {
  it('is the events of the last 10 s per second, and falls back to 0 when they stop', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const live = useLiveRate(10_000);
    try {
      jest.advanceTimersByTime(10_000);
      live.count(50);
      live.tick();
      expect(live.rate.value).toBe(5);
      jest.advanceTimersByTime(5_000);
      live.count(30);
      live.tick();
      expect(live.rate.value).toBe(8);
      // Ten seconds later the first 50 have left the window.
      jest.advanceTimersByTime(5_001);
      expect(live.rate.value).toBe(3);
      jest.advanceTimersByTime(10_000);
      expect(live.rate.value).toBe(0);
    } finally {
      live.close();
      jest.useRealTimers();
    }
  });
});
