// Encrypts every payload Temporal stores for us (workflow inputs, update arguments, results,
// activity arguments): event data can carry personal data (a child's birth date), and Temporal's
// history must not hold it in clear text. Workflow ids and search attributes stay readable; they
// are built to carry no personal data. AES-256-GCM, a fresh IV per payload, the key id recorded so
// that keys can be rotated.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const te = new TextEncoder();
const td = new TextDecoder();

export class EncryptionCodec implements PayloadCodec {
  /** Each key imported once: a raw Buffer handed to createCipheriv is imported again per payload. */
  private readonly imported = new Map<string, KeyObject>();

  /** keys by id; the first is used to encrypt, all of them to decrypt. */
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly current: string,
  ) {
    if (!keys.has(current)) throw new Error(`no key ${current}`);
  }

  private key(id: string): KeyObject | undefined {
    let k = this.imported.get(id);
    if (!k) {
      const raw = this.keys.get(id);
      if (!raw) return undefined;
      this.imported.set(id, (k = createSecretKey(raw)));
    }
    return k;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.key(this.current)!;
    return payloads.map((p) => {
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: te.encode(ENCODING), [KEY_ID]: te.encode(this.current) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (!p.metadata || td.decode(p.metadata[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCODING) return p;
      const id = td.decode(p.metadata[KEY_ID] ?? new Uint8Array());
      const key = this.key(id);
      if (!key) throw new Error(`payload encrypted with unknown key id ${id}`);
      const buf = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      decipher.setAuthTag(buf.subarray(buf.length - 16));
      const plain = Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
