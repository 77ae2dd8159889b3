// POST /v1/events: store, validate, deduplicate, hand to the measure's workflow, store the answer.
// One path for every delivery (one event, a batch, a binary-mode event): every item is stored
// first, as it came (db/repositories/inbox.ts cannot fail on content), then judged item by item,
// so a bad item stops nothing; the valid events of one measure then go to its workflow in one
// update, in order, so that deadlines are judged only after the last of them (no escalation
// between two events of one import). The workflow knows every event by (source, id) and answers a
// resend `duplicate: true`. Every delivery ends stored with its answer, or answered 503 (send it
// again): never half-handled. A measure is (municipality, measureId): the caller's key says which
// municipalities it may send for (api/event-access.ts), and duplicates, runs and in-flight grants
// are all found within the municipality the event was judged for.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { addToDate } from '../machines/dates';
import type { MeasureEvent } from '../machines/event-catalogue';
import { decide, newMeasure } from '../machines/measure';
import { measurePolicyOf, type PolicySource } from '../policies/source';
import type { MeasureTypePolicy } from '../policies/types';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { SA } from '../workflows/search-attributes';
import {
  eventsUpdate,
  eventUpdate,
  seenQuery,
  type BatchItemResult,
  type EventResult,
  type MeasureWorkflowInput,
} from '../workflows/definitions';
import { WORKFLOW_TYPES, type MeasureWorkflow } from '../workflows/workflow-types';
import { binaryModeEnvelope, isJsonMediaType } from './cloudevents-binding';
import { parseEvent, type ParsedEvent, type ValidationIssue } from './event-schemas';
import { authoriseEvent, refusePersonalData } from './event-access';
import { localCaller, type Caller } from '../access/roles';
import type { Answer, Delivery, InboxRepository } from '../db/repositories/inbox';
import type { MeasureRepository } from '../db/repositories/measures';

/** The documented limits of one delivery (docs/event-contract.md). */
export const EVENT_LIMITS = {
  /** Bytes in one body; beyond it 413. */
  bodyBytes: 5 * 1024 * 1024,
  /** Events in one batch; beyond it 413. */
  batchItems: 1_000,
  /** Seconds a sender is asked to wait before sending again after a 503 or a 409 not-yet-granted. */
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
  /** The settling window every new measure gets (INDSATSFLOW_SETTLE, an ISO duration). */
  settle?: string;
  /** Encrypts a value with the municipality's payload key: the child's birth date in the inbox. */
  seal?: (municipality: string, value: Record<string, unknown>) => Record<string, unknown>;
  /** Where the cause of a 503 goes: never into the answer. */
  log: { warn(o: object, msg: string): void };
  /** How long one update may wait for its workflow before it is answered 503 (default 20 s: a
   *  worker restarting is waited for). */
  updateTimeoutMs?: number;
  /** How long an event waits for its measure's grant still in flight before 409 (default 3 s). */
  grantWaitMs?: number;
}

/** What the route sends: the status, the body, headers (Retry-After), and what was judged (the
 *  parsed body, or the binary-mode envelope): what the metrics count by type. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  judged?: unknown;
}

function needsBirthDate(t: MeasureTypePolicy): boolean {
  return (
    t.grantAge !== undefined ||
    (t.obligations ?? []).some((o) => o.from === 'birth' || o.appliesTo?.ageFrom || o.appliesTo?.ageBefore)
  );
}

const invalid = (path: string, message: string): Answer => ({
  status: 400,
  body: { error: 'invalid-event', issues: [{ path, message }] },
});
const invalidEvent = (issues: ValidationIssue[]): Answer => ({ status: 400, body: { error: 'invalid-event', issues } });
const notFound = (error: string, message: string): Answer => ({ status: 404, body: { error, message } });
/** A refusal: the stable English `code`, the Danish `message` a caseworker can be shown, and the
 *  English `detail` for the case-system developer. */
const conflict = (state: string, code: string, message: string, detail: string): Answer => ({
  status: 409,
  body: { error: 'invalid-transition', code, state, message, detail },
});
const closedConflict = (e: ParsedEvent): Answer =>
  conflict(
    'closed',
    'measure-closed',
    `foranstaltningen ${e.subject} er afsluttet; der kan ikke registreres mere på den`,
    `measure ${e.subject} is closed; ${e.type} is not allowed on a closed measure`,
  );
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
export const unsupportedMediaType = (what: string): Answer => ({
  status: 415,
  body: {
    error: 'unsupported-media-type',
    message: `Indholdstypen ${what} modtages ikke (content type not accepted); send ${EVENT_MEDIA_TYPES.join(', ')}, or in binary mode JSON data (application/json)`,
  },
});

/** How long a closed measure's workflow is given to say whether it applied an event. */
const CLOSED_QUERY_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** A valid event of a delivery, with its place in it, its inbox row and its municipality. */
interface Item {
  index: number;
  seq: number;
  e: ParsedEvent;
  municipality: string;
  /** The measure's projected row as authorisation read it (absent: not projected then). */
  registration?: { workflowId: string; state: string };
}

/** What update-with-start needs for a grant, or its answer given before any update. */
type GrantPlan =
  | { answered: Answer }
  | {
      answered?: undefined;
      input: MeasureWorkflowInput;
      workflowId: string;
      event: MeasureEvent;
      summary: string;
      /** A measure already granted: this is its grant again (the workflow answers duplicate) or
       *  another grant (the machine refuses it); a closed workflow is not started again. */
      granted: boolean;
      municipality: string;
      measureType: string;
    };

export class EventIntake {
  private readonly inbox: InboxRepository;
  private readonly updateTimeoutMs: number;
  private readonly grantWaitMs: number;
  constructor(private readonly deps: EventDeps) {
    this.inbox = deps.inbox;
    this.updateTimeoutMs = deps.updateTimeoutMs ?? 20_000;
    this.grantWaitMs = deps.grantWaitMs ?? 3_000;
  }

  /** One delivery as it arrived: its bytes, metadata and headers. A single event, or a batch
   *  answered in order, item by item (207 when the answers differ). */
  async receive(
    d: Delivery,
    bytes: Buffer,
    headers: IncomingHttpHeaders = {},
    caller: Caller = localCaller(false),
  ): Promise<Reply> {
    d = { ...d, caller: d.caller ?? caller.id };
    const envelope = binaryModeEnvelope(headers);
    if (envelope) return this.receiveBinary(d, bytes, envelope, caller);
    if (!EVENT_MEDIA_TYPES.includes(mediaType(d.contentType)))
      return this.refuse(d, bytes, unsupportedMediaType(d.contentType ?? '(ingen)'));
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
    if (!Array.isArray(body)) return this.judge(d, [body], bytes, false, caller);
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
    return this.judge(d, body, bytes, true, caller);
  }

  /** Binary mode: the `ce-*` headers are the envelope, the body its data, which the contract
   *  takes as JSON only. Data that is not JSON is stored with its envelope, then refused. */
  private async receiveBinary(
    d: Delivery,
    bytes: Buffer,
    envelope: Record<string, unknown>,
    caller: Caller,
  ): Promise<Reply> {
    const media = mediaType(d.contentType);
    let text: string | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
    const asArrived = { item: text ? { ...envelope, data: text } : envelope, bytes, keepBytes: text === undefined };
    if (!isJsonMediaType(media))
      return this.refuse(d, bytes, unsupportedMediaType(d.contentType ?? '(ingen)'), asArrived, envelope);
    if (text === undefined) return this.refuse(d, bytes, invalid('data', 'not valid UTF-8'), asArrived, envelope);
    let data: unknown;
    if (text !== '')
      try {
        data = JSON.parse(text);
      } catch (err) {
        return this.refuse(d, bytes, invalid('data', `not valid JSON: ${(err as Error).message}`), asArrived, envelope);
      }
    return this.judge(d, [data === undefined ? envelope : { ...envelope, data }], bytes, false, caller);
  }

  /** A refusal of the delivery as a whole (415, 413, a body that is not JSON): stored with its
   *  bytes (or what was read of it) and answer in one row, or 503 when even that cannot be stored. */
  async refuse(
    d: Delivery,
    bytes: Buffer | undefined,
    a: Answer,
    received?: { item: unknown; bytes?: Buffer; keepBytes?: boolean },
    judged?: unknown,
  ): Promise<Reply> {
    const text = bytes ? decodeText(bytes) : undefined;
    try {
      await this.inbox.receive(d, received ?? (text !== undefined ? { text } : { bytes }), a);
    } catch (err) {
      this.deps.log.warn({ err, requestId: d.requestId }, 'delivery could not be stored');
      return this.reply([NOT_STORED], false, judged);
    }
    return this.reply([a], false, judged);
  }

  /** The one path: every item stored first (one statement), each validated on its own, the valid
   *  ones deduplicated against the inbox, then applied per measure; the answers stored together. */
  private async judge(d: Delivery, items: unknown[], bytes: Buffer, batch: boolean, caller: Caller): Promise<Reply> {
    const judged = batch ? items : items[0];
    // An identifier shaped like a CPR number is refused before anything else is judged.
    const verdicts = items.map((item) => safely(() => personalData(item) ?? parseEvent(item)));
    const answers: Array<Answer | undefined> = verdicts.map((v) => (v.ok ? undefined : invalidEvent(v.issues)));
    const municipalities: Array<string | undefined> = new Array(items.length);
    let seqs: number[];
    try {
      seqs = await this.inbox.receiveMany(
        d,
        items.map((item, i) => ({
          received: { item, bytes, batchIndex: batch ? i : undefined },
          answer: answers[i],
        })),
      );
    } catch (err) {
      this.deps.log.warn({ err, requestId: d.requestId }, 'delivery could not be stored');
      return this.reply(
        items.map(() => NOT_STORED),
        batch,
        judged,
      );
    }

    // Later events may depend on earlier ones (a grant, then its meeting): a run of a measure's
    // events starts at its grant or at its first event, in the order they came. Runs are keyed by
    // (municipality, measureId): the same measureId may run in two municipalities.
    const runs: Item[][] = [];
    const open = new Map<string, Item[]>();
    // Grants earlier in this delivery, per measureId: a later event may be for one of them.
    const granted = new Map<string, string[]>();
    for (const [index, v] of verdicts.entries()) {
      if (!v.ok) continue;
      const e = v.event;
      const seq = seqs[index];
      let municipality: string;
      let registration: Item['registration'];
      try {
        const access = await authoriseEvent(
          caller,
          e,
          items[index],
          this.deps.measures,
          (id) => granted.get(id) ?? [],
          (id) => this.grantsInFlight(caller.municipalities, id),
        );
        if (!access.ok) {
          answers[index] = access.answer;
          continue;
        }
        municipality = municipalities[index] = access.municipality;
        registration = access.registration;
        const earlier = await this.inbox.accepted(municipality, e.source, e.id, seq);
        if (earlier) {
          answers[index] = { status: 202, body: { ...earlier.body, duplicate: true } };
          continue;
        }
      } catch (err) {
        this.deps.log.warn({ err, inboxSeq: seq }, 'event stored but not processed');
        answers[index] = NOT_PROCESSED;
        continue;
      }
      const key = `${municipality}\n${e.subject}`;
      let run = open.get(key);
      if (!run || e.type === 'measure.granted') {
        run = [];
        runs.push(run);
        open.set(key, run);
      }
      if (e.type === 'measure.granted') granted.set(e.subject, [...(granted.get(e.subject) ?? []), municipality]);
      run.push({ index, seq, e, municipality, registration });
    }
    for (const run of runs) {
      let got: Answer[];
      try {
        got = await this.applyRun(run, false);
      } catch (err) {
        // The cause may name a database or Temporal address: the log gets it, the case system does not.
        this.deps.log.warn({ err, inboxSeqs: run.map((i) => i.seq) }, 'events stored but not processed');
        got = run.map(() => NOT_PROCESSED);
      }
      run.forEach((item, k) => (answers[item.index] = got[k]));
    }

    const out = answers.map((a) => a ?? NOT_PROCESSED);
    const unanswered = verdicts.flatMap((v, i) =>
      v.ok ? [{ seq: seqs[i], answer: out[i], municipality: municipalities[i] }] : [],
    );
    try {
      await this.inbox.answerMany(unanswered);
    } catch (err) {
      // Applied or not, an answer that is not stored is not sent: a resend is answered from the
      // workflow, which knows the event by its (source, id).
      this.deps.log.warn({ err, requestId: d.requestId }, 'answers could not be stored');
      verdicts.forEach((v, i) => v.ok && (out[i] = NOT_PROCESSED));
    }
    return this.reply(out, batch, judged);
  }

  private reply(answers: Answer[], batch: boolean, judged: unknown): Reply {
    const statuses = new Set(answers.map((a) => a.status));
    const retry = answers.some((a) => a.status === 503 || a.body.error === 'not-yet-granted');
    const headers = retry ? { 'retry-after': String(EVENT_LIMITS.retryAfterSeconds) } : undefined;
    if (!batch) return { status: answers[0].status, body: answers[0].body, headers, judged };
    return {
      status: statuses.size === 1 ? answers[0].status : 207,
      body: answers.map((a) => ({ status: a.status, ...a.body })),
      headers,
      judged,
    };
  }

  /** One measure's run: a grant first starts (or finds) the workflow with the whole run; other
   *  events go to the running workflow, waiting briefly for a grant still in flight. One event is
   *  one `event` update, several one `events` update. `afterRefusedGrant`: the run's grant was
   *  just refused here, so there is no grant to wait for. */
  private async applyRun(run: Item[], afterRefusedGrant: boolean): Promise<Answer[]> {
    const [first, ...rest] = run;
    if (first.e.type === 'measure.granted') {
      const plan = await this.planGrant(first.e, first.seq);
      // A grant answered here: the rest of the run is judged against the measure as it stands.
      if (plan.answered)
        return [plan.answered, ...(rest.length ? await this.applyRun(rest, plan.answered.status !== 202) : [])];
      const events = run.map((i, k) => (k === 0 ? plan.event : this.toMachineEvent(i.e)));
      try {
        const results = await this.withDeadline(() =>
          run.length === 1
            ? this.deps.temporal.workflow
                .executeUpdateWithStart(eventUpdate, {
                  args: [plan.event],
                  updateId: this.updateId(run),
                  startWorkflowOperation: this.startOperation(plan),
                })
                .then((r): BatchItemResult[] => [r])
            : this.deps.temporal.workflow.executeUpdateWithStart(eventsUpdate, {
                args: [events],
                updateId: this.updateId(run),
                startWorkflowOperation: this.startOperation(plan),
              }),
        );
        return results.map((r, k) => this.answerOf(run[k].e, r));
      } catch (err) {
        return this.refusedRun(err, run);
      }
    }

    const subject = first.e.subject;
    const m = first.registration ?? (await this.deps.measures.registrations([first.municipality], subject))[0];
    if (m?.state === 'closed') return Promise.all(run.map((i) => this.toClosed(m.workflowId, i.e)));
    // Not projected yet: its grant may be in flight (sent at the same moment, or its projection
    // pending) in this municipality, hence the workflow.
    const workflowId =
      m?.workflowId ?? (afterRefusedGrant ? undefined : await this.grantInFlight([first.municipality], subject));
    if (!workflowId) return run.map(() => notFound('unknown-measure', `no measure ${subject} has been granted`));
    const handle = this.deps.temporal.workflow.getHandle(workflowId);
    const until = Date.now() + this.grantWaitMs;
    for (;;) {
      try {
        const results = await this.withDeadline(() => this.update(handle, run));
        return results.map((r, k) => this.answerOf(run[k].e, r));
      } catch (err) {
        if (!m && grantPending(err)) {
          if (Date.now() < until) {
            await sleep(200);
            continue;
          }
          return run.map(() => notYetGranted(subject));
        }
        return this.refusedRun(err, run);
      }
    }
  }

  private async update(handle: WorkflowHandle, run: Item[]): Promise<BatchItemResult[]> {
    if (run.length === 1)
      return [
        await handle.executeUpdate(eventUpdate, {
          args: [this.toMachineEvent(run[0].e)],
          updateId: this.updateId(run),
        }),
      ];
    return handle.executeUpdate(eventsUpdate, {
      args: [run.map((i) => this.toMachineEvent(i.e))],
      updateId: this.updateId(run),
    });
  }

  /** The workflow of a grant received but not (yet) projected, in one of the municipalities,
   *  waiting once for a grant sent at the same moment that is not stored yet. */
  private async grantInFlight(scope: readonly string[], subject: string): Promise<string | undefined> {
    const [municipality] = await this.grantsInFlight(scope, subject);
    return municipality === undefined ? undefined : measureWorkflowId(municipality, subject);
  }

  private async grantsInFlight(scope: '*' | readonly string[], subject: string): Promise<string[]> {
    for (let wait = 0; ; wait++) {
      const found = await this.inbox.grantsOf(scope, subject);
      if (found.length > 0 || wait >= 1 || this.grantWaitMs === 0) return found;
      await sleep(Math.min(150, this.grantWaitMs));
    }
  }

  /** Per delivery (inbox rows), never per event: a resend is recognised by the workflow's seen
   *  set, which answers `duplicate: true`, rather than by Temporal's update id, which would replay
   *  the first answer (`duplicate: false`); of two copies arriving together the workflow applies
   *  the first and answers the second `duplicate: true`. */
  private updateId(run: Item[]): string {
    if (run.length === 1) return `${run[0].e.source}/${run[0].e.id}#${run[0].seq}`;
    return `batch/${createHash('sha256')
      .update(run.map((i) => `${i.e.source}/${i.e.id}#${i.seq}`).join('\n'))
      .digest('base64url')}`;
  }

  /** An update that does not finish in time is answered 503: the workflow may still apply it,
   *  and a resend is then answered `duplicate: true`. */
  private withDeadline<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.temporal.connection.withDeadline(Date.now() + this.updateTimeoutMs, fn);
  }

  private answerOf(e: ParsedEvent, r: BatchItemResult): Answer {
    if ('refused' in r) {
      const x = r.refused;
      return conflict(x.state, x.code ?? 'refused', x.danish ?? x.message, x.message);
    }
    return accepted(e, r);
  }

  /** An update the workflow refused as a whole (none of its events applies): each event's own
   *  refusal when the workflow gave them. */
  private refusedRun(err: unknown, run: Item[]): Answer[] {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    const each = cause instanceof ApplicationFailure ? cause.details?.[1] : undefined;
    if (cause instanceof ApplicationFailure && cause.type === 'invalid-transition' && Array.isArray(each))
      return run.map((_, k) => {
        const r = each[k] as { state: string; message: string; code?: string; danish?: string } | undefined;
        return r
          ? conflict(r.state, r.code ?? 'refused', r.danish ?? r.message, r.message)
          : this.refused(err, run[k].e.subject);
      });
    return run.map((i) => this.refused(err, i.e.subject));
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

  /** The policy, the machine's judgement of the grant on a new measure, and the start options:
   *  a grant refused here starts no workflow. */
  private async planGrant(e: Extract<ParsedEvent, { type: 'measure.granted' }>, seq: number): Promise<GrantPlan> {
    const { municipality, measureType, package: pkg, grantedOn, startOn } = e.data;
    const m = await this.deps.policies.municipality(municipality);
    if (!m) return { answered: notFound('unknown-municipality', `no service level for municipality ${municipality}`) };
    const t = m.measureTypes.find((x) => x.slug === measureType);
    if (!t) return { answered: notFound('unknown-measure-type', `${municipality} has no measure type ${measureType}`) };
    if (pkg && !t.packages.some((p) => p.slug === pkg))
      return {
        answered: notFound(
          'unknown-package',
          `${municipality}/${measureType} has no package ${pkg}; it has ${t.packages.map((p) => p.slug).join(', ') || 'none'}`,
        ),
      };
    const backdate = m.maxBackdate ?? DEFAULT_MAX_BACKDATE;
    if (startOn < grantedOn && addToDate(startOn, backdate) < grantedOn)
      return {
        answered: invalid(
          'data.startOn',
          `the start is more than ${backdate} before the grant (${grantedOn}); the policy's maxBackdate allows no earlier start`,
        ),
      };

    const workflowId = measureWorkflowId(municipality, e.subject);
    // The same measureId granted under another municipality would be a second measure, and a
    // closed measure's workflow may be gone: refused here. Whether a grant of a running measure
    // is its own grant again is the workflow's to say (its seen set), not the projection's.
    const [existing] = await this.deps.measures.registrations([municipality], e.subject);
    if (existing?.workflowId === workflowId && existing.state === 'closed')
      return { answered: await this.toClosed(workflowId, e) };
    if (existing && existing.workflowId !== workflowId)
      return {
        answered: conflict(
          existing.state,
          'already-granted',
          `foranstaltningen ${e.subject} er allerede bevilget`,
          `measure ${e.subject} has already been granted`,
        ),
      };

    // The birth date is kept in the inbox only where an age rule needs it, and then only sealed.
    if (needsBirthDate(t) && e.data.childBirthDate && this.deps.seal)
      await this.inbox.seal(seq, this.deps.seal(municipality, { childBirthDate: e.data.childBirthDate }));

    const input: MeasureWorkflowInput = {
      measureId: e.subject,
      policy: measurePolicyOf(m, t),
      ...(this.deps.settle ? { settle: this.deps.settle } : {}),
    };
    const event = this.toMachineEvent(e, needsBirthDate(t));
    // The machine judges a first grant here, so that a grant it refuses leaves no workflow behind.
    if (!existing) {
      const judged = decide(newMeasure(input.policy), event, Date.now());
      if (!judged.accepted) {
        const r = judged.refusal.refusal;
        return { answered: conflict(judged.refusal.state, r.code, r.message, r.detail) };
      }
    }
    return {
      input,
      event,
      workflowId,
      municipality,
      measureType,
      summary: `${municipality} · ${measureType}${pkg ? ` · ${pkg}` : ''}`,
      granted: existing !== undefined,
    };
  }

  /** An event for a closed measure: `duplicate: true` when the measure applied it (a resend whose
   *  first answer was lost), else refused. The closed workflow is asked by query, briefly; when it
   *  cannot answer, the refusal stands. */
  private async toClosed(workflowId: string, e: ParsedEvent): Promise<Answer> {
    const seen = await this.deps.temporal.connection
      .withDeadline(Date.now() + CLOSED_QUERY_MS, () =>
        this.deps.temporal.workflow.getHandle(workflowId).query(seenQuery, `${e.source}/${e.id}`),
      )
      .catch(() => false);
    if (seen) return accepted(e, { measureId: e.subject, state: 'closed', duplicate: true });
    if (e.type === 'measure.granted')
      return conflict(
        'closed',
        'already-granted',
        `foranstaltningen ${e.subject} er allerede bevilget`,
        `measure ${e.subject} has already been granted`,
      );
    return closedConflict(e);
  }

  private startOperation(plan: Extract<GrantPlan, { input: unknown }>) {
    return new WithStartWorkflowOperation<MeasureWorkflow>(WORKFLOW_TYPES.measure, {
      workflowId: plan.workflowId,
      taskQueue: TASK_QUEUE,
      args: [plan.input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A workflow that ended without a grant (refused) leaves its id free for the corrected grant;
      // a granted measure's workflow is never started again.
      workflowIdReusePolicy: plan.granted ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE',
      staticSummary: plan.summary,
      // What a new measure shows before its grant is applied, set with the start: the workflow
      // upserts only what its grant then changes (each upsert is a command and a history event).
      typedSearchAttributes: [
        { key: SA.Municipality, value: plan.municipality },
        { key: SA.MeasureType, value: plan.measureType },
        { key: SA.MeasureState, value: 'new' },
        { key: SA.EscalationLevel, value: 0 },
      ],
    });
  }

  /** A refusal by the machine is a 409, a state the database refuses 422; anything else is passed
   *  up as "try again". */
  private refused(err: unknown, measureId: string): Answer {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type === 'invalid-transition') {
      const [state, code, danish] = (cause.details ?? []) as unknown[];
      // Failures raised before refusals carried a code and Danish words have only the state (and a
      // batch's carry its events' refusals in place of the code).
      return conflict(
        String(state ?? 'unknown'),
        typeof code === 'string' ? code : 'refused',
        typeof danish === 'string' ? danish : cause.message,
        cause.message,
      );
    }
    if (cause instanceof ApplicationFailure && cause.type === 'projection-failed')
      return { status: 422, body: { error: 'unprocessable', message: cause.message } };
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return conflict(
        'closed',
        'measure-closed',
        `foranstaltningen ${measureId} er allerede bevilget og afsluttet`,
        `measure ${measureId} has already been granted and closed`,
      );
    if (err instanceof WorkflowNotFoundError)
      return conflict(
        'closed',
        'measure-closed',
        `foranstaltningen ${measureId} kører ikke længere`,
        `measure ${measureId} is no longer running`,
      );
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

/** An identifier that looks like a CPR number, as a verdict: refused without repeating it. */
function personalData(item: unknown): { ok: false; issues: ValidationIssue[] } | undefined {
  const a = refusePersonalData(item);
  return a ? { ok: false, issues: a.body.issues as ValidationIssue[] } : undefined;
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
