import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseScaleArgs, parseSecretsArgs } from '../swarm/args';
import { nodeService } from '../swarm/rabbit';
import { generateSwarmSecrets, SWARM_SECRET_NAMES, writeSwarmSecrets } from '../swarm/secrets';

describe('npm run swarm:secrets arguments', () => {
  it('takes one directory, --force and --rabbitmq-user in any order', () => {
    expect(parseSecretsArgs(['out'])).toEqual({ kind: 'run', options: { dir: 'out', force: false } });
    expect(parseSecretsArgs(['--rabbitmq-user', 'venue.a', 'out', '--force'])).toEqual({
      kind: 'run',
      options: { dir: 'out', force: true, rabbitmqUser: 'venue.a' },
    });
  });

  it('answers --help and -h whatever else is there', () => {
    expect(parseSecretsArgs(['--bogus', '--help'])).toEqual({ kind: 'help' });
    expect(parseSecretsArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], 'give exactly one directory (got 0'],
    [['a', 'b'], 'give exactly one directory (got 2'],
    [['out', '--forse'], 'unknown option --forse'],
    [['out', '--rabbitmq-user'], '--rabbitmq-user needs a name'],
    [['out', '--rabbitmq-user', 'a@b'], '--rabbitmq-user needs a name'],
    [['out', '--rabbitmq-user', 'a:b/c'], '--rabbitmq-user needs a name'],
    [['out', '--rabbitmq-user', ''], '--rabbitmq-user needs a name'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseSecretsArgs(argv)).toThrow(message);
  });
});

describe('swarm secrets files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'petzi-swarm-secrets-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one 0600 file per secret in a 0700 directory, the URLs built from the passwords beside them', () => {
    const target = path.join(dir, 'secrets');
    const secrets = generateSwarmSecrets({ rabbitmqUser: 'venue' });
    writeSwarmSecrets(target, secrets);
    expect(readdirSync(target).sort()).toEqual([...SWARM_SECRET_NAMES].sort());
    expect(statSync(target).mode & 0o777).toBe(0o700);
    for (const name of SWARM_SECRET_NAMES)
      expect({ name, mode: statSync(path.join(target, name)).mode & 0o777 }).toEqual({ name, mode: 0o600 });
    const read = (name: string) => readFileSync(path.join(target, name), 'utf8').trim();
    expect(read('database_url')).toBe(`postgres://postgres:${read('postgres_password')}@db:5432/petzi`);
    expect(read('rabbitmq_url')).toMatch(
      new RegExp(`^amqp://venue:${read('rabbitmq_password')}@rabbitmq:5672\\?heartbeat=\\d+$`),
    );
  });

  it('refuses a directory that already holds files unless forced, and leaves them as they were', () => {
    writeFileSync(path.join(dir, 'petzi_api_key'), 'old\n');
    expect(() => writeSwarmSecrets(dir, generateSwarmSecrets())).toThrow(/already holds files; pass --force/);
    expect(readFileSync(path.join(dir, 'petzi_api_key'), 'utf8')).toBe('old\n');
    writeSwarmSecrets(dir, generateSwarmSecrets(), { force: true });
    expect(readFileSync(path.join(dir, 'petzi_api_key'), 'utf8')).not.toBe('old\n');
  });

  it('gives fresh values on every call', () => {
    expect(generateSwarmSecrets().petzi_webhook_secret).not.toBe(generateSwarmSecrets().petzi_webhook_secret);
  });
});

describe('npm run bench:swarm arguments', () => {
  it('defaults to 1, 2 and 3 function replicas, 20 s each, 32 requests in flight', () => {
    expect(parseScaleArgs([])).toEqual({ kind: 'run', options: { replicas: [1, 2, 3], seconds: 20, concurrency: 32 } });
  });

  it('takes each flag', () => {
    expect(parseScaleArgs(['--replicas', '2, 4', '--seconds', '5', '--concurrency', '8'])).toEqual({
      kind: 'run',
      options: { replicas: [2, 4], seconds: 5, concurrency: 8 },
    });
  });

  it('answers --help whatever else is there', () => {
    expect(parseScaleArgs(['--replicas', 'x', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--replica', '2'], 'unknown argument "--replica"'],
    [['3'], 'unknown argument "3"'],
    [['--seconds'], '--seconds needs a value'],
    [['--replicas', '--seconds', '5'], '--replicas needs a value'],
    [['--replicas', ''], '--replicas takes integers from 1 to 12'],
    [['--replicas', '1,,3'], '--replicas takes integers from 1 to 12'],
    [['--replicas', '0'], '--replicas takes integers from 1 to 12'],
    [['--replicas', '13'], '--replicas takes integers from 1 to 12'],
    [['--replicas', '1,2,1'], '--replicas names a count twice'],
    [['--seconds', '1.5'], '--seconds takes an integer from 1 to 600'],
    [['--seconds', '5,6'], '--seconds takes an integer from 1 to 600'],
    [['--concurrency', '-1'], '--concurrency takes an integer from 1 to 512 (got "-1")'],
    [['--concurrency', '1e3'], '--concurrency takes an integer from 1 to 512'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseScaleArgs(argv)).toThrow(message);
  });
});

describe('RabbitMQ node names', () => {
  it('maps a node of the stack to its service, and refuses any other', () => {
    expect(nodeService('rabbit@rabbitmq-2')).toBe('rabbitmq-2');
    expect(() => nodeService('rabbit@elsewhere')).toThrow('rabbit@elsewhere is no node of the stack');
    expect(() => nodeService('')).toThrow('is no node of the stack');
  });
});
