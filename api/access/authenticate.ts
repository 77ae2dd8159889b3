// Who is calling, from the Authorization header: an API key (systems), an OIDC access token
// (people), or the platform administrators' INDSATSFLOW_ADMIN_TOKEN. Without credentials the
// caller is the local one when access control is off, and nobody when it is required.
import { timingSafeEqual } from 'node:crypto';
import { hashApiKey, KEY_PREFIX } from '../../access/api-keys';
import { callerOf, isRole, localCaller, type Caller } from '../../access/roles';
import type { ApiKeyRepository } from '../../db/repositories/api-keys';
import type { OidcVerifier } from './oidc';

export interface AuthenticatorOptions {
  apiKeys: ApiKeyRepository;
  oidc?: OidcVerifier;
  adminToken?: string;
  /** INDSATSFLOW_AUTH=required: every route but the public ones needs credentials. */
  required: boolean;
}

export type Identified = { caller: Caller } | { refused: string };

function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class Authenticator {
  private readonly local: Caller;
  constructor(private readonly o: AuthenticatorOptions) {
    this.local = localCaller(o.adminToken !== undefined);
  }

  get required(): boolean {
    return this.o.required;
  }

  /** The caller, or why the credentials are refused; `undefined`: none were given. */
  async identify(authorization: string | undefined): Promise<Identified | undefined> {
    if (authorization === undefined || authorization === '')
      return this.o.required ? undefined : { caller: this.local };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return { refused: 'expected Authorization: Bearer <API key or access token>' };
    const token = m[1];
    if (this.o.adminToken && sameSecret(token, this.o.adminToken))
      return { caller: callerOf('admin-token', 'admin-token', 'INDSATSFLOW_ADMIN_TOKEN', [], ['platform-admin']) };
    if (token.startsWith(KEY_PREFIX)) {
      const row = await this.o.apiKeys.byHash(hashApiKey(token));
      if (!row) return { refused: 'unknown or revoked API key' };
      return { caller: callerOf('key', `key:${row.id}`, row.name, row.municipalities, row.roles.filter(isRole)) };
    }
    if (this.o.oidc && token.split('.').length === 3) {
      try {
        return { caller: await this.o.oidc.verify(token) };
      } catch (err) {
        return { refused: `access token refused: ${(err as Error).message}` };
      }
    }
    return { refused: 'unknown credentials' };
  }
}
