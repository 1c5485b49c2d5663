import { listeningPorts, loadCompose, portMappings, readRepoFile, service, type ComposeService } from './repo';

/** docker-compose.yml against the design's service list, ports and start order. */
const compose = loadCompose();

/** Host ports by service. The functions and the bridges publish none: the gateway owns 5000 and 5001, so they scale. */
const PUBLISHED: Record<string, number[]> = {
  db: [5432],
  rabbitmq: [5672, 15672],
  azurite: [10000, 10001, 10002],
  functions: [],
  'sse-bridge': [],
  'dashboard-auth': [],
  gateway: [5000, 5001],
  dashboard: [8080],
  cadvisor: [8081],
  prometheus: [9090],
};

function healthTest(svc: ComposeService): string[] {
  const test = svc.healthcheck?.test;
  if (test === undefined) return [];
  return Array.isArray(test) ? test : ['CMD-SHELL', test];
}

describe('docker-compose.yml services', () => {
  it('has exactly the services the design lists', () => {
    expect(Object.keys(compose.services).sort()).toEqual(Object.keys(PUBLISHED).sort());
  });

  it.each(Object.entries(PUBLISHED))('%s publishes its design port(s)', (name, ports) => {
    expect(portMappings(service(compose, name)).map((m) => m.published)).toEqual(ports);
  });

  it('lets a PETZI_*_PORT variable move every published port, the design port by default', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const spec of svc.ports ?? []) {
        expect({ name, spec }).toEqual({
          name,
          spec: expect.stringMatching(/^(127\.0\.0\.1:)?\$\{PETZI_[A-Z_]+_PORT:-\d+\}:\d+$/),
        });
      }
    }
    const variables = Object.values(compose.services).flatMap((svc) =>
      (svc.ports ?? []).map((spec) => /\$\{(\w+):-/.exec(spec)?.[1]),
    );
    expect(new Set(variables).size).toBe(variables.length);
    // The containers test moves each one (test/containers/live/composeStack.ts).
    const stack = readRepoFile('test/containers/live/composeStack.ts');
    for (const variable of variables) expect(stack).toContain(`'${variable}'`);
  });

  it('maps each published port to the port the container listens on', () => {
    expect(portMappings(service(compose, 'cadvisor'))).toEqual([
      { hostIp: '127.0.0.1', published: 8081, target: 8080 },
    ]);
    for (const name of ['db', 'rabbitmq', 'azurite', 'gateway', 'dashboard', 'prometheus']) {
      for (const mapping of portMappings(service(compose, name))) expect(mapping.target).toBe(mapping.published);
    }
  });

  it.each(Object.keys(PUBLISHED))('%s has a healthcheck command', (name) => {
    const test = healthTest(service(compose, name));
    expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
    expect(test.length).toBeGreaterThan(1);
  });

  it('uses the health probes each image can run', () => {
    expect(healthTest(service(compose, 'db')).join(' ')).toContain('pg_isready');
    // ping answers before the listeners accept connections; this one connects to them.
    expect(healthTest(service(compose, 'rabbitmq'))).toEqual([
      'CMD',
      'rabbitmq-diagnostics',
      '-q',
      'check_port_connectivity',
    ]);
    // /healthz is anonymous; /api/health needs the function key.
    expect(healthTest(service(compose, 'functions')).join(' ')).toContain("fetch('http://127.0.0.1:80/healthz')");
    expect(healthTest(service(compose, 'dashboard-auth')).join(' ')).toContain(
      "fetch('http://127.0.0.1:8080/healthz')",
    );
    expect(healthTest(service(compose, 'sse-bridge')).join(' ')).toContain('http://127.0.0.1:5001/healthz');
  });

  it('probes a port the container really listens on', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(healthTest(svc).join(' '));
      if (url) expect({ name, port: listeningPorts(svc).includes(Number(url[1])) }).toEqual({ name, port: true });
    }
  });

  it('starts the functions and the bridge only once what they need is healthy', () => {
    expect(service(compose, 'functions').depends_on).toEqual({
      db: { condition: 'service_healthy' },
      rabbitmq: { condition: 'service_healthy' },
      azurite: { condition: 'service_healthy' },
    });
    expect(service(compose, 'sse-bridge').depends_on).toEqual({
      db: { condition: 'service_healthy' },
      rabbitmq: { condition: 'service_healthy' },
    });
    expect(Object.keys(service(compose, 'dashboard').depends_on ?? {}).sort()).toEqual([
      'dashboard-auth',
      'functions',
      'sse-bridge',
    ]);
    // nginx answers every request through the login server (auth_request): it must be up first.
    expect(service(compose, 'dashboard').depends_on?.['dashboard-auth']).toEqual({ condition: 'service_healthy' });
    expect(service(compose, 'gateway').depends_on).toEqual({
      functions: { condition: 'service_healthy' },
      'sse-bridge': { condition: 'service_healthy' },
    });
  });

  it('starts Prometheus whatever the health of an exporter (a down target is a finding, not a blocker)', () => {
    expect(service(compose, 'prometheus').depends_on).toBeUndefined();
  });

  it('only waits for health on services that have a healthcheck', () => {
    for (const svc of Object.values(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(svc.depends_on ?? {})) {
        expect(compose.services[dependency]).toBeDefined();
        if (condition === 'service_healthy') expect(healthTest(service(compose, dependency)).length).toBeGreaterThan(1);
      }
    }
  });

  it('pins the images the design names', () => {
    expect(service(compose, 'db').image).toBe('postgres:16');
    expect(service(compose, 'rabbitmq').image).toBe('rabbitmq:3-management');
    expect(service(compose, 'azurite').image).toBe('mcr.microsoft.com/azure-storage/azurite');
    // v0.55.0 is the first release that reads a container's IP from its networks (compose networks).
    const cadvisor = /^ghcr\.io\/google\/cadvisor:v(\d+)\.(\d+)\.(\d+)$/.exec(service(compose, 'cadvisor').image ?? '');
    expect(cadvisor).not.toBeNull();
    const [major, minor] = [Number(cadvisor?.[1]), Number(cadvisor?.[2])];
    expect(major > 0 || minor >= 55).toBe(true);
    expect(service(compose, 'gateway').image).toMatch(/^nginx:\S+$/);
    expect(service(compose, 'prometheus').image).toMatch(/^prom\/prometheus(:|$)/);
  });

  it('keeps Postgres data in a named volume and creates the petzi database', () => {
    const db = service(compose, 'db');
    expect(db.environment?.POSTGRES_DB).toBe('petzi');
    const [volume] = (db.volumes ?? []).map((v) => v.split(':')[0]);
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('runs Azurite listening on every interface without telemetry', () => {
    const command = service(compose, 'azurite').command;
    expect(Array.isArray(command)).toBe(true);
    const argv = command as string[];
    expect(argv[0]).toBe('azurite');
    for (const flag of ['--blobHost', '--queueHost', '--tableHost'])
      expect(argv[argv.indexOf(flag) + 1]).toBe('0.0.0.0');
    expect(argv).toContain('--disableTelemetry');
  });

  it('gives cAdvisor the mounts and device it reads containers through', () => {
    const cadvisor = service(compose, 'cadvisor');
    expect(cadvisor.privileged).toBe(true);
    expect(cadvisor.devices).toEqual(['/dev/kmsg']);
    expect(cadvisor.volumes).toEqual(
      expect.arrayContaining([
        '/:/rootfs:ro',
        '/var/run:/var/run:ro',
        '/sys:/sys:ro',
        '/var/lib/docker/:/var/lib/docker:ro',
        '/dev/disk/:/dev/disk:ro',
      ]),
    );
  });

  it('loads the RabbitMQ topology and Prometheus config from infra/', () => {
    expect(service(compose, 'rabbitmq').volumes).toEqual(
      expect.arrayContaining([
        './infra/rabbitmq/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro',
        './infra/rabbitmq/definitions.json:/etc/rabbitmq/petzi/definitions.json:ro',
        './infra/rabbitmq/start.sh:/etc/rabbitmq/petzi/start.sh:ro',
      ]),
    );
    expect(service(compose, 'prometheus').volumes).toContain(
      './infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });
});

describe('docker-compose.yml, private by default', () => {
  /** The only doors on every interface: the dashboard (people, with its login) and the webhooks (PETZI, signed). */
  const PUBLIC: Record<string, number[]> = { dashboard: [8080], gateway: [5000] };

  it('publishes only the dashboard and the webhook port on every interface, every other port on 127.0.0.1', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const mapping of portMappings(svc)) {
        const open = (PUBLIC[name] ?? []).includes(mapping.target);
        expect({ name, port: mapping.target, hostIp: mapping.hostIp }).toEqual({
          name,
          port: mapping.target,
          hostIp: open ? undefined : '127.0.0.1',
        });
      }
    }
  });

  /** `${NAME:?message}`: compose stops with the message when NAME is unset or empty. */
  const required = (value: string | undefined, name: string) =>
    new RegExp(`^\\$\\{${name}:\\?set ${name} in \\.env[^}]*\\}$`).test(value ?? '');

  it('stops until .env sets the secrets, and passes them to whoever checks them', () => {
    const env = (name: string) => service(compose, name).environment ?? {};
    for (const variable of ['PETZI_WEBHOOK_SECRET', 'PETZI_API_KEY', 'PETZI_ADMIN_KEY']) {
      for (const name of ['functions', 'sse-bridge'])
        expect({ name, variable, required: required(env(name)[variable], variable) }).toEqual({
          name,
          variable,
          required: true,
        });
    }
    expect(required(env('dashboard').PETZI_API_KEY, 'PETZI_API_KEY')).toBe(true);
    expect(required(env('dashboard-auth').DASHBOARD_PASSWORD, 'DASHBOARD_PASSWORD')).toBe(true);
    expect(required(env('rabbitmq').RABBITMQ_USER, 'RABBITMQ_USER')).toBe(true);
    expect(required(env('rabbitmq').RABBITMQ_PASSWORD, 'RABBITMQ_PASSWORD')).toBe(true);
    // The functions and the bridge log in to RabbitMQ as that user, not guest.
    const url =
      'amqp://${RABBITMQ_USER:?set RABBITMQ_USER in .env}:${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD in .env}@rabbitmq:5672';
    expect(env('functions').RABBITMQ_URL).toBe(url);
    expect(env('functions').RabbitMQConnection).toBe(url);
    expect(env('sse-bridge').RABBITMQ_URL).toBe(url);
  });

  it('binds every node server of a container on 0.0.0.0 (only the compose network reaches the unpublished ones)', () => {
    for (const name of ['functions', 'sse-bridge', 'dashboard-auth'])
      expect({ name, host: service(compose, name).environment?.HOST }).toEqual({ name, host: '0.0.0.0' });
  });

  it("runs the dashboard's login server as the node dashboard server, from the bridge image", () => {
    const auth = service(compose, 'dashboard-auth');
    expect(auth.build).toEqual(service(compose, 'sse-bridge').build);
    const script = /node (\S+)$/.exec(JSON.parse(readRepoFile('package.json')).scripts['dashboard:serve'] as string);
    expect(auth.command).toEqual(['node', script?.[1]]);
    expect(auth.ports).toBeUndefined();
  });
});
