import { parseLayout } from '../bench/e2eLayouts';

const ROOTS: Record<string, string> = { before: '/tmp/before', hashcheck: '/tmp/hashcheck' };
function rootOf(setup: string, label: string): string {
  const root = ROOTS[label];
  if (root === undefined)
    throw new Error(`${setup} needs BENCH_ROOTS to hold ${label}=<a built checkout of the code to compare with>`);
  return root;
}

describe('npm run bench:e2e --layouts', () => {
  it('takes the plain layouts with no settings of their own', () => {
    expect(parseLayout('one', rootOf)).toEqual({ name: 'one', layout: 'one', env: {} });
    expect(parseLayout('split', rootOf)).toEqual({ name: 'split', layout: 'split', env: {} });
  });

  it('sets the relay queue type for @classic and @quorum, on this tree', () => {
    expect(parseLayout('one@quorum', rootOf)).toEqual({
      name: 'one@quorum',
      layout: 'one',
      env: { PETZI_RELAY_QUEUE_TYPE: 'quorum' },
    });
    expect(parseLayout('split@classic', rootOf)).toEqual({
      name: 'split@classic',
      layout: 'split',
      env: { PETZI_RELAY_QUEUE_TYPE: 'classic' },
    });
  });

  it('runs another checkout for any other label, and only when one is configured for it', () => {
    expect(parseLayout('one@before', rootOf)).toEqual({
      name: 'one@before',
      layout: 'one',
      root: '/tmp/before',
      env: {},
    });
    expect(parseLayout('split@hashcheck', rootOf)).toEqual({
      name: 'split@hashcheck',
      layout: 'split',
      root: '/tmp/hashcheck',
      env: {},
    });
    expect(() => parseLayout('one@other', rootOf)).toThrow('one@other needs BENCH_ROOTS to hold other=');
  });

  it.each(['', 'two', 'one@', 'one@quorum@before', '@quorum', 'ONE', 'one@Quorum', 'one@x-y'])(
    'refuses %j, naming what it takes',
    (name) => {
      expect(() => parseLayout(name, rootOf)).toThrow(
        `--layouts takes one or split, each optionally with @classic, @quorum, @before or @<label>, comma-separated; got "${name}"`,
      );
    },
  );
});
