import { PROFILES, SCENARIOS, type ScenarioResult } from '../faults/scenarios';

/**
 * The bounded CI run of the fault suite (`npm run faults -- --reduced`): each scenario drives the
 * real pipeline in child processes and reconciles every acknowledged webhook.
 */
const profile = PROFILES.reduced;

async function runScenario(name: string): Promise<ScenarioResult> {
  const result = await SCENARIOS[name].run(profile);
  // Printed so a CI log carries the figures next to the verdict.
  console.log(JSON.stringify(result));
  // Every scenario must show the pipeline answering 200 again once its fault is over.
  expect(result.recoveryProbes).toBeGreaterThan(0);
  expect(result.firstOkAfterFaultMs).not.toBeNull();
  expect(result.caughtUpAfterFaultMs).not.toBeNull();
  return result;
}

describe('fault suite (reduced)', () => {
  it('RabbitMQ cut off under load: every 200 is stored, published by the outbox, relayed and shown', async () => {
    const r = await runScenario('rabbitmq-stop');
    expect(r.ok).toBe(r.sent);
    expect(r.lost).toBe(0);
    expect(r.deliveredToSse).toBe(r.acknowledged);
    expect(r.sseDuplicatesShown).toBe(0);
  }, 120_000);

  it('Postgres cut off under load: 503 meanwhile, never a 200, none of the 200s lost, recovery without restart', async () => {
    const r = await runScenario('postgres-restart');
    expect(r.okDuringDbOutage).toBe(0);
    expect(r.refused['503']).toBeGreaterThan(0);
    expect(Object.keys(r.refused)).toEqual(['503']);
    expect(r.firstOkAfterFaultMs).not.toBeNull();
    expect(r.lost).toBe(0);
  }, 120_000);

  it('functions host SIGKILLed under load: every 200 given before the kill is stored and published', async () => {
    const r = await runScenario('host-sigkill');
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.sseDuplicatesShown).toBe(0);
  }, 120_000);

  it('SSE bridge killed and restarted: clients resume with Last-Event-ID and end with every event once', async () => {
    const r = await runScenario('bridge-restart');
    expect(r.lost).toBe(0);
    expect(r.deliveredToSse).toBe(r.acknowledged);
    expect(r.sseDuplicatesShown).toBe(0);
  }, 120_000);

  it('duplicate storm: exactly one row and one publish per distinct body', async () => {
    const r = await runScenario('duplicate-storm');
    // The recovery probes after the storm are fresh bodies, one row each, all answered 200.
    expect(r.sent).toBe(profile.stormDeliveries + r.recoveryProbes);
    expect(r.ok).toBe(profile.stormDeliveries + r.recoveryProbes);
    expect(r.rows).toBe(profile.stormBodies + r.recoveryProbes);
    expect(r.acknowledged).toBe(profile.stormBodies + r.recoveryProbes);
    expect(r.published).toBe(profile.stormBodies + r.recoveryProbes);
    expect(r.publishDuplicates).toBe(0);
    expect(r.lost).toBe(0);
  }, 120_000);

  it('two hosts and two bridges: no loss, no webhook shown twice to one client', async () => {
    const r = await runScenario('two-of-each');
    expect(r.ok).toBe(r.sent);
    expect(r.lost).toBe(0);
    expect(r.sseDuplicatesShown).toBe(0);
  }, 120_000);
});
