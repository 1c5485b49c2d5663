import { ref, shallowRef, watch, type Ref } from 'vue';
import { createApiClient, errorText, type ApiClient } from '../api';
import { zonedDayStart, zonedToday } from '../format';

export type SalesRange = 'hour' | 'today' | 'week' | 'custom';

/**
 * The sales chart's date range. "Last hour" is the live per-minute series the dashboard keeps;
 * the others are asked of the API (hours for a day, days for longer), re-read every `everyMs`.
 */
export function useSalesRange(zone: Ref<string>, client: ApiClient = createApiClient(), everyMs = 30_000) {
  const range = ref<SalesRange>('hour');
  const customFrom = ref('');
  const customTo = ref('');
  const series = shallowRef<Array<{ at: string; tickets: number }>>([]);
  const error = ref<string | null>(null);
  let controller: AbortController | null = null;

  function bounds(): { from: string; to: string; bucket: 'hour' | 'day' } | null {
    const z = zone.value;
    const today = zonedToday(z);
    const dayAfter = (day: string) => {
      const d = new Date(`${day}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + 1);
      return d.toISOString().slice(0, 10);
    };
    const daysBefore = (day: string, n: number) => {
      const d = new Date(`${day}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() - n);
      return d.toISOString().slice(0, 10);
    };
    if (range.value === 'today')
      return { from: zonedDayStart(today, z)!, to: zonedDayStart(dayAfter(today), z)!, bucket: 'hour' };
    if (range.value === 'week')
      return { from: zonedDayStart(daysBefore(today, 6), z)!, to: zonedDayStart(dayAfter(today), z)!, bucket: 'day' };
    if (range.value === 'custom' && customFrom.value && customTo.value && customFrom.value <= customTo.value) {
      const from = zonedDayStart(customFrom.value, z);
      const to = zonedDayStart(dayAfter(customTo.value), z);
      if (!from || !to) return null;
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      return { from, to, bucket: days > 3 ? 'day' : 'hour' };
    }
    return null;
  }

  async function load(): Promise<void> {
    controller?.abort();
    const b = range.value === 'hour' ? null : bounds();
    if (!b) {
      series.value = [];
      return;
    }
    const own = new AbortController();
    controller = own;
    try {
      series.value = await client.sales({ ...b, zone: zone.value }, own.signal);
      error.value = null;
    } catch (caught) {
      if (!own.signal.aborted) error.value = errorText(caught);
    }
  }

  const stop = watch([range, customFrom, customTo, zone], () => void load());
  const timer = setInterval(() => {
    if (range.value !== 'hour') void load();
  }, everyMs);

  function close(): void {
    stop();
    clearInterval(timer);
    controller?.abort();
  }

  return { range, customFrom, customTo, series, error, close };
}
