import { onScopeDispose, shallowRef, watch, type Ref, type WatchSource } from 'vue';

/**
 * A value that follows `source` at most once per `everyMs` (the first change after `phaseMs`):
 * charts redraw at most once a second however fast the live events come, and the last value
 * always lands.
 */
export function useThrottled<T>(
  source: WatchSource<unknown>,
  read: () => T,
  everyMs = 500,
  phaseMs = 0,
): { value: Ref<T>; close: () => void } {
  const value = shallowRef(read()) as Ref<T>;
  // Values with different phases update in different tasks.
  let last = Date.now() - everyMs + phaseMs;
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
