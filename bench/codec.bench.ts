// What the payload codec costs per payload: encode (protobuf, AES-256-GCM) and decode, for an
// event's update argument (small) and a measure workflow's input carrying its whole policy (large),
// the two payloads every intake and every continue-as-new pass through it. Timed in CPU
// microseconds of this process, which other processes' load disturbs less than wall time.
//   npm run bench:codec              (default 20000 payloads of each; npm run bench:codec -- 50000)
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { PayloadCodec, SerializationContext } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionCodec } from '../codec/encryption-codec';
import { KeyRing } from '../codec/keyring';
import { MunicipalCodec } from '../codec/municipal-codec';
import { resolveMeasurePolicy } from '../policies/catalogue';

const N = Number(process.argv[2] ?? 20_000);
const keyDir = mkdtempSync(join(tmpdir(), 'indsatsflow-bench-keys-'));
process.on('exit', () => rmSync(keyDir, { recursive: true, force: true }));
/** The production codec (a key per municipality, the workflow id saying whose payload it is) and
 *  the single-key codec the tests use. */
const codecs: Array<[string, PayloadCodec]> = [
  ['municipal', new MunicipalCodec(new KeyRing(keyDir))],
  ['single key', new EncryptionCodec(new Map([['bench', randomBytes(32)]]), 'bench')],
];
const context: SerializationContext = { type: 'workflow', namespace: 'default', workflowId: 'measure/hjorring/m-1' };

const event = defaultPayloadConverter.toPayload({
  type: 'measure.follow-up-held',
  eventId: 'evt-0001',
  at: Date.parse('2026-11-30T10:00:00Z'),
  data: { heldOn: '2026-11-30', participants: ['executor', 'parents'], actionPlanDecision: 'keep' },
});
const input = defaultPayloadConverter.toPayload({
  measureId: 'm-1',
  policy: resolveMeasurePolicy('hjorring', 'familiebehandling'),
});

function cpu(f: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  return f().then(() => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  });
}

async function measure(codecName: string, codec: PayloadCodec, name: string, p: Payload): Promise<void> {
  // One payload per call, as the SDK calls the codec for a single update argument or input.
  const encoded = await codec.encode([p], context);
  for (let i = 0; i < 500; i++) await codec.decode(await codec.encode([p], context)); // warm-up
  const enc = await cpu(async () => {
    for (let i = 0; i < N; i++) await codec.encode([p], context);
  });
  const dec = await cpu(async () => {
    for (let i = 0; i < N; i++) await codec.decode(encoded);
  });
  const us = (ms: number) => ((ms / N) * 1000).toFixed(1);
  console.log(
    `${codecName}: ${name} (${p.data?.length ?? 0} B): encode ${us(enc)} µs, decode ${us(dec)} µs CPU per payload`,
  );
}

void (async () => {
  for (const [codecName, codec] of codecs) {
    await measure(codecName, codec, 'event', event);
    await measure(codecName, codec, 'input with policy', input);
  }
})();
