// Who may do what: roles, the permissions they carry, and the caller as the API sees it. Pure data
// and functions: the HTTP hook (api/access/) and the event intake ask these, nothing else decides.

export const ROLES = ['case-system', 'reader', 'policy-admin', 'operator', 'platform-admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'events:send',
  'measures:read',
  'escalations:read',
  'compliance:read',
  'policies:read',
  'policies:change',
  'rollouts:read',
  'rollouts:control',
  'codec:use',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do, in each of the caller's municipalities. `platform-admin` may do
 *  everything in every municipality. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  'case-system': ['events:send', 'measures:read'],
  reader: ['measures:read', 'escalations:read', 'compliance:read', 'policies:read'],
  'policy-admin': ['policies:read', 'policies:change', 'rollouts:read', 'rollouts:control'],
  operator: ['policies:read', 'rollouts:read', 'codec:use'],
  'platform-admin': PERMISSIONS,
};

export const isRole = (r: string): r is Role => (ROLES as readonly string[]).includes(r);

/** A municipality slug, as policies name them: also a directory name for payload keys. */
export const isMunicipalitySlug = (m: string) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(m) && m.length <= 63;

export interface Caller {
  /** How the caller proved who it is. `local`: access control is off (loopback, no set-up). */
  kind: 'key' | 'person' | 'admin-token' | 'local';
  /** Stable: an API key's id, an OIDC subject; what rate limits and the audit log key on. */
  id: string;
  /** For people reading the audit log and policy versions. */
  name: string;
  /** '*' for the platform role (and with access control off). */
  municipalities: '*' | readonly string[];
  roles: readonly Role[];
  permissions: ReadonlySet<Permission>;
}

export function callerOf(
  kind: Caller['kind'],
  id: string,
  name: string,
  municipalities: readonly string[],
  roles: readonly Role[],
): Caller {
  const platform = roles.includes('platform-admin');
  return {
    kind,
    id,
    name,
    municipalities: platform ? '*' : [...new Set(municipalities)].sort(),
    roles,
    permissions: new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r])),
  };
}

/** Access control off: everything, everywhere, except what a configured admin token guards. */
export function localCaller(adminTokenSet: boolean): Caller {
  const all = callerOf('local', 'local', 'local', [], ['platform-admin']);
  if (!adminTokenSet) return all;
  const guarded: Permission[] = ['policies:change', 'rollouts:control', 'codec:use', 'audit:read'];
  return { ...all, permissions: new Set(PERMISSIONS.filter((p) => !guarded.includes(p))) };
}

/** May the caller act in this municipality at all? */
export function inScope(c: Caller, municipality: string): boolean {
  return c.municipalities === '*' || c.municipalities.includes(municipality);
}

export function can(c: Caller, permission: Permission, municipality?: string): boolean {
  return c.permissions.has(permission) && (municipality === undefined || inScope(c, municipality));
}

/** The municipalities a list answers from: the caller's, narrowed by a filter it asked for. */
export function visible(c: Caller, asked?: string): '*' | readonly string[] {
  if (asked !== undefined) return inScope(c, asked) ? [asked] : [];
  return c.municipalities;
}
