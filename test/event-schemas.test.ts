// The contract's edge: bad input is a 400 naming the field, before anything reaches a measure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../api/event-schemas';

const envelope = (type: string, data: Record<string, unknown>) => ({
  specversion: '1.0',
  id: 'e-1',
  source: 'dubu/test',
  type,
  subject: 'M-1',
  data,
});

test('nextMeetingOn earlier than heldOn is rejected at data.nextMeetingOn (issue 9.8)', () => {
  const r = parseEvent(
    envelope('measure.follow-up-held', {
      heldOn: '2026-05-29',
      participants: ['parents'],
      nextMeetingOn: '2026-05-28',
    }),
  );
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.issues, [
    { path: 'data.nextMeetingOn', message: 'nextMeetingOn must not be before heldOn' },
  ]);
  assert.equal(
    parseEvent(
      envelope('measure.follow-up-held', {
        heldOn: '2026-05-29',
        participants: ['parents'],
        nextMeetingOn: '2026-05-29',
      }),
    ).ok,
    true,
  );
});

test('an extension names a new until, a new count, or both; decisions may carry decidedOn', () => {
  const none = parseEvent(envelope('measure.extended', { approvedBy: 'teamleder' }));
  assert.deepEqual(!none.ok && none.issues, [
    { path: 'data.until', message: 'an extension names a new until, a new count, or both' },
  ]);
  assert.equal(
    parseEvent(envelope('measure.extended', { count: 12, approvedBy: 'sagsbehandler', decidedOn: '2026-04-22' })).ok,
    true,
  );
  assert.equal(parseEvent(envelope('measure.extended', { count: 0, approvedBy: 'sagsbehandler' })).ok, false);
  assert.equal(
    parseEvent(
      envelope('measure.package-changed', {
        package: 'gul',
        effectiveOn: '2026-09-01',
        reason: 'x',
        decidedOn: '2026-08-20',
      }),
    ).ok,
    true,
  );
});

test("close reasons in the seeds' terms", () => {
  for (const reason of ['not-motivated', 'offer-not-used', 'no-progress'])
    assert.equal(parseEvent(envelope('measure.closed', { closedOn: '2026-05-01', reason })).ok, true, reason);
});
