import {
  ACCESS_VARIABLES,
  AZURE_VARIABLES,
  declareVariables,
  FUNCTION_VARIABLES,
  TOPOLOGY_VARIABLES,
  type Variable,
} from '../../functions/src';
import { LISTEN_VARIABLES } from '../../kit/src';
import { LOGIN_VARIABLES } from '../../dashboard/server/src/login';
import { PROVISION_VARIABLES, START_SERVICE_VARIABLES } from '../provision/environment';
import { DEFAULT_PORTS } from './ports';

const port = (fallback: number, meaning: string) => ({ kind: 'port', min: 1, default: fallback, meaning }) as const;

export const START_OWN_VARIABLES = declareVariables({
  FUNCTIONS_PORT: port(DEFAULT_PORTS.functions, 'the functions host port'),
  BRIDGE_PORT: port(DEFAULT_PORTS.bridge, 'the SSE bridge port'),
  DASHBOARD_PORT: port(DEFAULT_PORTS.dashboard, 'the dashboard port'),
  POSTGRES_PORT: port(DEFAULT_PORTS.postgres, 'the embedded Postgres port'),
  RABBITMQ_PORT: port(
    DEFAULT_PORTS.rabbitmq,
    'the private RabbitMQ node or container: AMQP here, management UI on +10000, Erlang distribution on +20000, its epmd on +30000',
  ),
  RABBITMQ_LOCAL_PORT: port(DEFAULT_PORTS.rabbitmqLocal, 'where to look for a running broker on 127.0.0.1'),
  PETZI_DATA_DIR: {
    kind: 'string',
    default: '.data',
    meaning: 'data of the embedded services, credentials, install logs (relative to the clone)',
  },
  NO_COLOR: { kind: 'string', meaning: 'set to anything: no colours in the output', unset: 'colours on a terminal' },
});

/** The keys and the login npm start hands its children: generated on the first run unless set. */
export const START_CREDENTIAL_VARIABLES = declareVariables({
  PETZI_API_KEY: {
    ...ACCESS_VARIABLES.PETZI_API_KEY,
    meaning: 'the API key the children check and the dashboard adds',
    unset: 'generated into .data/credentials.json',
  },
  PETZI_ADMIN_KEY: {
    ...ACCESS_VARIABLES.PETZI_ADMIN_KEY,
    meaning: 'the admin key',
    unset: 'generated into .data/credentials.json',
  },
  DASHBOARD_USER: LOGIN_VARIABLES.DASHBOARD_USER,
  DASHBOARD_PASSWORD: { ...LOGIN_VARIABLES.DASHBOARD_PASSWORD, unset: 'generated into .data/credentials.json' },
});

/** Every variable npm start reads or hands on, in the order its --help lists them. */
export const START_VARIABLES: readonly Variable[] = [
  FUNCTION_VARIABLES.PETZI_WEBHOOK_SECRET,
  FUNCTION_VARIABLES.SIGNATURE_TOLERANCE_SECONDS,
  START_SERVICE_VARIABLES.DATABASE_URL,
  START_SERVICE_VARIABLES.RABBITMQ_URL,
  TOPOLOGY_VARIABLES.PETZI_TOPOLOGY_PREFIX,
  FUNCTION_VARIABLES.MAX_BODY_BYTES,
  FUNCTION_VARIABLES.OUTBOX_GRACE_SECONDS,
  LISTEN_VARIABLES.HOST,
  START_OWN_VARIABLES.FUNCTIONS_PORT,
  START_OWN_VARIABLES.BRIDGE_PORT,
  START_OWN_VARIABLES.DASHBOARD_PORT,
  START_OWN_VARIABLES.POSTGRES_PORT,
  START_OWN_VARIABLES.RABBITMQ_PORT,
  START_OWN_VARIABLES.RABBITMQ_LOCAL_PORT,
  PROVISION_VARIABLES.RABBITMQ_SERVER_BIN,
  START_OWN_VARIABLES.PETZI_DATA_DIR,
  PROVISION_VARIABLES.PETZI_NO_INSTALL,
  ...Object.values(START_CREDENTIAL_VARIABLES),
  START_OWN_VARIABLES.NO_COLOR,
];

/** The settings of local.settings.example.json, by name: npm start hands them on, the environment overriding each. */
export function settingVariable(name: string): Variable {
  const known: Variable[] = [...Object.values(FUNCTION_VARIABLES), ...Object.values(AZURE_VARIABLES)];
  const found = known.find((v) => v.name === name || v.aliases?.includes(name));
  if (found === undefined)
    throw new Error(
      `local.settings.example.json sets ${name}, which no declaration names (functions/src/core/config.ts)`,
    );
  return found;
}
