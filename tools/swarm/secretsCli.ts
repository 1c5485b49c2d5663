// npm run swarm:secrets -- <dir> [--force]
import path from 'node:path';
import { generateSwarmSecrets, SWARM_SECRET_NAMES, writeSwarmSecrets } from './secrets';

const HELP = `Usage: npm run swarm:secrets -- <dir> [--force] [--rabbitmq-user <name>]

Writes every secret infra/swarm/stack.yml asks for, one file each, fresh random values:
  ${SWARM_SECRET_NAMES.join('\n  ')}
database_url and rabbitmq_url are built from the passwords beside them. The directory is created
0700 and each file 0600; a directory that already holds files is refused unless --force.
Then: PETZI_SECRETS_DIR=<absolute dir> docker stack deploy -c infra/swarm/stack.yml petzi
(docs/containers.md, "Docker Swarm").`;

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const userAt = argv.indexOf('--rabbitmq-user');
  const rabbitmqUser = userAt >= 0 ? argv[userAt + 1] : undefined;
  if (userAt >= 0 && (rabbitmqUser === undefined || !/^[A-Za-z0-9._~-]+$/.test(rabbitmqUser))) {
    process.stderr.write('swarm:secrets: --rabbitmq-user needs a name of letters, digits and . _ ~ - (it goes into an amqp:// URL)\n');
    return 64;
  }
  const rest = argv.filter((a, i) => a !== '--force' && (userAt < 0 || (i !== userAt && i !== userAt + 1)));
  const unknown = rest.filter((a) => a.startsWith('-'));
  if (unknown.length > 0 || rest.length !== 1) {
    process.stderr.write(`swarm:secrets: ${unknown.length > 0 ? `unknown option ${unknown[0]}` : 'give exactly one directory'}\n\n${HELP}\n`);
    return 64;
  }
  const dir = path.resolve(rest[0]);
  try {
    const files = writeSwarmSecrets(dir, generateSwarmSecrets({ rabbitmqUser }), { force: argv.includes('--force') });
    process.stdout.write(`wrote ${files.length} secrets to ${dir}\nPETZI_SECRETS_DIR=${dir} docker stack deploy -c infra/swarm/stack.yml petzi\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`swarm:secrets: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
