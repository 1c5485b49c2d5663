import { parseArgs, UsageError } from '../ops/args';
import { helpText } from '../ops/help';

describe('npm run ops: the command line', () => {
  it('turns each command into the request the services parse', () => {
    expect(parseArgs(['deliveries', '--outcome', 'schema', '--status=422', '--limit', '5', '--json'])).toEqual({
      name: 'deliveries',
      query: new URLSearchParams([
        ['outcome', 'schema'],
        ['status', '422'],
        ['limit', '5'],
      ]),
      json: true,
    });
    expect(parseArgs(['dead-letters', '--state', 'all'])).toMatchObject({ name: 'dead-letters', json: false });
    expect(parseArgs(['redrive', '3', '5'])).toEqual({ name: 'redrive', body: { ids: [3, 5] }, json: false });
    expect(parseArgs(['redrive', '--all'])).toEqual({ name: 'redrive', body: { all: true }, json: false });
    expect(
      parseArgs([
        'replay',
        '--from-id',
        '10',
        '--to-id',
        '20',
        '--from',
        '2026-11-30T00:00:00Z',
        '--rebuild',
        '--quiet',
      ]),
    ).toEqual({
      name: 'replay',
      body: { rebuild: true, fromId: 10, toId: 20, from: '2026-11-30T00:00:00Z' },
      json: false,
      quiet: true,
    });
  });

  it('gives help with no command, --help, help <command> and <command> --help', () => {
    expect(parseArgs([])).toEqual({ name: 'help', topic: undefined });
    expect(parseArgs(['--help'])).toEqual({ name: 'help', topic: undefined });
    expect(parseArgs(['help', 'replay'])).toEqual({ name: 'help', topic: 'replay' });
    expect(parseArgs(['redrive', '1', '--help'])).toEqual({ name: 'help', topic: 'redrive' });
    for (const topic of ['deliveries', 'dead-letters', 'redrive', 'replay'])
      expect(helpText(topic)).toContain(`npm run ops -- ${topic}`);
    expect(helpText('nonsense')).toContain('Exit codes');
  });

  it.each([
    [['drop'], /unknown command "drop"/],
    [['deliveries', 'x'], /no arguments/],
    [['deliveries', '--status'], /--status needs a value/],
    [['deliveries', '--json=yes'], /--json takes no value/],
    [['dead-letters', '--outcome', 'x'], /unknown option --outcome/],
    [['redrive', '--all', '3'], /ids, or --all/],
    [['redrive', '-1'], /positive integer/],
    [['redrive', '1e3'], /positive integer/],
    [['replay', '--from-id', '12345678901234567'], /--from-id must be a positive integer/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
