// The cluster's configuration files, generated from the server's own sample
// (config/development-postgres12.yaml of go.temporal.io/server v1.29.1): our PostgreSQL, our ports,
// 16 history shards, our dynamic config. Each substitution must match the sample exactly as many
// times as expected, so a changed sample fails loudly instead of yielding a half-edited config.

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  /** The server's own Prometheus metrics. */
  metrics: number;
}

export interface ServerConfigInput {
  template: string;
  postgres: { host: string; port: number; user: string; password: string };
  ports: ServerPorts;
  historyShards: number;
  dynamicConfigFile: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

function replace(text: string, from: string | RegExp, to: string, times: number): string {
  const pattern = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : from;
  const found = text.match(pattern)?.length ?? 0;
  if (found !== times)
    throw new Error(
      `server config template: expected ${times} × ${String(from)}, found ${found} (a new server version?)`,
    );
  return text.replace(pattern, to);
}

export function renderServerConfig(i: ServerConfigInput): string {
  const { ports: p, postgres: pg } = i;
  let y = i.template;
  y = replace(y, /^ {2}level: info$/m, `  level: ${i.logLevel ?? 'warn'}`, 1);
  y = replace(y, 'numHistoryShards: 4', `numHistoryShards: ${i.historyShards}`, 1);
  y = replace(y, 'connectAddr: "127.0.0.1:5432"', `connectAddr: "${pg.host}:${pg.port}"`, 2);
  y = replace(y, 'user: "temporal"', `user: ${JSON.stringify(pg.user)}`, 2);
  y = replace(y, 'password: "temporal"', `password: ${JSON.stringify(pg.password)}`, 2);
  // pprof off: port 0 does not start it.
  y = replace(y, 'port: 7936', 'port: 0', 1);
  y = replace(y, 'listenAddress: "127.0.0.1:8000"', `listenAddress: "127.0.0.1:${p.metrics}"`, 1);
  y = replace(y, 'grpcPort: 7233', `grpcPort: ${p.frontend}`, 1);
  y = replace(y, 'membershipPort: 6933', `membershipPort: ${p.frontendMembership}`, 1);
  y = replace(y, 'httpPort: 7243', `httpPort: ${p.frontendHttp}`, 1);
  y = replace(y, 'grpcPort: 7235', `grpcPort: ${p.matching}`, 1);
  y = replace(y, 'membershipPort: 6935', `membershipPort: ${p.matchingMembership}`, 1);
  y = replace(y, 'grpcPort: 7234', `grpcPort: ${p.history}`, 1);
  y = replace(y, 'membershipPort: 6934', `membershipPort: ${p.historyMembership}`, 1);
  y = replace(y, 'grpcPort: 7239', `grpcPort: ${p.worker}`, 1);
  y = replace(y, 'membershipPort: 6939', `membershipPort: ${p.workerMembership}`, 1);
  y = replace(y, 'rpcAddress: "localhost:7233"', `rpcAddress: "127.0.0.1:${p.frontend}"`, 1);
  y = replace(
    y,
    'filepath: "config/dynamicconfig/development-sql.yaml"',
    `filepath: ${JSON.stringify(i.dynamicConfigFile)}`,
    1,
  );
  return y;
}

/** Dynamic config: settings as `key: value`, each applying without constraints. */
export function renderDynamicConfig(settings: Record<string, string | number | boolean>): string {
  const lines = Object.entries(settings).flatMap(([k, v]) => [`${k}:`, `  - value: ${JSON.stringify(v)}`]);
  return lines.length ? `${lines.join('\n')}\n` : '{}\n';
}

export interface UiConfigInput {
  port: number;
  temporalGrpcAddress: string;
  /** The API's codec endpoint: the UI decrypts payloads through it. */
  codecEndpoint?: string;
  defaultNamespace: string;
  /** Where the UI is opened from (CORS). */
  publicUrl: string;
}

/** The UI server's config (github.com/temporalio/ui-server/v2 config/development.yaml's keys). */
export function renderUiConfig(i: UiConfigInput): string {
  return [
    'host: 127.0.0.1',
    `port: ${i.port}`,
    `temporalGrpcAddress: ${i.temporalGrpcAddress}`,
    'enableUi: true',
    `defaultNamespace: ${i.defaultNamespace}`,
    'refreshInterval: 1m',
    'showTemporalSystemNamespace: false',
    'notifyOnNewVersion: false',
    'cors:',
    '  cookieInsecure: true',
    '  allowOrigins:',
    `    - ${JSON.stringify(i.publicUrl)}`,
    'auth:',
    '  enabled: false',
    'codec:',
    `  endpoint: ${JSON.stringify(i.codecEndpoint ?? '')}`,
    '  passAccessToken: false',
    '  includeCredentials: false',
    '',
  ].join('\n');
}
