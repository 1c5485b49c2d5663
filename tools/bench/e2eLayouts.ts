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
  /** A built checkout whose host and bridge run instead of this tree's ("@before"). */
  root?: string;
  /** Settings every process of the stack gets ("@classic", "@quorum"). */
  env: Record<string, string>;
}

/**
 * After "@": before runs the host and bridge compiled in BENCH_BEFORE_ROOT (another checkout,
 * built), an A/B of a change on a drifting machine; classic and quorum set PETZI_RELAY_QUEUE_TYPE,
 * so that `--layouts one@classic,one@quorum` measures what quorum queues cost in one run.
 */
const VARIANTS = ['before', 'classic', 'quorum'] as const;

export const LAYOUTS_HELP = 'one, split, or either with @before, @classic or @quorum';

/** Parses one --layouts entry; throws a message naming what it takes. */
export function parseLayout(name: string, env: Readonly<Record<string, string | undefined>>): LayoutChoice {
  const [layout, variant, ...rest] = name.split('@');
  if (!(layout in LAYOUTS) || rest.length > 0 || (variant !== undefined && !(VARIANTS as readonly string[]).includes(variant))) {
    throw new Error(`--layouts takes ${LAYOUTS_HELP}; got "${name}"`);
  }
  const choice: LayoutChoice = { name, layout: layout as Layout, env: {} };
  if (variant === 'before') {
    const root = env.BENCH_BEFORE_ROOT;
    if (!root) throw new Error(`${name} needs BENCH_BEFORE_ROOT: a built checkout of the code to compare with`);
    return { ...choice, root };
  }
  if (variant === 'classic' || variant === 'quorum') return { ...choice, env: { PETZI_RELAY_QUEUE_TYPE: variant } };
  return choice;
}
