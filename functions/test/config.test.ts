import { DEFAULTS, loadConfig } from '../src/core/config';
import { ConfigError } from '../src/core/errors';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      secrets: ['secret'],
      toleranceSeconds: 300,
      maxBodyBytes: 1024 * 1024,
      databaseUrl: DEFAULTS.databaseUrl,
      rabbitmqUrl: DEFAULTS.rabbitmqUrl,
    });
  });

  it("accepts the seed POC's names as aliases", () => {
    const config = loadConfig({ SECRET_KEY: 'old', DATABASE_URI: 'postgres://x/y', RabbitMQConnection: 'amqp://r' });
    expect(config).toMatchObject({ secrets: ['old'], databaseUrl: 'postgres://x/y', rabbitmqUrl: 'amqp://r' });
  });

  it('prefers the design names over the aliases', () => {
    expect(loadConfig({ PETZI_WEBHOOK_SECRET: 'new', SECRET_KEY: 'old' }).secrets).toEqual(['new']);
  });

  it('splits a comma-separated secret list for rotation', () => {
    expect(loadConfig({ PETZI_WEBHOOK_SECRET: ' a, b ,,c' }).secrets).toEqual(['a', 'b', 'c']);
  });

  it.each(['0', '-1', 'abc', '1.5'])('rejects MAX_BODY_BYTES=%s with a clear message', (value) => {
    expect(() => loadConfig({ MAX_BODY_BYTES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_BODY_BYTES: value })).toThrow(/MAX_BODY_BYTES/);
  });
});

describe('loadConfig: PETZI_RELAY_QUEUE_TYPE', () => {
  it('is classic unless set to quorum (a RabbitMQ cluster)', () => {
    expect(loadConfig({}).relayQueueType).toBe('classic');
    expect(loadConfig({ PETZI_RELAY_QUEUE_TYPE: ' quorum ' }).relayQueueType).toBe('quorum');
    expect(loadConfig({ PETZI_RELAY_QUEUE_TYPE: 'classic' }).relayQueueType).toBe('classic');
  });

  it.each(['Quorum', 'stream', 'quorum,classic'])('refuses %s, naming what it accepts', (value) => {
    expect(() => loadConfig({ PETZI_RELAY_QUEUE_TYPE: value })).toThrow(
      new ConfigError(`PETZI_RELAY_QUEUE_TYPE must be one of classic, quorum, got "${value}"`),
    );
  });
});

describe('loadConfig: a malformed value names its variable and what it accepts', () => {
  it.each([
    ['SIGNATURE_TOLERANCE_SECONDS', '1e3', /SIGNATURE_TOLERANCE_SECONDS must be a positive integer, got "1e3"/],
    ['OUTBOX_GRACE_SECONDS', '0x10', /OUTBOX_GRACE_SECONDS must be a positive integer, got "0x10"/],
    ['RAW_RETENTION_DAYS', '-1', /RAW_RETENTION_DAYS must be a positive integer, got "-1"/],
    ['DATABASE_URL', 'localhost:5432/petzi', /DATABASE_URL must be a URL starting postgres:\/\/ or postgresql:\/\//],
    [
      'DATABASE_URI',
      'amqp://x',
      /DATABASE_URI must be a URL starting postgres:\/\/ or postgresql:\/\/, got a amqp: URL/,
    ],
    ['RABBITMQ_URL', 'not a url', /RABBITMQ_URL must be a URL starting amqp:\/\/ or amqps:\/\/, got not a URL/],
    ['PETZI_WEBHOOK_SECRET', ' , ,', /PETZI_WEBHOOK_SECRET must be a comma-separated list/],
  ])('%s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never quotes a malformed URL, which may carry a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/petzi' })).toThrow(/got a mysql: URL$/);
  });

  it('reads blank variables as unset and trims the others', () => {
    expect(
      loadConfig({ MAX_BODY_BYTES: '   ', SIGNATURE_TOLERANCE_SECONDS: ' 60 ', RAW_RETENTION_DAYS: '' }),
    ).toMatchObject({
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      toleranceSeconds: 60,
      rawRetentionDays: undefined,
    });
  });
});
