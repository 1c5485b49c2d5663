import { ref } from 'vue';

/** The dashboard's views; each has its own address (#/deliveries), so a link or a reload keeps it. */
export const VIEWS = [
  { id: 'tickets', hash: '#/', label: 'Live tickets' },
  { id: 'deliveries', hash: '#/deliveries', label: 'Deliveries' },
  { id: 'dead-letters', hash: '#/dead-letters', label: 'Dead letters' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/** The view a location hash names; anything else is the live tickets. */
export function viewOf(hash: string): ViewId {
  return VIEWS.find((v) => v.hash === hash)?.id ?? 'tickets';
}

/** The current view, following the address (links, back and forward). */
export function useView() {
  const view = ref<ViewId>(viewOf(window.location.hash));
  const onHash = () => (view.value = viewOf(window.location.hash));
  window.addEventListener('hashchange', onHash);
  return { view, close: () => window.removeEventListener('hashchange', onHash) };
}
