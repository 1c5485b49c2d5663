import { ConfigError, DEFAULTS, loadConfig } from '../src/core/config';

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
