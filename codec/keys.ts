// Where the payload keys come from: the key ring directory (INDSATSFLOW_KEYRING, default
// `<data>/keys`; a deployment mounts it from its secret store), one key per municipality created on
// first use. The single key of before (INDSATSFLOW_CODEC_KEY, or `<data>/codec.key`) is kept for
// reading the payloads it encrypted.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KeyRing } from './keyring';
import { MunicipalCodec } from './municipal-codec';

export function keyRingDir(dataDir: string): string {
  return resolve(process.env.INDSATSFLOW_KEYRING ?? join(dataDir, 'keys'));
}

export function loadCodec(dataDir: string): MunicipalCodec {
  const legacy = new Map<string, Buffer>();
  const fromEnv = process.env.INDSATSFLOW_CODEC_KEY;
  if (fromEnv) legacy.set('env', decodeKey(fromEnv, 'INDSATSFLOW_CODEC_KEY'));
  const file = join(dataDir, 'codec.key');
  if (existsSync(file)) legacy.set('local', decodeKey(readFileSync(file, 'utf8').trim(), file));
  return new MunicipalCodec(new KeyRing(keyRingDir(dataDir)), legacy);
}

function decodeKey(b64: string, where: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes, base64-encoded (it holds ${key.length})`);
  return key;
}
