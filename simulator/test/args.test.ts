import { DEFAULT_MAX_BODY_BYTES, DEFAULT_SECRET, parseArgs, UsageError, type SimulatorOptions } from '../src/args';

const URL_ = 'http://localhost:5000/webhook';

function options(argv: string[]): SimulatorOptions {
  const parsed = parseArgs(argv);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  return parsed.options;
}

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseArgs', () => {
  test('the Python simulator defaults: secret "secret", one ticket_created', () => {
    expect(options([URL_])).toEqual({
      url: URL_,
      secret: DEFAULT_SECRET,
      count: 1,
      concurrency: 1,
      rate: undefined,
      durationSeconds: undefined,
      event: 'ticket_created',
      seed: undefined,
      date: undefined,
      invalid: false,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      timeoutSeconds: 30,
      json: false,
    });
    expect(DEFAULT_SECRET).toBe('secret');
  });

  test('positional secret and --count, in either order', () => {
    expect(options([URL_, 'mysecret', '--count', '5'])).toMatchObject({ secret: 'mysecret', count: 5 });
    expect(options(['--count', '5', URL_, 'mysecret'])).toMatchObject({ secret: 'mysecret', count: 5 });
  });

  test('every option, with spaces and with =', () => {
    const parsed = options([
      URL_,
      '--count=10',
      '--concurrency',
      '4',
      '--rate',
      '2.5',
      '--duration=3',
      '--event',
      'mixed',
      '--seed',
      '0',
      '--date',
      '2027-02-28',
      '--timeout',
      '5',
      '--json',
    ]);
    expect(parsed).toMatchObject({
      count: 10,
      concurrency: 4,
      rate: 2.5,
      durationSeconds: 3,
      event: 'mixed',
      seed: 0,
      date: '2027-02-28',
      timeoutSeconds: 5,
      json: true,
    });
  });

  test('--duration alone leaves the count open; with --count both bound the run', () => {
    expect(options([URL_, '--duration', '10']).count).toBeUndefined();
    expect(options([URL_, '--duration', '10', '--count', '3']).count).toBe(3);
  });

  test('--invalid with its own --max-body-bytes', () => {
    expect(options([URL_, '--invalid', '--max-body-bytes', '2048'])).toMatchObject({
      invalid: true,
      maxBodyBytes: 2048,
    });
  });

  test('--help and -h win over everything else, even a missing url', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs([URL_, '-h', '--count', 'x'])).toEqual({ kind: 'help' });
  });

  test.each([
    [[], 'missing <url>'],
    [[URL_, 'a', 'b'], 'too many arguments: b'],
    [['localhost:5000'], 'the URL must be http or https'],
    [['not a url'], 'is not a URL'],
    [[URL_, '--count'], '--count needs a value'],
    [[URL_, '--count', '0'], '--count must be a whole number from 1'],
    [[URL_, '--count', '2.5'], '--count must be a whole number from 1'],
    [[URL_, '--count', '1', '--count', '2'], '--count given twice'],
    [[URL_, '--concurrency', '-1'], '--concurrency must be a whole number from 1 to 1000, got "-1"'],
    [[URL_, '--rate', '0'], '--rate must be a number greater than 0'],
    [[URL_, '--duration', 'soon'], '--duration must be a number greater than 0'],
    [[URL_, '--event', 'ticket_deleted'], '--event must be one of ticket_created, ticket_updated, mixed'],
    [[URL_, '--seed', '-3'], '--seed must be a whole number from 0'],
    [[URL_, '--concurrency', '1001'], '--concurrency must be a whole number from 1 to 1000'],
    [[URL_, '--seed', '4294967296'], '--seed must be a whole number from 0 to 4294967295'],
    [[URL_, '--date', '2027-02-30'], '--date must be a calendar date'],
    [[URL_, '--verbose'], 'unknown option --verbose'],
    [[URL_, '--json=yes'], '--json takes no value'],
    [[URL_, '--invalid', '--count', '3'], 'cannot be combined with --count'],
    [[URL_, '--max-body-bytes', '10'], '--max-body-bytes only applies with --invalid'],
    [[URL_, ''], 'the secret must not be empty'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(usageError(argv)).toContain(message);
  });

  test('-- ends the options, so a secret may start with a dash', () => {
    expect(options([URL_, '--count', '2', '--', '-dashy-secret'])).toMatchObject({ secret: '-dashy-secret', count: 2 });
  });
});
