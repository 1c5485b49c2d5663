import { computed, onScopeDispose, ref, watch, type Ref } from 'vue';

/**
 * Which rows of a long list are in view: rows have one fixed height, so the window is two
 * divisions, whatever the length (10,000 rows cost what 30 do). Nothing is measured in the
 * page: reading a row's height after each change forced a layout per row per frame.
 */
export function useRowWindow(
  scroller: Ref<HTMLElement | null>,
  count: Ref<number>,
  rowHeight: Ref<number>,
  overscan = 6,
) {
  const scrollTop = ref(0);
  const viewport = ref(800);

  const onScroll = () => {
    if (scroller.value) scrollTop.value = scroller.value.scrollTop;
  };
  const resize = new ResizeObserver(() => {
    if (scroller.value) viewport.value = scroller.value.clientHeight;
  });
  const stop = watch(
    scroller,
    (el, before) => {
      before?.removeEventListener('scroll', onScroll);
      if (before) resize.unobserve(before);
      if (!el) return;
      el.addEventListener('scroll', onScroll, { passive: true });
      resize.observe(el);
      viewport.value = el.clientHeight || viewport.value;
      scrollTop.value = el.scrollTop;
    },
    { immediate: true },
  );

  const start = computed(() =>
    Math.max(0, Math.min(count.value, Math.floor(scrollTop.value / rowHeight.value) - overscan)),
  );
  const end = computed(() =>
    Math.min(count.value, Math.ceil((scrollTop.value + viewport.value) / rowHeight.value) + overscan),
  );
  const padTop = computed(() => start.value * rowHeight.value);
  const padBottom = computed(() => (count.value - end.value) * rowHeight.value);

  /** Scrolls so that row `index` is in view (not moving if it already is). */
  function scrollToIndex(index: number, headerHeight = 0): void {
    const el = scroller.value;
    if (!el) return;
    const top = index * rowHeight.value;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight.value > el.scrollTop + el.clientHeight - headerHeight)
      el.scrollTop = top + rowHeight.value - el.clientHeight + headerHeight;
    scrollTop.value = el.scrollTop;
  }

  function close(): void {
    stop();
    scroller.value?.removeEventListener('scroll', onScroll);
    resize.disconnect();
  }
  onScopeDispose(close);

  return { start, end, padTop, padBottom, scrollToIndex, close };
}
