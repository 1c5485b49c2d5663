import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { readRepoFile, repoPath } from './repo';

/** Prometheus's alerting rules, run through `promtool test rules` (Debian's prometheus package). */
interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}
interface RuleTests {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
}

const rules = parse(readRepoFile('infra/prometheus/alerts.yml')) as RuleFile;
const ruleTests = parse(readRepoFile('infra/prometheus/alerts.test.yml')) as RuleTests;
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

function promtool(...args: string[]): { status: number | null; output: string } {
  const res = spawnSync('promtool', args, { cwd: repoPath('infra/prometheus'), encoding: 'utf8' });
  if (res.error) throw new Error(`promtool is not installed (${res.error.message}): apt-get install prometheus`);
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

describe('Prometheus alerting rules', () => {
  it('ships the alerts the pipeline needs', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'PetziDeadLetters',
      'PetziFunctionsDown',
      'PetziNoWebhooksDuringSale',
      'PetziOutboxBacklog',
      'PetziRelayLag',
      'PetziWebhook503',
      'PetziWebhook5xxRate',
    ]);
  });

  it('is loaded by prometheus.yml at the path compose mounts it', () => {
    const config = parse(readRepoFile('infra/prometheus/prometheus.yml')) as { rule_files: string[] };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(readRepoFile('docker-compose.yml')).toContain('./infra/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
  });

  it('passes promtool check rules', () => {
    const res = promtool('check', 'rules', 'alerts.yml');
    expect({ status: res.status, output: res.output }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('has, for every alert, a test where it fires and one where it stays quiet', () => {
    expect(ruleTests.rule_files).toEqual(['alerts.yml']);
    const cases = ruleTests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({
        alert,
        fires: mine.some((c) => c.exp_alerts.length > 0),
        quiet: mine.some((c) => c.exp_alerts.length === 0),
      }).toEqual({
        alert,
        fires: true,
        quiet: true,
      });
    }
  });

  it('passes promtool test rules', () => {
    const res = promtool('test', 'rules', 'alerts.test.yml');
    expect({ status: res.status, output: res.output }).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });

  it('uses reason labels the webhook function really sets', () => {
    const webhook = readRepoFile('functions/src/functions/webhook.ts');
    for (const reason of new Set(alerts.flatMap((a) => [...a.expr.matchAll(/reason="([a-z_]+)"/g)].map((m) => m[1])))) {
      expect({ reason, set: new RegExp(`fail\\(\\s*'${reason}'`).test(webhook) }).toEqual({ reason, set: true });
    }
  });
});
