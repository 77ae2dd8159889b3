// What the payload codec costs per payload: encode (protobuf, AES-256-GCM) and decode, for an
// event's update argument (small) and a measure workflow's input carrying its whole policy (large),
// the two payloads every intake and every continue-as-new pass through it. Timed in CPU
// microseconds of this process, which other processes' load disturbs less than wall time.
//   npm run bench:codec              (default 20000 payloads of each; npm run bench:codec -- 50000)
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { EncryptionCodec } from '../codec/encryption-codec';
import { resolveMeasurePolicy } from '../policies/catalogue';

const N = Number(process.argv[2] ?? 20_000);
const codec = new EncryptionCodec(new Map([['bench', randomBytes(32)]]), 'bench');

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

async function measure(name: string, p: Payload): Promise<void> {
  // One payload per call, as the SDK calls the codec for a single update argument or input.
  const encoded = await codec.encode([p]);
  for (let i = 0; i < 500; i++) await codec.decode(await codec.encode([p])); // warm-up
  const enc = await cpu(async () => {
    for (let i = 0; i < N; i++) await codec.encode([p]);
  });
  const dec = await cpu(async () => {
    for (let i = 0; i < N; i++) await codec.decode(encoded);
  });
  const us = (ms: number) => ((ms / N) * 1000).toFixed(1);
  console.log(`${name} (${p.data?.length ?? 0} B): encode ${us(enc)} µs, decode ${us(dec)} µs CPU per payload`);
}

void (async () => {
  await measure('event', event);
  await measure('input with policy', input);
})();
