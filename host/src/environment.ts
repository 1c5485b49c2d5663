import {
  ACCESS_VARIABLES,
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
import { selectFunctions } from './functionSelection';
import {
  HTTP_TIMEOUT_VARIABLES,
  LISTEN_VARIABLES,
  hostFromEnv,
  httpTimeoutsFromEnv,
  type HttpTimeouts,
} from '../../kit/src';

export const HOST_OWN_VARIABLES = declareVariables({
  PORT: { kind: 'port', default: 5000, meaning: 'the port it listens on' },
  PETZI_FUNCTIONS: {
    kind: 'list',
    meaning:
      'serve only these functions, comma-separated names or trigger kinds (@http, @timer, @rabbitmq): @http for the replicas behind the gateway, @rabbitmq,@timer,liveness,metrics for the relay service',
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
  TOPOLOGY_VARIABLES.PETZI_RELAY_QUEUE_TYPE,
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
    functions: selectFunctions(declaredFunctions(), readEnv.read(env, HOST_OWN_VARIABLES.PETZI_FUNCTIONS)),
    httpTimeouts: httpTimeoutsFromEnv(env),
  };
}
