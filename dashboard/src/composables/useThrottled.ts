import { onScopeDispose, shallowRef, watch, type Ref, type WatchSource } from 'vue';

/**
 * A value that follows `source` at most once per `everyMs`: charts redraw a few times a second
 * however fast the live events come, and the last value always lands.
 */
export function useThrottled<T>(source: WatchSource<unknown>, read: () => T, everyMs = 500): { value: Ref<T>; close: () => void } {
  const value = shallowRef(read()) as Ref<T>;
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const update = () => {
    timer = undefined;
    last = Date.now();
    value.value = read();
  };
  const stop = watch(source, () => {
    if (timer !== undefined) return;
    timer = setTimeout(update, Math.max(0, last + everyMs - Date.now()));
  });
  function close(): void {
    stop();
    clearTimeout(timer);
  }
  onScopeDispose(close);
  return { value, close };
}
