// Encrypts every payload Temporal stores for us (workflow inputs, update arguments, results,
// activity arguments): event data can carry personal data (a child's birth date), and Temporal's
// history must not hold it in clear text. Workflow ids and search attributes stay readable; they
// are built to carry no personal data. AES-256-GCM, a fresh IV per payload, the key id recorded so
// that keys can be rotated.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyObject } from 'node:crypto';
import { decrypt, encrypt, encryptedMetadata, keyIdOf, keyObjectOf } from './aes-gcm';

export class EncryptionCodec implements PayloadCodec {
  /** keys by id; the first is used to encrypt, all of them to decrypt. */
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly current: string,
  ) {
    if (!keys.has(current)) throw new Error(`no key ${current}`);
  }

  private key(id: string): KeyObject | undefined {
    const raw = this.keys.get(id);
    return raw && keyObjectOf(raw);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.key(this.current)!;
    return payloads.map((p) => {
      const data = encrypt(key, temporal.api.common.v1.Payload.encode(p).finish());
      return { metadata: encryptedMetadata(this.current), data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const id = keyIdOf(p);
      if (id === undefined) return p;
      const key = this.key(id);
      if (!key) throw new Error(`payload encrypted with unknown key id ${id}`);
      return temporal.api.common.v1.Payload.decode(decrypt(key, p.data ?? new Uint8Array()));
    });
  }
}
