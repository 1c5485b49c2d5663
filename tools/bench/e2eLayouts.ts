/** How `npm run bench:e2e` lays out the pipeline's processes, and the variants one run can interleave. */
export type Layout = 'one' | 'split';

/** Each host process of a layout and the settings it adds; webhooks go to the first. */
export const LAYOUTS: Record<Layout, Array<Record<string, string>>> = {
  one: [{}],
  split: [{ PETZI_FUNCTIONS: 'webhook,metrics,health,outbox,tickets,ticket,stats' }, { PETZI_FUNCTIONS: 'relay' }],
};

export interface LayoutChoice {
  /** As given on the command line ("one", "split@quorum"): the name the results carry. */
  name: string;
  layout: Layout;
  /** A built checkout whose host and bridge run instead of this tree's ("@before", "@<label>"). */
  root?: string;
  /** Settings every host process of the stack gets ("@classic", "@quorum"). */
  env: Record<string, string>;
}

/**
 * Labels after "@" that set the relay's queue type (PETZI_RELAY_QUEUE_TYPE) on this tree's code,
 * so that `--layouts one@classic,one@quorum` measures what quorum queues cost in one run. Any other
 * label names another built checkout: "before" (BENCH_BEFORE_ROOT) or a BENCH_ROOTS pair.
 */
const QUEUE_TYPES = ['classic', 'quorum'];

export const LAYOUTS_HELP = 'one or split, each optionally with @classic, @quorum, @before or @<label>';

/**
 * Parses one --layouts entry; throws a message naming what it takes. `rootOf` finds the checkout
 * of a label (support.ts labelledRoot) and throws when none is configured.
 */
export function parseLayout(name: string, rootOf: (setup: string, label: string) => string): LayoutChoice {
  const match = /^([a-z]+)(?:@([a-z0-9]+))?$/.exec(name);
  if (!match || !(match[1] in LAYOUTS))
    throw new Error(`--layouts takes ${LAYOUTS_HELP}, comma-separated; got "${name}"`);
  const [, layout, label] = match;
  const choice: LayoutChoice = { name, layout: layout as Layout, env: {} };
  if (label === undefined) return choice;
  if (QUEUE_TYPES.includes(label)) return { ...choice, env: { PETZI_RELAY_QUEUE_TYPE: label } };
  return { ...choice, root: rootOf(name, label) };
}
