import { Sequencer, type SequencerSource } from '../src/sequencer';

interface Ev {
  seq: number;
  tag: string;
}

/** An in-memory live_event log; `failNext` makes the next read fail like an unreachable Postgres. */
class Log implements SequencerSource<Ev> {
  rows: Ev[] = [];
  reads: Array<[number, number | undefined]> = [];
  failNext = 0;
  gate: Promise<void> | undefined;

  add(...seqs: number[]): Ev[] {
    const added = seqs.map((seq) => ({ seq, tag: `db${seq}` }));
    this.rows.push(...added);
    this.rows.sort((a, b) => a.seq - b.seq);
    return added;
  }

  async maxSeq(): Promise<number> {
    return this.rows.reduce((max, r) => Math.max(max, r.seq), 0);
  }

  async fetchBetween(after: number, before: number | undefined, limit: number): Promise<Ev[]> {
    this.reads.push([after, before]);
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('connection refused');
    }
    return this.rows.filter((r) => r.seq > after && (before === undefined || r.seq < before)).slice(0, limit);
  }
}

function setup(pageSize?: number) {
  const log = new Log();
  const delivered: Ev[] = [];
  const errors: unknown[] = [];
  const sequencer = new Sequencer<Ev>({
    source: log,
    deliver: (e) => delivered.push(e),
    onError: (e) => errors.push(e),
    pageSize,
  });
  const seqs = () => delivered.map((e) => e.seq);
  return { log, delivered, errors, sequencer, seqs };
}

const live = (seq: number): Ev => ({ seq, tag: `live${seq}` });

test('the first resync starts after the newest committed event; in-order events are delivered as they come', async () => {
  const { log, sequencer, seqs, delivered } = setup();
  log.add(1, 2, 3);
  await sequencer.resync();
  expect(sequencer.lastSeq).toBe(3);
  log.add(4, 5);
  await sequencer.receive(live(4));
  await sequencer.receive(live(5));
  expect(seqs()).toEqual([4, 5]);
  expect(delivered.map((e) => e.tag)).toEqual(['live4', 'live5']);
  expect(log.reads).toEqual([]);
});

test('an empty log starts at 0', async () => {
  const { sequencer } = setup();
  await sequencer.resync();
  expect(sequencer.lastSeq).toBe(0);
});

test('repeats and anything at or below lastSeq are dropped', async () => {
  const { log, sequencer, seqs } = setup();
  await sequencer.resync();
  log.add(1, 2);
  for (const seq of [1, 1, 2, 1, 2, 2]) await sequencer.receive(live(seq));
  expect(seqs()).toEqual([1, 2]);
});

test('a jump past lastSeq + 1 is filled from the log in order before the event itself', async () => {
  const { log, sequencer, seqs, delivered } = setup();
  await sequencer.resync();
  log.add(1, 2, 3, 4, 5);
  await sequencer.receive(live(1));
  await sequencer.receive(live(5));
  await sequencer.receive(live(4));
  expect(seqs()).toEqual([1, 2, 3, 4, 5]);
  expect(delivered.map((e) => e.tag)).toEqual(['live1', 'db2', 'db3', 'db4', 'live5']);
  expect(log.reads).toEqual([[1, 5]]);
});

test('holes left by rolled-back transactions are skipped, not waited for', async () => {
  const { log, sequencer, seqs } = setup();
  await sequencer.resync();
  log.add(1, 3, 6);
  await sequencer.receive(live(1));
  await sequencer.receive(live(6));
  expect(seqs()).toEqual([1, 3, 6]);
});

test('two gap fills never interleave: the second waits for the first and only fetches what is still missing', async () => {
  const { log, sequencer, seqs } = setup();
  await sequencer.resync();
  log.add(1, 2, 3, 4, 5, 6, 7);
  let open!: () => void;
  log.gate = new Promise((resolve) => (open = resolve));
  const first = sequencer.receive(live(4));
  const second = sequencer.receive(live(7));
  await new Promise((r) => setImmediate(r));
  expect(log.reads).toEqual([[0, 4]]);
  open();
  await Promise.all([first, second]);
  expect(seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(log.reads).toEqual([
    [0, 4],
    [4, 7],
  ]);
});

test('a later resync (after a reconnect) delivers everything committed since lastSeq, page by page', async () => {
  const { log, sequencer, seqs } = setup(2);
  await sequencer.resync();
  log.add(1);
  await sequencer.receive(live(1));
  log.add(2, 3, 4, 5, 6);
  await sequencer.resync();
  expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
  await sequencer.receive(live(4));
  expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
});

test('a failed fill delivers nothing and keeps lastSeq; the next event or resync fills the gap', async () => {
  const { log, sequencer, seqs, errors } = setup();
  await sequencer.resync();
  log.add(1, 2, 3);
  log.failNext = 1;
  await sequencer.receive(live(3));
  expect(seqs()).toEqual([]);
  expect(errors).toHaveLength(1);
  expect(sequencer.lastSeq).toBe(0);
  await sequencer.resync();
  expect(seqs()).toEqual([1, 2, 3]);
});

test('an event that arrives before any resync becomes the starting point', async () => {
  const { sequencer, seqs } = setup();
  await sequencer.receive(live(9));
  await sequencer.receive(live(9));
  expect(seqs()).toEqual([9]);
  expect(sequencer.lastSeq).toBe(9);
});
