import { dockerEngine, dockerEngineAnswers, requireDockerEngine } from '../provision/docker';

/** The one Docker engine check, as npm start (yes/no) and the image builder (what to do) use it. */
describe('the Docker engine check', () => {
  it('without a docker CLI: no, and the builder says what to install', () => {
    const env = { ...process.env, PATH: '/nonexistent' };
    expect(dockerEngine(env)).toMatchObject({ missing: 'cli' });
    expect(dockerEngineAnswers(env)).toBe(false);
    expect(() => requireDockerEngine(env)).toThrow(
      /the docker CLI is missing: .*Install it: apt-get install docker\.io docker-compose/,
    );
  });

  it('with the CLI but no engine at DOCKER_HOST: no, and the builder says how to start one, quoting docker info', () => {
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    expect(dockerEngineAnswers(env)).toBe(false);
    expect(() => requireDockerEngine(env)).toThrow(
      /^no Docker engine answers \(docker info: \S[^]*\)\.\nStart one: as root, `dockerd/,
    );
  });
});
