// The connection to a production Temporal from the environment, and the search-attribute check
// and registration against a real server (the dev server, on a namespace created bare).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { startTemporalServer, type RunningTemporal } from '../stack/temporal-server';
import { connectionOptions, describeTarget, temporalTargetFromEnv } from '../temporal/connection';
import { checkSearchAttributes } from '../temporal/search-attributes';
import { setupNamespace } from '../temporal/setup';

describe('TEMPORAL_* environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'indsatsflow-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => {
    const p = join(dir, name);
    writeFileSync(p, `-----${name}-----`);
    return p;
  };

  it('is the embedded server without TEMPORAL_ADDRESS, plaintext with it alone', () => {
    assert.equal(temporalTargetFromEnv({}), undefined);
    const t = temporalTargetFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233' })!;
    assert.deepEqual(connectionOptions(t), { address: 'temporal:7233' });
    assert.equal(describeTarget(t), 'temporal:7233 (namespace default, plaintext)');
  });

  it('reads mTLS certificates, the CA and the server name', () => {
    const t = temporalTargetFromEnv({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'kommune',
      TEMPORAL_TLS_CERT: file('cert'),
      TEMPORAL_TLS_KEY: file('key'),
      TEMPORAL_TLS_CA: file('ca'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    })!;
    assert.equal(t.namespace, 'kommune');
    assert.equal(t.tls?.serverNameOverride, 'frontend.internal');
    assert.equal(t.tls?.clientCertPair?.crt.toString(), '-----cert-----');
    assert.equal(t.tls?.serverRootCACertificate?.toString(), '-----ca-----');
    assert.match(describeTarget(t), /mTLS/);
  });

  it('uses TLS with an API key (Temporal Cloud), and never prints the key', () => {
    const t = temporalTargetFromEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret-key' })!;
    assert.deepEqual(connectionOptions(t), { address: 'ns.acct.tmprl.cloud:7233', tls: {}, apiKey: 'secret-key' });
    assert.doesNotMatch(describeTarget(t), /secret/);
  });

  it('refuses a certificate without its key, and says which file cannot be read', () => {
    assert.throws(
      () => temporalTargetFromEnv({ TEMPORAL_ADDRESS: 'x:1', TEMPORAL_TLS_CERT: file('c2') }),
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
    assert.throws(
      () => temporalTargetFromEnv({ TEMPORAL_ADDRESS: 'x:1', TEMPORAL_TLS_CA: join(dir, 'absent.pem') }),
      /TEMPORAL_TLS_CA=.*absent\.pem cannot be read/,
    );
  });
});

describe('search attributes on a namespace', { timeout: 120_000 }, () => {
  let temporal: RunningTemporal;
  before(async () => {
    temporal = await startTemporalServer({ uiPort: null });
  });
  after(async () => {
    await temporal?.stop();
  });

  it('names the missing ones at start, and temporal:setup registers them', async () => {
    const connection = await Connection.connect({ address: temporal.address });
    try {
      await connection.workflowService.registerNamespace({
        namespace: 'bare',
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
      await assert.rejects(
        () => checkSearchAttributes(connection, 'bare'),
        /namespace "bare" lacks .*missing: Municipality \(Keyword\), .*EscalationLevel \(Int\).*npm run temporal:setup/,
      );
      const r = await setupNamespace({ address: temporal.address, namespace: 'bare' });
      assert.equal(r.added.length, 10);
      await checkSearchAttributes(connection, 'bare');
      assert.deepEqual((await setupNamespace({ address: temporal.address, namespace: 'bare' })).added, []);
      const fresh = await setupNamespace({ address: temporal.address, namespace: 'made-by-setup' });
      assert.equal(fresh.namespaceCreated, true);
    } finally {
      await connection.close();
    }
  });
});
