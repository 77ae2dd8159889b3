// What the access tests share: two municipalities on one service, API keys made the way
// `npm run access -- create-key` makes them, and a local OIDC issuer (its JWKS served over HTTP on
// 127.0.0.1, its keys from jose) whose tokens the API verifies for real.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Pool } from 'pg';
import { newApiKey } from '../../access/api-keys';
import type { Role } from '../../access/roles';
import { createRepositories } from '../../db/repositories';
import type { MunicipalityPolicy } from '../../policies/types';
import { fastMeasureType, testMunicipality } from '../fixtures/test-policy';

export const OWN = 'nordby';
export const OTHER = 'sydby';

/** The test municipality under another name, with calendar timers: nothing falls due while the
 *  tests run, so the worker stays quiet. */
export function municipality(slug: string): MunicipalityPolicy {
  const setting = { kind: 'policy-setting', note: 'access tests' } as const;
  return {
    ...testMunicipality(),
    municipality: slug,
    name: `${slug} Kommune (test)`,
    measureTypes: [
      fastMeasureType({
        firstFollowUp: { after: 'P1M', from: 'start', strength: 'hard', source: setting },
        followUp: { after: 'P3M', from: 'previous-follow-up', strength: 'hard', source: setting },
      }),
    ],
  };
}

/** A key for these municipalities and roles, as the command line creates one. */
export async function createKey(pool: Pool, municipalities: string[], roles: Role[], name = roles.join('+')) {
  const k = newApiKey();
  await createRepositories(pool).apiKeys.create({ id: k.id, hash: k.hash, name, municipalities, roles, by: 'test' });
  return { id: k.id, key: k.key, authorization: `Bearer ${k.key}` };
}

export interface LocalIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  token(
    claims: Record<string, unknown>,
    o?: { expiresIn?: string | number; audience?: string; issuer?: string; key?: 'own' | 'stranger' },
  ): Promise<string>;
  stop(): Promise<void>;
}

export async function startIssuer(): Promise<LocalIssuer> {
  const own = await generateKeyPair('RS256');
  // Same key id, different key: a token it signs must fail verification.
  const stranger = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(own.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/realm`;
  const audience = 'indsatsflow-api';
  return {
    issuer,
    audience,
    jwksUrl: `${base}/jwks`,
    token: async (claims, o = {}) => {
      const key: CryptoKey = o.key === 'stranger' ? stranger.privateKey : own.privateKey;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(o.issuer ?? issuer)
        .setAudience(o.audience ?? audience)
        .setSubject(String(claims.sub ?? 'person-1'))
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '5m')
        .sign(key);
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
