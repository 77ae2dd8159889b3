// `npm run temporal:setup`: prepares an external Temporal namespace for Indsatsflow: registers the
// namespace when a self-hosted cluster lacks it, then the search attributes. Idempotent.
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { connectionOptions, describeTarget, temporalTargetFromEnv, type TemporalTarget } from './connection';
import { checkSearchAttributes, registerSearchAttributes } from './search-attributes';

const isNotFound = (err: unknown) => (err as { code?: number }).code === 5; // gRPC NOT_FOUND

export interface SetupResult {
  namespaceCreated: boolean;
  added: string[];
}

export async function setupNamespace(
  target: TemporalTarget,
  opts: { retentionDays?: number; log?: (l: string) => void } = {},
): Promise<SetupResult> {
  const log = opts.log ?? (() => undefined);
  const connection = await Connection.connect(connectionOptions(target));
  try {
    let namespaceCreated = false;
    try {
      await connection.workflowService.describeNamespace({ namespace: target.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const days = opts.retentionDays ?? 30;
      log(`namespace ${target.namespace} does not exist: registering it (retention ${days} days)`);
      await connection.workflowService.registerNamespace({
        namespace: target.namespace,
        workflowExecutionRetentionPeriod: msToTs(`${days} days`),
      });
      namespaceCreated = true;
    }
    // A namespace just registered reaches the frontend's cache within seconds; retry until it does.
    let added: string[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        added = await registerSearchAttributes(connection, target.namespace);
        break;
      } catch (err) {
        if (!isNotFound(err) || attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    await checkSearchAttributes(connection, target.namespace);
    return { namespaceCreated, added };
  } finally {
    await connection.close();
  }
}

async function main() {
  const target = temporalTargetFromEnv();
  if (!target) {
    console.error(
      'temporal:setup needs TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS or an API key as the cluster needs); ' +
        'the embedded dev server registers everything itself',
    );
    process.exit(2);
  }
  const retention = process.env.TEMPORAL_NAMESPACE_RETENTION_DAYS;
  const r = await setupNamespace(target, {
    retentionDays: retention ? Number(retention) : undefined,
    log: (l) => console.log(`temporal:setup: ${l}`),
  });
  console.log(
    `temporal:setup: ${describeTarget(target)} ready; ` +
      (r.added.length ? `search attributes registered: ${r.added.join(', ')}` : 'search attributes were all there'),
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`temporal:setup failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
