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
import { temporal } from '@temporalio/proto';
import { isMunicipalitySlug } from '../access/roles';
import { decrypt, encrypt, encryptedMetadata, keyIdOf, keyObjectOf } from './aes-gcm';
import { type KeyRing, municipalityOfKeyId, PLATFORM } from './keyring';

/** The municipality a workflow id names, if it names one. */
export function municipalityOfWorkflow(workflowId: string | undefined): string | undefined {
  const m = /^(?:measure|policy-rollout)\/([^/]+)\//.exec(workflowId ?? '')?.[1];
  return m && isMunicipalitySlug(m) ? m : undefined;
}

export class KeyRetired extends Error {}

export class MunicipalCodec implements PayloadCodec {
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
    const key = keyObjectOf(raw);
    return payloads.map((p) => ({
      metadata: encryptedMetadata(id),
      data: encrypt(key, temporal.api.common.v1.Payload.encode(p).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const id = keyIdOf(p);
      if (id === undefined) return p;
      const key = this.keyring.key(id) ?? this.legacy.get(id);
      if (!key) throw new KeyRetired(`payload encrypted with key ${id}, which is retired or unknown`);
      return temporal.api.common.v1.Payload.decode(decrypt(keyObjectOf(key), p.data ?? new Uint8Array()));
    });
  }
}

/** Whose payload this is: a municipality, the platform, or (legacy keys) nobody in particular. */
export function ownerOf(p: Payload): string | undefined {
  const id = keyIdOf(p);
  return id === undefined ? undefined : municipalityOfKeyId(id);
}
