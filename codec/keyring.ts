// Each municipality's payload keys: one file per key, `<dir>/<municipality>/<stamp>.key` (base64 of
// 32 bytes, mode 0600), the key id `<municipality>:<stamp>`. The newest key encrypts; every key
// still present decrypts. Rotating adds a key; retiring deletes its file, and whatever it encrypted
// can no longer be read by anyone (crypto-shredding). The directory is read again every few
// seconds, so a rotation or retirement by `npm run access` reaches a running service on its own.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMunicipalitySlug } from '../access/roles';

/** Payloads that belong to no municipality (activity results, workflows of no measure). */
export const PLATFORM = '_platform';

const STAMP = /^\d{8}T\d{6}-[0-9a-f]{4}$/;
const RELOAD_MS = 5_000;

interface Ring {
  loadedAt: number;
  keys: Map<string, Buffer>;
  current?: string;
}

const validOwner = (m: string) => m === PLATFORM || isMunicipalitySlug(m);

export function municipalityOfKeyId(keyId: string): string | undefined {
  const i = keyId.indexOf(':');
  return i > 0 ? keyId.slice(0, i) : undefined;
}

export class KeyRing {
  private readonly rings = new Map<string, Ring>();
  constructor(readonly dir: string) {}

  /** The key that encrypts new payloads of this municipality; created on first use. */
  current(municipality: string): { id: string; key: Buffer } {
    let ring = this.ring(municipality);
    if (!ring.current) {
      this.rotate(municipality);
      ring = this.ring(municipality, true);
    }
    return { id: ring.current!, key: ring.keys.get(ring.current!)! };
  }

  /** A key by id, if it still exists. */
  key(keyId: string): Buffer | undefined {
    const m = municipalityOfKeyId(keyId);
    if (!m || !validOwner(m)) return undefined;
    return this.ring(m).keys.get(keyId) ?? this.ring(m, true).keys.get(keyId);
  }

  /** A new key for new payloads; the old ones stay for reading. Returns its id. */
  rotate(municipality: string): string {
    if (!validOwner(municipality)) throw new Error(`not a municipality slug: ${municipality}`);
    const d = new Date();
    const stamp = `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}-${randomBytes(2).toString('hex')}`;
    mkdirSync(join(this.dir, municipality), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, municipality, `${stamp}.key`), randomBytes(32).toString('base64'), { mode: 0o600 });
    this.rings.delete(municipality);
    return `${municipality}:${stamp}`;
  }

  /** Deletes a key for good: the payloads it encrypted become unreadable. */
  retire(keyId: string): boolean {
    const m = municipalityOfKeyId(keyId);
    const stamp = keyId.slice((m?.length ?? 0) + 1);
    if (!m || !validOwner(m) || !STAMP.test(stamp)) return false;
    const file = join(this.dir, m, `${stamp}.key`);
    if (!existsSync(file)) return false;
    // Overwrite before unlinking, so that the bytes do not linger in the file's blocks.
    writeFileSync(file, randomBytes(64));
    rmSync(file);
    this.rings.delete(m);
    return true;
  }

  /** Every key id per municipality, newest last. */
  list(): { municipality: string; keys: string[]; current?: string }[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter(validOwner)
      .sort()
      .map((m) => {
        const r = this.ring(m, true);
        return { municipality: m, keys: [...r.keys.keys()], current: r.current };
      });
  }

  private ring(municipality: string, fresh = false): Ring {
    const cached = this.rings.get(municipality);
    if (cached && !fresh && Date.now() - cached.loadedAt < RELOAD_MS) return cached;
    const keys = new Map<string, Buffer>();
    const dir = join(this.dir, municipality);
    const stamps = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.key') && STAMP.test(f.slice(0, -4)))
          .map((f) => f.slice(0, -4))
          .sort()
      : [];
    for (const s of stamps) {
      const key = Buffer.from(readFileSync(join(dir, `${s}.key`), 'utf8').trim(), 'base64');
      if (key.length !== 32) throw new Error(`${join(dir, `${s}.key`)} must hold 32 bytes, base64-encoded`);
      keys.set(`${municipality}:${s}`, key);
    }
    const ring: Ring = {
      loadedAt: Date.now(),
      keys,
      current: stamps.length ? `${municipality}:${stamps[stamps.length - 1]}` : undefined,
    };
    this.rings.set(municipality, ring);
    return ring;
  }
}
