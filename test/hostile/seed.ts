/**
 * The fuzz tests are deterministic: a fixed default seed, so CI replays the same cases, and
 * FUZZ_SEED to explore others or replay a failure someone reported.
 */
const DEFAULT_FUZZ_SEED = 20_261_127;

export function fuzzSeed(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FUZZ_SEED;
  if (raw === undefined || raw.trim() === '') return DEFAULT_FUZZ_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got "${raw}"`);
  return seed;
}
