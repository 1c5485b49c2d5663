import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copies, execForm, instructions } from './dockerfile';
import { dockerfileOf, finalStage, loadCompose, readRepoFile, repoPath, service, stageNamed } from './repo';

/**
 * The Azure Functions image checks its own function keys (authLevel function/admin) from its file
 * key storage: host.json in FUNCTIONS_SECRETS_PATH, written at start from the same variables the
 * local host reads. The real image cannot run here (no registry), so the wiring is checked
 * statically and the entrypoint script is run on its own.
 */
const SCRIPT = 'infra/docker/functions-keys.sh';
const stages = dockerfileOf(service(loadCompose(), 'functions'));
const azure = finalStage(stages);

interface HostSecrets {
  masterKey: { name: string; value: string; encrypted: boolean };
  functionKeys: Array<{ name: string; value: string; encrypted: boolean }>;
}

/** Runs the entrypoint with this environment and `printf started` as the host; returns what it wrote. */
function provision(env: Record<string, string>): {
  status: number | null;
  stdout: string;
  stderr: string;
  secrets?: HostSecrets;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'petzi-keys-'));
  try {
    const secretsPath = path.join(dir, 'secrets');
    const result = spawnSync('sh', [repoPath(SCRIPT), 'printf', 'started'], {
      env: { PATH: process.env.PATH ?? '', FUNCTIONS_SECRETS_PATH: secretsPath, ...env },
      encoding: 'utf8',
    });
    const secrets =
      result.status === 0
        ? (JSON.parse(readFileSync(path.join(secretsPath, 'host.json'), 'utf8')) as HostSecrets)
        : undefined;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, secrets };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Azure Functions image checks its own function keys', () => {
  it('uses the file key storage, in the directory the entrypoint writes', () => {
    const env = instructions(azure, 'ENV').join(' ');
    expect(env).toMatch(/AzureWebJobsSecretStorageType=files/);
    expect(env).toMatch(/FUNCTIONS_SECRETS_PATH=\/etc\/secrets/);
  });

  it("runs the key entrypoint, then the host's own start command", () => {
    // The script and the check it sources, side by side (it sources its own directory's copy).
    const copy = copies(azure).find((c) => c.sources.includes(SCRIPT));
    expect(copy?.sources).toEqual([SCRIPT, 'infra/docker/require-env.sh']);
    expect(copy?.destination).toMatch(/\/$/);
    expect(execForm(instructions(azure, 'ENTRYPOINT')[0])).toEqual([
      '/bin/sh',
      `${copy?.destination}functions-keys.sh`,
    ]);
    // A new ENTRYPOINT clears the base image's CMD: the azure-functions node image's host binary.
    expect(execForm(instructions(azure, 'CMD')[0])).toEqual([
      '/azure-functions-host/Microsoft.Azure.WebJobs.Script.WebHost',
    ]);
    // The local host stage checks the keys itself and needs none of this.
    expect(instructions(stageNamed(stages, 'local-host'), 'ENTRYPOINT')).toEqual([]);
  });

  it('writes masterKey = PETZI_ADMIN_KEY and functionKeys.default = PETZI_API_KEY, then starts the host', () => {
    const result = provision({ PETZI_API_KEY: 'api-key-1', PETZI_ADMIN_KEY: 'admin-key' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('started');
    expect(result.secrets).toEqual({
      masterKey: { name: 'master', value: 'admin-key', encrypted: false },
      functionKeys: [{ name: 'default', value: 'api-key-1', encrypted: false }],
    });
  });

  it('keeps every key of a rotation list valid, the new one (first) as default', () => {
    const result = provision({ PETZI_API_KEY: 'new-key, old-key', PETZI_ADMIN_KEY: 'admin-key' });
    expect(result.secrets?.functionKeys).toEqual([
      { name: 'default', value: 'new-key', encrypted: false },
      { name: 'default2', value: 'old-key', encrypted: false },
    ]);
  });

  it('refuses to start the host without both keys, or with a key that would break the JSON', () => {
    const cases: Array<Record<string, string>> = [
      { PETZI_ADMIN_KEY: 'a' },
      { PETZI_API_KEY: 'k' },
      { PETZI_API_KEY: 'k"', PETZI_ADMIN_KEY: 'a' },
      { PETZI_API_KEY: 'k', PETZI_ADMIN_KEY: 'a\\b' },
    ];
    for (const env of cases) {
      const result = provision(env);
      expect({ env, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        env,
        status: 64,
        stdout: '',
        stderr: expect.stringMatching(/set PETZI_|may hold only/),
      });
    }
  });

  it('is documented where the containers are', () => {
    const docs = readRepoFile('docs/containers.md');
    for (const text of ['AzureWebJobsSecretStorageType=files', 'FUNCTIONS_SECRETS_PATH', SCRIPT])
      expect(docs).toContain(text);
  });
});
