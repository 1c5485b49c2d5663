import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { envFileNames, readRepoFile } from './repo';

/**
 * The secrets .env.example leaves empty (docker-compose.yml refuses to start without them), with
 * values of the test's own. Fresh per run: nothing in the repository is a usable secret.
 */
export const REQUIRED_SECRETS = [
  'PETZI_WEBHOOK_SECRET',
  'PETZI_API_KEY',
  'PETZI_ADMIN_KEY',
  'DASHBOARD_PASSWORD',
  'RABBITMQ_PASSWORD',
] as const;
export type TestSecrets = Record<(typeof REQUIRED_SECRETS)[number], string> & {
  RABBITMQ_USER: string;
  DASHBOARD_USER: string;
};

export function testSecrets(): TestSecrets {
  const fresh = (): string => randomBytes(18).toString('hex');
  const example = envFileNames(readRepoFile('.env.example')).set;
  return {
    PETZI_WEBHOOK_SECRET: fresh(),
    PETZI_API_KEY: fresh(),
    PETZI_ADMIN_KEY: fresh(),
    DASHBOARD_PASSWORD: fresh(),
    RABBITMQ_PASSWORD: fresh(),
    RABBITMQ_USER: example.get('RABBITMQ_USER') ?? 'petzi',
    DASHBOARD_USER: example.get('DASHBOARD_USER') ?? 'admin',
  };
}

/** .env.example with the secrets filled in: what a user's .env looks like once edited. */
export function testEnvText(secrets: TestSecrets): string {
  return readRepoFile('.env.example')
    .split('\n')
    .map((line) => {
      const name = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
      return name !== undefined && name in secrets ? `${name}=${secrets[name as keyof TestSecrets]}` : line;
    })
    .join('\n');
}

/** Writes the test env file (for both env_file and compose's --env-file) and returns its path. */
export function writeTestEnvFile(file: string, secrets: TestSecrets): string {
  writeFileSync(file, testEnvText(secrets), { mode: 0o600 });
  return file;
}
