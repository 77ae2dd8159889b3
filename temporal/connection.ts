// How the client and the worker reach Temporal, from the environment: the address and namespace,
// TLS or mTLS (a private CA, a client certificate), and an API key (Temporal Cloud). The client's
// Connection and the worker's NativeConnection take the same options, built once here.
import { readFileSync } from 'node:fs';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Absent: plaintext (a local server). */
  tls?: TemporalTls;
  apiKey?: string;
}

export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

type Env = Record<string, string | undefined>;

const readPem = (path: string, variable: string): Buffer => {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${variable}=${path} cannot be read: ${(err as Error).message}`);
  }
};

/**
 * TLS is on when any TEMPORAL_TLS_* variable is set, when TEMPORAL_TLS=1, or with an API key
 * (Temporal Cloud accepts API keys only over TLS); TEMPORAL_TLS=0 turns it off explicitly.
 */
export function tlsFromEnv(env: Env = process.env): TemporalTls | undefined {
  const cert = env.TEMPORAL_TLS_CERT;
  const key = env.TEMPORAL_TLS_KEY;
  const ca = env.TEMPORAL_TLS_CA;
  const serverName = env.TEMPORAL_TLS_SERVER_NAME;
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS needs both the certificate and its key)');
  }
  const wanted =
    env.TEMPORAL_TLS === '1' ||
    env.TEMPORAL_TLS === 'true' ||
    Boolean(cert || ca || serverName) ||
    (Boolean(env.TEMPORAL_API_KEY) && env.TEMPORAL_TLS !== '0' && env.TEMPORAL_TLS !== 'false');
  if (!wanted) return undefined;
  return {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(ca ? { serverRootCACertificate: readPem(ca, 'TEMPORAL_TLS_CA') } : {}),
    ...(cert && key
      ? { clientCertPair: { crt: readPem(cert, 'TEMPORAL_TLS_CERT'), key: readPem(key, 'TEMPORAL_TLS_KEY') } }
      : {}),
  };
}

/** The external Temporal named by TEMPORAL_ADDRESS, or undefined (the embedded dev server is used). */
export function temporalTargetFromEnv(env: Env = process.env): TemporalTarget | undefined {
  const address = env.TEMPORAL_ADDRESS;
  if (!address) return undefined;
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    tls: tlsFromEnv(env),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}

/** Options both `Connection.connect` and `NativeConnection.connect` accept. */
export function connectionOptions(t: Pick<TemporalTarget, 'address' | 'tls' | 'apiKey'>) {
  return {
    address: t.address,
    ...(t.tls ? { tls: t.tls } : {}),
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
  };
}

/** What the logs may say about the target: never the key or certificate contents. */
export function describeTarget(t: TemporalTarget): string {
  const security = t.tls ? (t.tls.clientCertPair ? 'mTLS' : 'TLS') : 'plaintext';
  return `${t.address} (namespace ${t.namespace}, ${security}${t.apiKey ? ', API key' : ''})`;
}
