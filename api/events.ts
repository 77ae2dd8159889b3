// POST /v1/events: store, validate, deduplicate, hand to the measure's workflow, store the answer.
// Every delivery ends stored with its answer, or answered 503 (send it again): never half-handled.
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { addToDate } from '../machines/dates';
import type { MeasureEvent } from '../machines/event-catalogue';
import { measurePolicyOf, type PolicySource } from '../policies/source';
import type { MeasureTypePolicy } from '../policies/types';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { eventUpdate, type EventResult, type MeasureWorkflowInput } from '../workflows/definitions';
import { WORKFLOW_TYPES, type MeasureWorkflow } from '../workflows/workflow-types';
import { parseEvent, type ParsedEvent, type ValidationIssue } from './event-schemas';
import type { Answer, Delivery, InboxRepository } from '../db/repositories/inbox';
import type { MeasureRepository } from '../db/repositories/measures';

/** The documented limits of one delivery (docs/event-contract.md). */
export const EVENT_LIMITS = {
  /** Bytes in one body; beyond it 413. */
  bodyBytes: 5 * 1024 * 1024,
  /** Events in one batch; beyond it 413. */
  batchItems: 1_000,
  /** Seconds a sender is asked to wait before sending again after a 503. */
  retryAfterSeconds: 5,
};

/** A start this long before the grant is taken for a typing error, unless the policy says otherwise. */
export const DEFAULT_MAX_BACKDATE = 'P1Y';

export const EVENT_MEDIA_TYPES = [
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
];

export interface EventDeps {
  inbox: InboxRepository;
  measures: MeasureRepository;
  temporal: Client;
  policies: PolicySource;
  /** Where the cause of a 503 goes: never into the answer. */
  log: { warn(o: object, msg: string): void };
  /** How long one event may wait for its workflow before it is answered 503 (default 20 s: a worker
   *  restarting is waited for). */
  updateTimeoutMs?: number;
  /** How long an event waits for its measure's grant still in flight before 409 (default 3 s). */
  grantWaitMs?: number;
}

/** What the route sends: the status, the body, and headers (Retry-After). */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function needsBirthDate(t: MeasureTypePolicy): boolean {
  return t.grantAge !== undefined || (t.obligations ?? []).some((o) => o.from === 'birth');
}

const invalid = (path: string, message: string): Answer => ({
  status: 400,
  body: { error: 'invalid-event', issues: [{ path, message }] },
});
const invalidEvent = (issues: ValidationIssue[]): Answer => ({ status: 400, body: { error: 'invalid-event', issues } });
const notFound = (error: string, message: string): Answer => ({ status: 404, body: { error, message } });
const conflict = (state: string, message: string): Answer => ({
  status: 409,
  body: { error: 'invalid-transition', state, message },
});
const unavailable = (message: string): Answer => ({ status: 503, body: { error: 'unavailable', message } });
const NOT_STORED = unavailable(
  'Hændelsen kunne ikke gemmes lige nu; send den igen (the event could not be stored now; send it again)',
);
const NOT_PROCESSED = unavailable(
  'Hændelsen er gemt, men kunne ikke behandles nu; send den igen (the event was stored but could not be processed now; send it again)',
);
const notYetGranted = (measureId: string): Answer => ({
  status: 409,
  body: {
    error: 'not-yet-granted',
    state: 'new',
    retry: true,
    message: `Bevillingen af ${measureId} er endnu ikke behandlet; send hændelsen igen (the grant of ${measureId} is still being processed; send the event again)`,
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

export class EventIntake {
  private readonly inbox: InboxRepository;
  private readonly updateTimeoutMs: number;
  private readonly grantWaitMs: number;
  constructor(private readonly deps: EventDeps) {
    this.inbox = deps.inbox;
    this.updateTimeoutMs = deps.updateTimeoutMs ?? 20_000;
    this.grantWaitMs = deps.grantWaitMs ?? 3_000;
  }

  /** One delivery as it arrived: its bytes and metadata. A single event, or a batch answered in
   *  order, item by item (207 when the answers differ). */
  async receive(d: Delivery, bytes: Buffer): Promise<Reply> {
    if (!EVENT_MEDIA_TYPES.includes(mediaType(d.contentType)))
      return this.refuse(d, bytes, {
        status: 415,
        body: {
          error: 'unsupported-media-type',
          message: `Indholdstypen ${d.contentType ?? '(ingen)'} modtages ikke (content type not accepted); send ${EVENT_MEDIA_TYPES.join(', ')}`,
        },
      });
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return this.refuse(d, bytes, invalid('(body)', 'not valid UTF-8'));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return this.refuse(d, bytes, invalid('(body)', `not valid JSON: ${(err as Error).message}`));
    }
    if (!Array.isArray(body)) {
      const v = safely(() => parseEvent(body));
      if (!v.ok) return this.refuse(d, bytes, invalidEvent(v.issues), body);
      return this.reply([await this.one(d, body, v.event, bytes)], false);
    }
    if (body.length === 0) return this.refuse(d, bytes, invalid('(body)', 'an empty batch'));
    if (body.length > EVENT_LIMITS.batchItems)
      return this.refuse(d, bytes, {
        status: 413,
        body: {
          error: 'too-many-events',
          message: `En samling må højst have ${EVENT_LIMITS.batchItems} hændelser (a batch holds at most ${EVENT_LIMITS.batchItems} events); this one has ${body.length}`,
          limit: EVENT_LIMITS.batchItems,
        },
      });
    // Judged item by item. Refusals that need nothing but the item are stored together, in one
    // statement; the rest in order, since later events may depend on earlier ones (a grant, then
    // its meeting). Once the database is unreachable the rest are told at once to come again.
    const verdicts = body.map((item) => safely(() => parseEvent(item)));
    const refusals = verdicts.flatMap((v, i) =>
      v.ok ? [] : [{ received: { item: body[i], bytes, batchIndex: i }, answer: invalidEvent(v.issues) }],
    );
    let down = false;
    try {
      await this.inbox.receiveMany(d, refusals);
    } catch (err) {
      this.deps.log.warn({ err, requestId: d.requestId }, 'batch could not be stored');
      down = true;
    }
    const answers: Answer[] = [];
    for (const [i, v] of verdicts.entries()) {
      const a = down ? NOT_STORED : v.ok ? await this.one(d, body[i], v.event, bytes, i) : invalidEvent(v.issues);
      if (a === NOT_STORED) down = true;
      answers.push(a);
    }
    return this.reply(answers, true);
  }

  /** A refusal before any event could be read (415, 413, a body that is not JSON): stored with
   *  its bytes and answer in one row, or 503 when even that cannot be stored. */
  async refuse(d: Delivery, bytes: Buffer | undefined, a: Answer, item?: unknown): Promise<Reply> {
    const text = item === undefined && bytes ? decodeText(bytes) : undefined;
    try {
      await this.inbox.receive(d, item !== undefined ? { item, bytes } : text !== undefined ? { text } : { bytes }, a);
    } catch (err) {
      this.deps.log.warn({ err, requestId: d.requestId }, 'delivery could not be stored');
      return this.reply([NOT_STORED], false);
    }
    return this.reply([a], false);
  }

  private reply(answers: Answer[], batch: boolean): Reply {
    const statuses = new Set(answers.map((a) => a.status));
    const retry = answers.some((a) => a.status === 503 || a.body.error === 'not-yet-granted');
    const headers = retry ? { 'retry-after': String(EVENT_LIMITS.retryAfterSeconds) } : undefined;
    if (!batch) return { status: answers[0].status, body: answers[0].body, headers };
    return {
      status: statuses.size === 1 ? answers[0].status : 207,
      body: answers.map((a) => ({ status: a.status, ...a.body })),
      headers,
    };
  }

  /** `bytes` is the whole body: kept for an item too deep to serialise (with its batch index). */
  private async one(d: Delivery, item: unknown, e: ParsedEvent, bytes?: Buffer, batchIndex?: number): Promise<Answer> {
    let seq: number;
    try {
      seq = await this.inbox.receive(d, { item, bytes, batchIndex });
    } catch (err) {
      this.deps.log.warn({ err, requestId: d.requestId }, 'event could not be stored');
      return NOT_STORED;
    }
    let answer: Answer;
    try {
      answer = await this.judge(e, seq);
    } catch (err) {
      // The cause may name a database or Temporal address: the log gets it, the case system does not.
      this.deps.log.warn({ err, inboxSeq: seq }, 'event stored but not processed');
      answer = NOT_PROCESSED;
    }
    try {
      await this.inbox.answer(seq, answer);
    } catch (err) {
      // Applied or not, an answer that is not stored is not sent: a resend is answered from the
      // workflow, which knows the event by its (source, id).
      this.deps.log.warn({ err, inboxSeq: seq }, 'answer could not be stored');
      return NOT_PROCESSED;
    }
    return answer;
  }

  private async judge(e: ParsedEvent, seq: number): Promise<Answer> {
    const earlier = await this.inbox.accepted(e.source, e.id, seq);
    if (earlier) return { status: 202, body: { ...earlier.body, duplicate: true } };
    return e.type === 'measure.granted' ? this.grant(e, seq) : this.follow(e, seq);
  }

  private toMachineEvent(e: ParsedEvent, keepBirthDate = false): MeasureEvent {
    const at = e.time ? Date.parse(e.time) : Date.now();
    const { childBirthDate, ...grantData } = e.type === 'measure.granted' ? e.data : ({} as Record<string, unknown>);
    // The child's birth date is personal data: it enters the workflow (encrypted by the payload
    // codec) only when the measure's policy has an age rule that needs it.
    const data =
      e.type === 'measure.granted'
        ? keepBirthDate && childBirthDate
          ? { ...grantData, childBirthDate }
          : grantData
        : e.data;
    return { type: e.type, eventId: `${e.source}/${e.id}`, at, data } as MeasureEvent;
  }

  /** Each delivery is its own update: a resend is recognised by the workflow's seen set, which
   *  answers `duplicate: true`, rather than by Temporal's update id, which would replay the first
   *  answer (`duplicate: false`). */
  private updateId(e: ParsedEvent, seq: number): string {
    return `${e.source}/${e.id}#${seq}`;
  }

  private async grant(e: Extract<ParsedEvent, { type: 'measure.granted' }>, seq: number): Promise<Answer> {
    const { municipality, measureType, package: pkg, grantedOn, startOn } = e.data;
    const m = await this.deps.policies.municipality(municipality);
    if (!m) return notFound('unknown-municipality', `no service level for municipality ${municipality}`);
    const t = m.measureTypes.find((x) => x.slug === measureType);
    if (!t) return notFound('unknown-measure-type', `${municipality} has no measure type ${measureType}`);
    if (pkg && !t.packages.some((p) => p.slug === pkg))
      return notFound(
        'unknown-package',
        `${municipality}/${measureType} has no package ${pkg}; it has ${t.packages.map((p) => p.slug).join(', ') || 'none'}`,
      );
    const backdate = m.maxBackdate ?? DEFAULT_MAX_BACKDATE;
    if (startOn < grantedOn && addToDate(startOn, backdate) < grantedOn)
      return invalid(
        'data.startOn',
        `the start is more than ${backdate} before the grant (${grantedOn}); the policy's maxBackdate allows no earlier start`,
      );

    const workflowId = measureWorkflowId(municipality, e.subject);
    // The same measureId granted under another municipality would be a second measure: refused.
    // Whether this is the measure's own grant again is the workflow's to say (its seen set).
    const existing = await this.deps.measures.registration(e.subject);
    if (existing && existing.workflowId !== workflowId)
      return conflict(existing.state, `measure ${e.subject} has already been granted`);

    const input: MeasureWorkflowInput = { measureId: e.subject, policy: measurePolicyOf(m, t) };
    try {
      const r = await this.withDeadline(() =>
        this.deps.temporal.workflow.executeUpdateWithStart(eventUpdate, {
          args: [this.toMachineEvent(e, needsBirthDate(t))],
          updateId: this.updateId(e, seq),
          startWorkflowOperation: new WithStartWorkflowOperation<MeasureWorkflow>(WORKFLOW_TYPES.measure, {
            workflowId,
            taskQueue: TASK_QUEUE,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: `${municipality} · ${measureType}${pkg ? ` · ${pkg}` : ''}`,
          }),
        }),
      );
      return accepted(e, r);
    } catch (err) {
      return this.refused(err, e.subject);
    }
  }

  private async follow(e: Exclude<ParsedEvent, { type: 'measure.granted' }>, seq: number): Promise<Answer> {
    const until = Date.now() + this.grantWaitMs;
    const m = await this.deps.measures.registration(e.subject);
    if (m?.state === 'closed')
      return conflict('closed', `measure ${e.subject} is closed; ${e.type} is not allowed on a closed measure`);
    // Not projected yet: its grant may be in flight (sent at the same moment, or its projection
    // pending). The inbox knows the grant's municipality, hence the workflow.
    let workflowId = m?.workflowId;
    for (let wait = 0; !workflowId; wait++) {
      const g = await this.inbox.grantOf(e.subject);
      if (g) workflowId = measureWorkflowId(g.municipality, e.subject);
      else if (wait >= 1 || this.grantWaitMs === 0)
        return notFound('unknown-measure', `no measure ${e.subject} has been granted`);
      else await sleep(Math.min(150, this.grantWaitMs)); // a grant sent at the same moment may not be stored yet
    }
    const handle = this.deps.temporal.workflow.getHandle(workflowId);
    for (;;) {
      try {
        const r = await this.withDeadline(() =>
          handle.executeUpdate(eventUpdate, { args: [this.toMachineEvent(e)], updateId: this.updateId(e, seq) }),
        );
        return accepted(e, r);
      } catch (err) {
        if (!m && grantPending(err)) {
          if (Date.now() < until) {
            await sleep(200);
            continue;
          }
          return notYetGranted(e.subject);
        }
        return this.refused(err, e.subject);
      }
    }
  }

  /** An update that does not finish in time is answered 503: the workflow may still apply it,
   *  and a resend is then answered `duplicate: true`. */
  private withDeadline<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.temporal.connection.withDeadline(Date.now() + this.updateTimeoutMs, fn);
  }

  /** A refusal by the machine is a 409; anything else is passed up as "try again". */
  private refused(err: unknown, measureId: string): Answer {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type === 'invalid-transition') {
      return conflict(String(cause.details?.[0] ?? 'unknown'), cause.message);
    }
    if (cause instanceof ApplicationFailure && cause.type === 'projection-failed') {
      return {
        status: 422,
        body: { error: 'unprocessable', message: cause.message },
      };
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return conflict('closed', `measure ${measureId} has already been granted and closed`);
    if (err instanceof WorkflowNotFoundError) return conflict('closed', `measure ${measureId} is no longer running`);
    throw err;
  }
}

function accepted(e: ParsedEvent, r: EventResult): Answer {
  return {
    status: 202,
    body: {
      id: e.id,
      measureId: e.subject,
      state: r.state,
      duplicate: r.duplicate,
      ...(r.warnings ? { warnings: r.warnings } : {}),
    },
  };
}

/** The workflow is not there yet, or is there without its grant applied: the grant is in flight. */
function grantPending(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === 'invalid-transition' && cause.details?.[0] === 'new';
}

/** Validation that throws (a defect, found by fuzzing) is still a reasoned 400, never a 503 that
 *  no resend could ever get past. */
function safely(parse: () => ReturnType<typeof parseEvent>): ReturnType<typeof parseEvent> {
  try {
    return parse();
  } catch {
    return { ok: false, issues: [{ path: '(body)', message: 'the event could not be validated' }] };
  }
}

/** The body as text when it is text a text column holds (valid UTF-8, no NUL); else undefined. */
function decodeText(bytes: Buffer): string | undefined {
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return s.includes('\0') ? undefined : s;
  } catch {
    return undefined;
  }
}
