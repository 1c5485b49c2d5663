// npm run swarm:secrets -- <dir> [--force]
import path from 'node:path';
import { parseSecretsArgs } from './args';
import { generateSwarmSecrets, SWARM_SECRET_NAMES, writeSwarmSecrets } from './secrets';

const HELP = `Usage: npm run swarm:secrets -- <dir> [--force] [--rabbitmq-user <name>]

Writes every secret infra/swarm/stack.yml asks for, one file each, fresh random values:
  ${SWARM_SECRET_NAMES.join('\n  ')}
database_url and rabbitmq_url are built from the passwords beside them. The directory is created
0700 and each file 0600; a directory that already holds files is refused unless --force.
Then: PETZI_SECRETS_DIR=<absolute dir> docker stack deploy -c infra/swarm/stack.yml petzi
(docs/containers.md, "Docker Swarm").`;

function main(argv: string[]): number {
  let parsed: ReturnType<typeof parseSecretsArgs>;
  try {
    parsed = parseSecretsArgs(argv);
  } catch (error) {
    process.stderr.write(`swarm:secrets: ${(error as Error).message}\n\n${HELP}\n`);
    return 64;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { dir: given, force, rabbitmqUser } = parsed.options;
  const dir = path.resolve(given);
  try {
    const files = writeSwarmSecrets(dir, generateSwarmSecrets({ rabbitmqUser }), { force });
    process.stdout.write(
      `wrote ${files.length} secrets to ${dir}\nPETZI_SECRETS_DIR=${dir} docker stack deploy -c infra/swarm/stack.yml petzi\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`swarm:secrets: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
