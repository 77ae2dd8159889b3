// `npm run access -- <command>`: API keys and payload keys, on the database and key ring of the
// service in this folder (INDSATSFLOW_DATA, default .data) or DATABASE_URL / INDSATSFLOW_KEYRING.
// Every change is written to the audit log with the operating-system user who made it.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { newApiKey } from './access/api-keys';
import { isMunicipalitySlug, isRole, ROLES } from './access/roles';
import { KeyRing } from './codec/keyring';
import { keyRingDir } from './codec/keys';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { createRepositories } from './db/repositories';
import { openDatabase } from './stack/database';

const USAGE = `usage: npm run access -- <command>
  create-key --municipality M [--municipality M2] --role ROLE [--role ROLE2] [--name NAME]
                                   a new API key; the key itself is the last line printed, shown once
  list-keys                        every key: id, name, municipalities, roles, created, revoked
  revoke-key ID                    the key stops working at once
  rotate-payload-key --municipality M
                                   new Temporal payloads of M are encrypted with a new key; old ones stay readable
  retire-payload-key KEY_ID        deletes the key: the payloads it encrypted can no longer be read by anyone
  list-payload-keys                every municipality's payload keys (ids only), the current one marked
  audit [--limit N]                the latest entries of the audit log
roles: ${ROLES.join(', ')}`;

const list = (v: string[] | undefined) =>
  (v ?? [])
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      municipality: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      name: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const who = process.env.SUDO_USER ?? userInfo().username;
  const dataDir = resolve(process.env.INDSATSFLOW_DATA ?? '.data');
  const ring = new KeyRing(keyRingDir(dataDir));

  // Payload keys live in the key ring, not the database.
  if (command === 'list-payload-keys') {
    for (const m of ring.list())
      for (const k of m.keys) console.log(`${k}${k === m.current ? '  (current: new payloads)' : ''}`);
    return;
  }

  const db = await openDatabase(dataDir);
  const pool = createPool(db.url);
  try {
    await migrate(pool);
    const repos = createRepositories(pool);
    const audit = (action: string, municipality: string | null, target: string, detail?: Record<string, unknown>) =>
      repos.audit.record({ actorKind: 'cli', actor: who, action, municipality, target, detail, status: 0 });

    switch (command) {
      case 'create-key': {
        const municipalities = list(values.municipality);
        const roles = list(values.role);
        const bad = roles.filter((r) => !isRole(r));
        if (roles.length === 0 || bad.length)
          fail(`--role must be one of ${ROLES.join(', ')}${bad.length ? ` (not ${bad.join(', ')})` : ''}`);
        const platform = roles.includes('platform-admin');
        if (!platform && municipalities.length === 0) fail('--municipality is required (except for platform-admin)');
        const badM = municipalities.filter((m) => !isMunicipalitySlug(m));
        if (badM.length) fail(`not a municipality slug: ${badM.join(', ')}`);
        const known = (
          await pool.query<{ m: string }>('SELECT DISTINCT municipality AS m FROM policy_versions')
        ).rows.map((r) => r.m);
        const unknown = municipalities.filter((m) => known.length > 0 && !known.includes(m));
        if (unknown.length) fail(`no policy for ${unknown.join(', ')}; known: ${known.join(', ')}`);
        const k = newApiKey();
        const name = values.name ?? `${roles.join('+')} ${municipalities.join(',') || 'all'}`;
        await repos.apiKeys.create({ id: k.id, hash: k.hash, name, municipalities, roles, by: who });
        await audit('key.create', municipalities.length === 1 ? municipalities[0] : null, k.id, {
          name,
          municipalities,
          roles,
        });
        console.log(
          `created key ${k.id} "${name}" for ${platform ? 'every municipality' : municipalities.join(', ')} as ${roles.join(', ')}`,
        );
        console.log("the key is shown once; keep it in the case system's secret store:");
        console.log(k.key);
        return;
      }
      case 'list-keys': {
        const keys = await repos.apiKeys.list();
        if (keys.length === 0) console.log('no keys');
        for (const k of keys)
          console.log(
            [
              k.id,
              JSON.stringify(k.name),
              k.municipalities.join(',') || '*',
              k.roles.join(','),
              `created ${k.createdAt} by ${k.createdBy}`,
              k.revokedAt ? `REVOKED ${k.revokedAt}` : 'active',
              k.lastUsedAt ? `last used ${k.lastUsedAt}` : 'never used',
            ].join('  '),
          );
        return;
      }
      case 'revoke-key': {
        const id = positionals[0];
        if (!id) fail('revoke-key ID');
        if (!(await repos.apiKeys.revoke(id, who))) fail(`no active key ${id}`);
        await audit('key.revoke', null, id);
        console.log(`revoked key ${id}`);
        return;
      }
      case 'rotate-payload-key': {
        const [m] = list(values.municipality);
        if (!m || !isMunicipalitySlug(m)) fail('--municipality M');
        const id = ring.rotate(m);
        await audit('payload-key.rotate', m, id);
        console.log(`new payloads of ${m} are encrypted with ${id} (a running service picks it up within seconds)`);
        return;
      }
      case 'retire-payload-key': {
        const id = positionals[0];
        if (!id) fail('retire-payload-key KEY_ID');
        if (!ring.retire(id)) fail(`no payload key ${id}`);
        await audit('payload-key.retire', id.split(':')[0], id);
        console.log(`retired ${id}: the payloads it encrypted can no longer be read`);
        return;
      }
      case 'audit': {
        for (const e of (await repos.audit.list({ limit: Number(values.limit ?? 50) })).items)
          console.log(
            [
              e.at,
              e.actorKind,
              e.actor,
              e.action,
              e.municipality ?? '-',
              e.target ?? '-',
              e.status ?? '-',
              e.remoteAddr ?? '',
            ].join('  '),
          );
        return;
      }
      default:
        fail(USAGE);
    }
  } finally {
    await pool.end();
    await db.stop();
  }
}

class Refused extends Error {}

/** Refuses the command (exit code 2) after the database is closed again. */
function fail(message: string): never {
  throw new Refused(message);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error((err as Error).message);
    process.exit(err instanceof Refused ? 2 : 1);
  },
);
