import { parseLayout } from '../bench/e2eLayouts';

describe('npm run bench:e2e --layouts', () => {
  it('takes the plain layouts with no settings of their own', () => {
    expect(parseLayout('one', {})).toEqual({ name: 'one', layout: 'one', env: {} });
    expect(parseLayout('split', {})).toEqual({ name: 'split', layout: 'split', env: {} });
  });

  it('sets the relay queue type for @classic and @quorum', () => {
    expect(parseLayout('one@quorum', {})).toEqual({ name: 'one@quorum', layout: 'one', env: { PETZI_RELAY_QUEUE_TYPE: 'quorum' } });
    expect(parseLayout('split@classic', {})).toEqual({ name: 'split@classic', layout: 'split', env: { PETZI_RELAY_QUEUE_TYPE: 'classic' } });
  });

  it('runs another checkout for @before, and only when BENCH_BEFORE_ROOT names it', () => {
    expect(parseLayout('one@before', { BENCH_BEFORE_ROOT: '/tmp/before' })).toEqual({ name: 'one@before', layout: 'one', root: '/tmp/before', env: {} });
    expect(() => parseLayout('one@before', {})).toThrow('one@before needs BENCH_BEFORE_ROOT: a built checkout of the code to compare with');
  });

  it.each(['', 'two', 'one@', 'one@stream', 'one@quorum@before', '@quorum', 'ONE'])('refuses %j, naming what it takes', (name) => {
    expect(() => parseLayout(name, {})).toThrow(`--layouts takes one, split, or either with @before, @classic or @quorum; got "${name}"`);
  });
});
