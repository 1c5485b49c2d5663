import { MAX_WEBHOOKS, parseRelaySqlArgs } from '../bench/relay-sql-bench';

describe('npm run bench:relay-sql arguments', () => {
  it('defaults to batches 1, 5, 20 and 100, 2,000 webhooks, 3 rounds', () => {
    expect(parseRelaySqlArgs([])).toEqual({
      kind: 'run',
      options: { batches: [1, 5, 20, 100], webhooks: 2000, repeat: 3 },
    });
  });

  it('takes each flag, and leaves --shared-services to the services', () => {
    expect(
      parseRelaySqlArgs(['--batches', '20, 40', '--webhooks', '13000', '--repeat', '1', '--shared-services']),
    ).toEqual({
      kind: 'run',
      options: { batches: [20, 40], webhooks: 13000, repeat: 1 },
    });
  });

  it('answers --help whatever else is there', () => {
    expect(parseRelaySqlArgs(['--batches', 'x', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--batch', '5'], 'unknown argument "--batch"'],
    [['20'], 'unknown argument "20"'],
    [['--batches'], '--batches needs a value'],
    [['--batches', '--repeat', '2'], '--batches needs a value'],
    [['--batches', ''], '--batches takes integers from 1 to 10000'],
    [['--batches', '5,,20'], '--batches takes integers from 1 to 10000'],
    [['--batches', '0'], '--batches takes integers from 1 to 10000'],
    [['--batches', '1.5'], '--batches takes integers from 1 to 10000'],
    [['--batches', '1e3'], '--batches takes integers from 1 to 10000'],
    [['--batches', '20000'], '--batches takes integers from 1 to 10000'],
    [['--webhooks', '10,20'], `--webhooks takes an integer from 1 to ${MAX_WEBHOOKS}`],
    [['--webhooks', '-5'], `--webhooks takes an integer from 1 to ${MAX_WEBHOOKS} (got "-5")`],
    [['--repeat', 'three'], '--repeat takes an integer from 1 to 100'],
    [['--batches', '100', '--webhooks', '500'], '--webhooks 500 leaves nothing to measure at batch 100'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseRelaySqlArgs(argv)).toThrow(message);
  });
});
