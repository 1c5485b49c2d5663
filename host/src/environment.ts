import {
  ACCESS_VARIABLES,
  ConfigError,
  declaredFunctions,
  declareVariables,
  DEPLOYMENT_VARIABLES,
  FUNCTION_VARIABLES,
  TOPOLOGY_VARIABLES,
  accessKeysFromEnv,
  loadConfig,
  readEnv,
  refuseExampleSecret,
  resolveAccess,
  type Access,
  type Config,
  type Env,
  type FunctionDeclaration,
  type Variable,
} from '../../functions/src';
import { HTTP_TIMEOUT_VARIABLES, LISTEN_VARIABLES, hostFromEnv, httpTimeoutsFromEnv, type HttpTimeouts } from '../../kit/src';

export const HOST_OWN_VARIABLES = declareVariables({
  PORT: { kind: 'port', default: 5000, meaning: 'the port it listens on' },
  PETZI_FUNCTIONS: {
    kind: 'list',
    meaning: 'serve only these functions, comma-separated (e.g. relay, to scale the relay out)',
    unset: 'all',
  },
});

/** Every variable the local functions host reads, in the order its --help lists them. */
export const HOST_VARIABLES: readonly Variable[] = [
  HOST_OWN_VARIABLES.PORT,
  LISTEN_VARIABLES.HOST,
  ...Object.values(ACCESS_VARIABLES),
  ...Object.values(FUNCTION_VARIABLES),
  TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX,
  HOST_OWN_VARIABLES.PETZI_FUNCTIONS,
  ...Object.values(HTTP_TIMEOUT_VARIABLES),
  ...Object.values(DEPLOYMENT_VARIABLES),
];

export interface HostSettings {
  config: Config;
  port: number;
  hostname: string;
  access: Access;
  topologyPrefix: string | undefined;
  functions: FunctionDeclaration[];
  httpTimeouts: HttpTimeouts;
}

/** PETZI_FUNCTIONS=webhook,relay serves a subset, e.g. to run the relay in its own processes. */
function selectFunctions(env: Env): FunctionDeclaration[] {
  const functions = declaredFunctions();
  const wanted = readEnv.read(env, HOST_OWN_VARIABLES.PETZI_FUNCTIONS);
  if (wanted.length === 0) return functions;
  const unknown = wanted.filter((name) => !functions.some((f) => f.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(`PETZI_FUNCTIONS names unknown functions: ${unknown.join(', ')} (known: ${functions.map((f) => f.name).join(', ')})`);
  }
  return functions.filter((f) => wanted.includes(f.name));
}

/**
 * Everything the host reads from its environment. Exposed (not loopback, or production), it
 * refuses to run open: it needs a key and a real webhook secret.
 */
export function hostSettings(env: Env): HostSettings {
  const config = loadConfig(env);
  const port = readEnv.read(env, HOST_OWN_VARIABLES.PORT);
  const hostname = hostFromEnv(env);
  refuseExampleSecret(config.secrets, hostname, env);
  return {
    config,
    port,
    hostname,
    access: resolveAccess(accessKeysFromEnv(env), hostname, env),
    topologyPrefix: readEnv.read(env, TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX),
    functions: selectFunctions(env),
    httpTimeouts: httpTimeoutsFromEnv(env),
  };
}
