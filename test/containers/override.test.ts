import { parse } from 'yaml';
import { allTags, STAND_INS } from '../../tools/images/build';
import { dockerfileOf, loadCompose, readRepoFile, service, type ComposeFile } from './repo';
import { parseDockerfile } from './dockerfile';

/**
 * The containers test's override: local images only, the Azure stage swapped for the local host, nothing else changed.
 */
const compose = loadCompose();
const override = parse(readRepoFile('test/containers/docker-compose.test.yml')) as ComposeFile;

/** The ARGs the FROM lines a build reaches use (up to its target stage; the legacy builder stops there). */
function fromArgs(dockerfile: string, target?: string): string[] {
  const froms = [...dockerfile.matchAll(/^FROM\s+\$\{(\w+)\}(?:\s+AS\s+(\S+))?/gim)].map((m) => ({
    arg: m[1],
    stage: m[2],
  }));
  const end = target === undefined ? froms.length : froms.findIndex((f) => f.stage === target) + 1;
  return froms.slice(0, end).map((f) => f.arg);
}

describe('docker-compose.test.yml', () => {
  it('overrides only services docker-compose.yml has', () => {
    for (const name of Object.keys(override.services)) expect(Object.keys(compose.services)).toContain(name);
  });

  it('runs every pulled image as a local/* stand-in that npm run images builds', () => {
    const built = allTags();
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build || name === 'cadvisor') continue;
      const image = service(override, name).image ?? '';
      expect({ name, built: built.includes(image) }).toEqual({ name, built: true });
    }
    // Each stand-in says which image it replaces.
    for (const standIn of Object.values(STAND_INS)) {
      const replaced = Object.entries(compose.services).find(
        ([, svc]) => svc.image === standIn.standsFor || svc.image?.split(':')[0] === standIn.standsFor.split(':')[0],
      );
      expect({ standIn: standIn.tag, replaces: replaced?.[0] !== undefined }).toEqual({
        standIn: standIn.tag,
        replaces: true,
      });
    }
  });

  it('builds the project images on local images, through the ARGs their FROM lines use', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      const build = service(override, name).build;
      const args = build?.args ?? {};
      for (const arg of fromArgs(readRepoFile(svc.build.dockerfile), build?.target)) {
        expect({ name, arg, value: args[arg] }).toEqual({ name, arg, value: expect.stringMatching(/^local\//) });
      }
    }
  });

  it('runs the functions under the local host stage, and changes nothing else about them', () => {
    const functions = service(override, 'functions');
    expect(functions.build?.target).toBe('local-host');
    expect(dockerfileOf(service(compose, 'functions')).some((s) => s.name === 'local-host')).toBe(true);
    expect(Object.keys(functions).sort()).toEqual(['build']);
  });

  it('keeps cAdvisor out of the test run (its image needs a registry) behind a profile', () => {
    expect(service(override, 'cadvisor')).toEqual({ profiles: ['cadvisor'] });
  });

  it('keeps every stand-in recipe on the image its Dockerfile names by default', () => {
    for (const standIn of Object.values(STAND_INS)) {
      const stages = parseDockerfile(readRepoFile(`infra/images/recipes/${standIn.recipe}/Dockerfile`));
      expect(stages[0].image).toMatch(/^local\//);
    }
  });
});
