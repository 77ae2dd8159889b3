// The payload encryption both codecs share (the municipal one in production, the single-key one of
// the tests and of payloads written before): AES-256-GCM, a fresh IV per payload, laid out as
// IV ‖ ciphertext ‖ tag, and the metadata that marks a payload as encrypted and names its key.
import type { Payload } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

// Each key imported once: a raw Buffer handed to createCipheriv is imported again per payload.
// Keyed by the key's own Buffer, so a rotated or shredded key leaves with it.
const imported = new WeakMap<Buffer, KeyObject>();

export function keyObjectOf(raw: Buffer): KeyObject {
  let k = imported.get(raw);
  if (!k) imported.set(raw, (k = createSecretKey(raw)));
  return k;
}

export function encrypt(key: KeyObject, plain: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function decrypt(key: KeyObject, data: Uint8Array): Buffer {
  const buf = Buffer.from(data);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]);
}

const te = new TextEncoder();
const td = new TextDecoder();

/** The metadata of a payload encrypted with key `keyId`. */
export function encryptedMetadata(keyId: string): Record<string, Uint8Array> {
  return { [METADATA_ENCODING_KEY]: te.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: te.encode(keyId) };
}

/** The key id of an encrypted payload; undefined for one that is not encrypted. */
export function keyIdOf(p: Payload): string | undefined {
  if (!p.metadata || td.decode(p.metadata[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCRYPTED_ENCODING)
    return undefined;
  return td.decode(p.metadata[KEY_ID_METADATA] ?? new Uint8Array());
}
