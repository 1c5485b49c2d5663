import { decodeCadvisorConfig } from './cadvisorConfig';

/** The decoder the cAdvisor wiring tests rely on refuses what cAdvisor refuses. */
const endpoint = { protocol: 'http', port: 80, path: '/metrics' };

describe('decodeCadvisorConfig', () => {
  it('reads polling_frequency as integer nanoseconds, as a Go time.Duration', () => {
    expect(
      decodeCadvisorConfig(JSON.stringify({ endpoint, polling_frequency: 15_000_000_000 })).pollingFrequencyNs,
    ).toBe(15e9);
  });

  it.each(['15s', 15.5, '15000000000'])(
    'refuses polling_frequency %p, which json.Unmarshal cannot put in a time.Duration',
    (value) => {
      expect(() => decodeCadvisorConfig(JSON.stringify({ endpoint, polling_frequency: value }))).toThrow(
        /time\.Duration/,
      );
    },
  );

  it('reads an absent polling_frequency as 0 and an absent metrics_config as an empty list', () => {
    expect(decodeCadvisorConfig(JSON.stringify({ endpoint }))).toEqual({
      endpoint,
      pollingFrequencyNs: 0,
      metricsConfig: [],
    });
  });

  it('refuses a port given as a string', () => {
    expect(() => decodeCadvisorConfig(JSON.stringify({ endpoint: { ...endpoint, port: '80' } }))).toThrow(/port/);
  });
});
