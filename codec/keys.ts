// Where the payload key comes from: INDSATSFLOW_CODEC_KEY (base64 of 32 bytes; a deployment's
// secret store sets it), else a key file kept beside the embedded services' data, created once.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EncryptionCodec } from './encryption-codec';

export function loadCodec(dataDir: string): EncryptionCodec {
  const fromEnv = process.env.INDSATSFLOW_CODEC_KEY;
  if (fromEnv) return new EncryptionCodec(new Map([['env', decodeKey(fromEnv, 'INDSATSFLOW_CODEC_KEY')]]), 'env');
  const file = join(dataDir, 'codec.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return new EncryptionCodec(new Map([['local', decodeKey(readFileSync(file, 'utf8').trim(), file)]]), 'local');
}

function decodeKey(b64: string, where: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes, base64-encoded (it holds ${key.length})`);
  return key;
}
