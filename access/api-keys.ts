// API keys for systems: `ifk_<id>_<secret>`, 32 random bytes of secret. Only a SHA-256 of the whole
// key is stored: with that much entropy a slow password hash adds nothing, and a fast one keeps
// every request to one indexed lookup. The id is public (listed, revoked, written to the audit log).
import { createHash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'ifk_';

export function newApiKey(): { id: string; key: string; hash: string } {
  const id = randomBytes(6).toString('hex');
  const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const looksLikeApiKey = (token: string) => /^ifk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/.test(token);
