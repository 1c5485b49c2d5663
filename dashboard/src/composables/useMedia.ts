import { onScopeDispose, ref } from 'vue';

/** Whether a media query matches, kept up to date. */
export function useMedia(query: string) {
  const list = window.matchMedia(query);
  const matches = ref(list.matches);
  const update = () => {
    matches.value = list.matches;
  };
  list.addEventListener('change', update);
  function close(): void {
    list.removeEventListener('change', update);
  }
  onScopeDispose(close);
  return { matches, close };
}
