// Encrypts every payload Temporal stores for us with the key of the municipality it belongs to.
// Which municipality: the SDK tells the codec which workflow a payload belongs to (its
// serialization context: the client's target workflow, the worker's workflow, an activity's
// workflow), and every workflow id names its municipality (`measure/<m>/<id>`,
// `policy-rollout/<m>/v<n>`). So no payload's content is inspected, and a payload of one
// municipality can only ever be encrypted with that municipality's key. The key id, recorded in the
// payload's metadata, names the municipality too (`hjorring:20261201T120000-ab12`): the codec
// endpoint decrypts a payload only for an operator of that municipality.
//
// Payloads with no municipality (no context, or a workflow of none) use the platform's key.
// Payloads written before this (the single key 'local', 'env' or a test key) stay readable.
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { isMunicipalitySlug } from '../access/roles';
import { type KeyRing, municipalityOfKeyId, PLATFORM } from './keyring';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const te = new TextEncoder();
const td = new TextDecoder();

/** The municipality a workflow id names, if it names one. */
export function municipalityOfWorkflow(workflowId: string | undefined): string | undefined {
  const m = /^(?:measure|policy-rollout)\/([^/]+)\//.exec(workflowId ?? '')?.[1];
  return m && isMunicipalitySlug(m) ? m : undefined;
}

export function encrypt(key: Buffer | KeyObject, plain: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function decrypt(key: Buffer | KeyObject, data: Uint8Array): Buffer {
  const buf = Buffer.from(data);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]);
}

export class KeyRetired extends Error {}

export class MunicipalCodec implements PayloadCodec {
  /** Each key imported once: a raw Buffer handed to createCipheriv is imported again per payload.
   *  Keyed by the ring's own Buffer, so a rotated or shredded key leaves with its Buffer. */
  private readonly imported = new WeakMap<Buffer, KeyObject>();

  constructor(
    readonly keyring: KeyRing,
    /** Single keys of before (decrypt only): 'local', 'env', a test key. */
    private readonly legacy: ReadonlyMap<string, Buffer> = new Map(),
  ) {}

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return this.encodeFor(municipalityOfWorkflow(context?.workflowId) ?? PLATFORM, payloads);
  }

  encodeFor(municipality: string, payloads: Payload[]): Payload[] {
    const { id, key: raw } = this.keyring.current(municipality);
    const key = this.keyObject(raw);
    return payloads.map((p) => ({
      metadata: { [METADATA_ENCODING_KEY]: te.encode(ENCODING), [KEY_ID]: te.encode(id) },
      data: encrypt(key, temporal.api.common.v1.Payload.encode(p).finish()),
    }));
  }

  private keyObject(raw: Buffer): KeyObject {
    let k = this.imported.get(raw);
    if (!k) this.imported.set(raw, (k = createSecretKey(raw)));
    return k;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const id = keyIdOf(p);
      if (id === undefined) return p;
      const key = this.keyring.key(id) ?? this.legacy.get(id);
      if (!key) throw new KeyRetired(`payload encrypted with key ${id}, which is retired or unknown`);
      return temporal.api.common.v1.Payload.decode(decrypt(this.keyObject(key), p.data ?? new Uint8Array()));
    });
  }
}

/** The key id of an encrypted payload; undefined for one that is not encrypted. */
export function keyIdOf(p: Payload): string | undefined {
  if (!p.metadata || td.decode(p.metadata[METADATA_ENCODING_KEY] ?? new Uint8Array()) !== ENCODING) return undefined;
  return td.decode(p.metadata[KEY_ID] ?? new Uint8Array());
}

/** Whose payload this is: a municipality, the platform, or (legacy keys) nobody in particular. */
export function ownerOf(p: Payload): string | undefined {
  const id = keyIdOf(p);
  return id === undefined ? undefined : municipalityOfKeyId(id);
}
