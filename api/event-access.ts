// Which municipality an event is for, and whether its caller may send it there. The municipality
// comes from the caller's key: a grant naming another municipality is refused (403); an event for
// a measure is looked up among the caller's municipalities only, so a measure of another
// municipality is simply unknown (404), and its existence is not given away. A caller with several
// municipalities may name one with the CloudEvents extension attribute `municipality`.
import { can, isMunicipalitySlug, type Caller } from '../access/roles';
import { CPR_REFUSAL, cprInIdentifiers } from '../access/cpr';
import type { Answer } from '../db/repositories/inbox';
import type { MeasureRepository } from '../db/repositories/measures';
import type { ParsedEvent } from './event-schemas';
import { measureWorkflowId } from '../workflows/ids';

export type EventDecision =
  | { ok: true; municipality: string; registration?: { workflowId: string; state: string } }
  | { ok: false; answer: Answer };

const refuse = (status: number, body: Record<string, unknown>): EventDecision => ({
  ok: false,
  answer: { status, body },
});

/** 400 when an identifier of the event looks like a CPR number (before anything else is judged). */
export function refusePersonalData(item: unknown): Answer | undefined {
  const paths = cprInIdentifiers(item);
  if (paths.length === 0) return undefined;
  return {
    status: 400,
    body: { error: 'invalid-event', issues: paths.map((path) => ({ path, message: CPR_REFUSAL })) },
  };
}

export async function authoriseEvent(
  caller: Caller,
  e: ParsedEvent,
  item: unknown,
  measures: MeasureRepository,
  /** The municipalities whose grants of this measureId came earlier in the same batch. */
  grantedInBatch: (measureId: string) => readonly string[] = () => [],
  /** The municipalities (the caller's) where a grant of this measureId was received before and is
   *  still in flight (not projected yet); asked only when nothing else is found. */
  grantedInFlight: (measureId: string) => Promise<readonly string[]> = async () => [],
): Promise<EventDecision> {
  const attr = (item as { municipality?: unknown }).municipality;
  if (attr !== undefined && (typeof attr !== 'string' || !isMunicipalitySlug(attr)))
    return refuse(400, {
      error: 'invalid-event',
      issues: [{ path: 'municipality', message: 'expected a municipality slug' }],
    });
  const named = e.type === 'measure.granted' ? e.data.municipality : (attr as string | undefined);
  if (e.type === 'measure.granted' && attr !== undefined && attr !== named)
    return refuse(400, {
      error: 'invalid-event',
      issues: [{ path: 'municipality', message: `differs from data.municipality (${named})` }],
    });
  if (named !== undefined && !can(caller, 'events:send', named))
    return refuse(403, {
      error: 'forbidden-municipality',
      message: `this key may not send events for municipality ${named}`,
    });
  if (e.type === 'measure.granted') return { ok: true, municipality: named! };

  const registered = await measures.registrations(named !== undefined ? [named] : caller.municipalities, e.subject);
  // A grant earlier in the batch is not projected yet; the event joins its run.
  const pending = grantedInBatch(e.subject).filter(
    (m) => (named === undefined || m === named) && can(caller, 'events:send', m),
  );
  const found = [
    ...registered,
    ...[...new Set(pending)]
      .filter((m) => !registered.some((r) => r.municipality === m))
      .map((m) => ({ municipality: m, workflowId: measureWorkflowId(m, e.subject), state: 'new' })),
  ];
  if (found.length === 0)
    for (const m of new Set(await grantedInFlight(e.subject)))
      if ((named === undefined || m === named) && can(caller, 'events:send', m))
        found.push({ municipality: m, workflowId: measureWorkflowId(m, e.subject), state: 'new' });
  if (found.length === 0)
    return refuse(404, { error: 'unknown-measure', message: `no measure ${e.subject} has been granted` });
  if (found.length > 1)
    return refuse(400, {
      error: 'invalid-event',
      issues: [
        {
          path: 'municipality',
          message: `measure ${e.subject} exists in ${found.map((f) => f.municipality).join(', ')}: name one with the attribute municipality`,
        },
      ],
    });
  const { municipality } = found[0];
  // The projected row, when there is one: the intake need not read it again to route the event.
  const row = registered.find((r) => r.municipality === municipality);
  return { ok: true, municipality, registration: row && { workflowId: row.workflowId, state: row.state } };
}
