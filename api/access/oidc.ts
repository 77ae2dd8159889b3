// People sign in with the municipality's identity provider (OIDC) and call with its access token.
// The token is verified with `jose` against the issuer's published keys (JWKS): signature,
// issuer, audience, expiry. What a person may do comes from two claims (names configurable):
//
//   municipalities  the municipality slugs the person works for (an array, or a space-separated
//                   string), e.g. ["hjorring"]
//   roles           the roles (an array, or a space-separated string), e.g. ["reader", "operator"]
//
// A person with the role `platform-admin` acts in every municipality.
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { callerOf, isRole, type Caller } from '../../access/roles';

export interface OidcConfig {
  issuer: string;
  audience: string;
  /** The issuer's JWKS; default: jwks_uri from the issuer's discovery document. */
  jwksUrl?: string;
  municipalitiesClaim?: string;
  rolesClaim?: string;
}

export function oidcConfigFromEnv(env = process.env): OidcConfig | undefined {
  const issuer = env.INDSATSFLOW_OIDC_ISSUER;
  if (!issuer) return undefined;
  const audience = env.INDSATSFLOW_OIDC_AUDIENCE;
  if (!audience) throw new Error('INDSATSFLOW_OIDC_ISSUER is set, INDSATSFLOW_OIDC_AUDIENCE must be too');
  return {
    issuer,
    audience,
    jwksUrl: env.INDSATSFLOW_OIDC_JWKS_URL,
    municipalitiesClaim: env.INDSATSFLOW_OIDC_MUNICIPALITIES_CLAIM,
    rolesClaim: env.INDSATSFLOW_OIDC_ROLES_CLAIM,
  };
}

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? v.split(/\s+/).filter(Boolean)
      : [];

export class OidcVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  constructor(private readonly cfg: OidcConfig) {}

  private async keys() {
    if (this.jwks) return this.jwks;
    let url = this.cfg.jwksUrl;
    if (!url) {
      const res = await fetch(`${this.cfg.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) throw new Error(`OIDC discovery at ${this.cfg.issuer} answered ${res.status}`);
      url = ((await res.json()) as { jwks_uri?: string }).jwks_uri;
      if (!url) throw new Error(`OIDC discovery at ${this.cfg.issuer} names no jwks_uri`);
    }
    this.jwks = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    return this.jwks;
  }

  /** The person the token names, or an Error saying why the token is refused. */
  async verify(token: string): Promise<Caller> {
    const { payload } = await jwtVerify(token, await this.keys(), {
      issuer: this.cfg.issuer,
      audience: this.cfg.audience,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      clockTolerance: 5,
      requiredClaims: ['sub', 'exp'],
    });
    return this.callerOf(payload);
  }

  callerOf(p: JWTPayload): Caller {
    const municipalities = list(p[this.cfg.municipalitiesClaim ?? 'municipalities']);
    const roles = list(p[this.cfg.rolesClaim ?? 'roles']).filter(isRole);
    const name = [p.preferred_username, p.name, p.email].find((x): x is string => typeof x === 'string') ?? p.sub!;
    return callerOf('person', `oidc:${p.sub}`, name, municipalities, roles);
  }
}
