// POST /v1/events: store, validate, deduplicate, hand to the measure's workflow, store the answer.
// A batch is stored and validated event by event; the events of one measure then go to its
// workflow in one update, in order, so that deadlines are judged only after the last of them.
import { createHash } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { MeasureEvent } from '../machines/event-catalogue';
import { decide, newMeasure } from '../machines/measure';
import { measurePolicyOf, type PolicySource } from '../policies/source';
import type { MeasureTypePolicy } from '../policies/types';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import {
  eventsUpdate,
  eventUpdate,
  type BatchItemResult,
  type EventResult,
  type MeasureWorkflowInput,
} from '../workflows/definitions';
import { WORKFLOW_TYPES, type MeasureWorkflow } from '../workflows/workflow-types';
import { parseEvent, type ParsedEvent } from './event-schemas';
import { localCaller, type Caller } from '../access/roles';
import type { Answer, InboxRepository } from '../db/repositories/inbox';
import { authoriseEvent, refusePersonalData } from './event-access';
import type { MeasureRepository } from '../db/repositories/measures';

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
}

function needsBirthDate(t: MeasureTypePolicy): boolean {
  return t.grantAge !== undefined || (t.obligations ?? []).some((o) => o.from === 'birth');
}

const notFound = (error: string, message: string): Answer => ({ status: 404, body: { error, message } });
/** A refusal: the stable English `code`, the Danish `message` a caseworker can be shown, and the
 *  English `detail` for the case-system developer. */
const conflict = (state: string, code: string, message: string, detail: string): Answer => ({
  status: 409,
  body: { error: 'invalid-transition', code, state, message, detail },
});
const unavailable: Answer = {
  status: 503,
  body: { error: 'unavailable', message: 'the event was stored but could not be processed now; send it again' },
};

/** A valid event of a batch, with its place in the batch, its inbox row and its municipality. */
interface BatchItem {
  index: number;
  seq: number;
  e: ParsedEvent;
  municipality: string;
}

/** What update-with-start needs for a grant the machine accepts, or the answer refusing it. */
type GrantPlan =
  | { refused: Answer }
  | { refused?: undefined; input: MeasureWorkflowInput; workflowId: string; event: MeasureEvent; summary: string };

export class EventIntake {
  private readonly inbox: InboxRepository;
  constructor(private readonly deps: EventDeps) {
    this.inbox = deps.inbox;
  }

  /** One body: a single event, or a batch answered in order (207 when the answers differ). */
  async receive(
    body: unknown,
    raw: string | undefined,
    parseError?: string,
    caller: Caller = localCaller(false),
  ): Promise<{ status: number; body: unknown }> {
    if (parseError !== undefined) {
      const seq = await this.inbox.receive(undefined, raw, caller.id);
      const a: Answer = {
        status: 400,
        body: { error: 'invalid-event', issues: [{ path: '(body)', message: `not valid JSON: ${parseError}` }] },
      };
      await this.inbox.answer(seq, a);
      return a;
    }
    if (!Array.isArray(body)) return this.one(body, caller);
    if (body.length === 0) {
      const seq = await this.inbox.receive(body, raw, caller.id);
      const a: Answer = {
        status: 400,
        body: { error: 'invalid-event', issues: [{ path: '(body)', message: 'an empty batch' }] },
      };
      await this.inbox.answer(seq, a);
      return a;
    }
    const answers = await this.batch(body, caller);
    const statuses = new Set(answers.map((a) => a.status));
    return {
      status: statuses.size === 1 ? answers[0].status : 207,
      body: answers.map((a) => ({ status: a.status, ...a.body })),
    };
  }

  private async one(item: unknown, caller: Caller): Promise<Answer> {
    const seq = await this.inbox.receive(item, undefined, caller.id);
    let answer: Answer;
    try {
      answer = await this.judge(item, seq, caller);
    } catch (err) {
      // The cause may name a database or Temporal address: the log gets it, the case system does not.
      this.deps.log.warn({ err, inboxSeq: seq }, 'event stored but not processed');
      answer = unavailable;
    }
    await this.inbox.answer(seq, answer);
    return answer;
  }

  private async judge(item: unknown, seq: number, caller: Caller): Promise<Answer> {
    const personal = refusePersonalData(item);
    if (personal) return personal;
    const parsed = parseEvent(item);
    if (!parsed.ok) return { status: 400, body: { error: 'invalid-event', issues: parsed.issues } };
    const e = parsed.event;
    const access = await authoriseEvent(caller, e, item, this.deps.measures);
    if (!access.ok) return access.answer;
    await this.inbox.assign(seq, access.municipality);
    const earlier = await this.inbox.accepted(access.municipality, e.source, e.id, seq);
    if (earlier) return { status: 202, body: { ...earlier.body, duplicate: true } };
    return e.type === 'measure.granted' ? this.grant(e, seq) : this.follow(e, seq, access.registration!);
  }

  /** Every event stored and validated one by one; then, per measure and in order, its events in
   *  one update: a run of a measure's events starts at its grant (update-with-start) or goes to
   *  its running workflow. Each event gets its own answer and inbox row. */
  private async batch(items: unknown[], caller: Caller): Promise<Answer[]> {
    const answers: Array<Answer | undefined> = new Array(items.length);
    const seqs: number[] = [];
    for (const item of items) seqs.push(await this.inbox.receive(item, undefined, caller.id));
    const runs: BatchItem[][] = [];
    // Keyed by (municipality, measureId): the same measureId may run in two municipalities.
    const open = new Map<string, BatchItem[]>();
    // Grants earlier in this batch, per measureId: a later event of the batch may be for one of them.
    const granted = new Map<string, string[]>();
    for (let index = 0; index < items.length; index++) {
      const seq = seqs[index];
      try {
        const personal = refusePersonalData(items[index]);
        if (personal) {
          answers[index] = personal;
          continue;
        }
        const parsed = parseEvent(items[index]);
        if (!parsed.ok) {
          answers[index] = { status: 400, body: { error: 'invalid-event', issues: parsed.issues } };
          continue;
        }
        const e = parsed.event;
        const access = await authoriseEvent(caller, e, items[index], this.deps.measures, (id) => granted.get(id) ?? []);
        if (!access.ok) {
          answers[index] = access.answer;
          continue;
        }
        const municipality = access.municipality;
        await this.inbox.assign(seq, municipality);
        const earlier = await this.inbox.accepted(municipality, e.source, e.id, seq);
        if (earlier) {
          answers[index] = { status: 202, body: { ...earlier.body, duplicate: true } };
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
        run.push({ index, seq, e, municipality });
      } catch (err) {
        this.deps.log.warn({ err, inboxSeq: seq }, 'event stored but not processed');
        answers[index] = unavailable;
      }
    }
    for (const run of runs) {
      let got: Answer[];
      try {
        got = await this.applyRun(run);
      } catch (err) {
        this.deps.log.warn({ err, inboxSeqs: run.map((i) => i.seq) }, 'events stored but not processed');
        got = run.map(() => unavailable);
      }
      run.forEach((item, k) => (answers[item.index] = got[k]));
    }
    const out = answers.map((a) => a ?? unavailable);
    for (let index = 0; index < items.length; index++) await this.inbox.answer(seqs[index], out[index]);
    return out;
  }

  /** One measure's run of a batch: a grant first starts the workflow with the whole run. */
  private async applyRun(run: BatchItem[]): Promise<Answer[]> {
    const [first, ...rest] = run;
    const events = (plan?: Extract<GrantPlan, { input: unknown }>) =>
      run.map((i, k) => (k === 0 && plan ? plan.event : this.toMachineEvent(i.e)));
    const updateId = `batch/${createHash('sha256')
      .update(run.map((i) => `${i.e.source}/${i.e.id}#${i.seq}`).join('\n'))
      .digest('base64url')}`;
    if (first.e.type === 'measure.granted') {
      const plan = await this.planGrant(first.e, first.seq);
      // A refused grant: the rest of the run is judged against the measure as it stands.
      if (plan.refused) return [plan.refused, ...(rest.length ? await this.applyRun(rest) : [])];
      try {
        const results = await this.deps.temporal.workflow.executeUpdateWithStart(eventsUpdate, {
          args: [events(plan)],
          updateId,
          startWorkflowOperation: this.startOperation(plan),
        });
        return results.map((r, k) => this.answerOf(run[k].e, r));
      } catch (err) {
        return this.refusedRun(err, run);
      }
    }
    const [m] = await this.deps.measures.registrations([first.municipality], first.e.subject);
    if (!m) return run.map(() => notFound('unknown-measure', `no measure ${first.e.subject} has been granted`));
    if (m.state === 'closed')
      return run.map((i) =>
        conflict(
          'closed',
          'measure-closed',
          `foranstaltningen ${i.e.subject} er afsluttet; der kan ikke registreres mere på den`,
          `measure ${i.e.subject} is closed; ${i.e.type} is not allowed on a closed measure`,
        ),
      );
    try {
      const results = await this.deps.temporal.workflow
        .getHandle(m.workflowId)
        .executeUpdate(eventsUpdate, { args: [events()], updateId });
      return results.map((r, k) => this.answerOf(run[k].e, r));
    } catch (err) {
      return this.refusedRun(err, run);
    }
  }

  private answerOf(e: ParsedEvent, r: BatchItemResult): Answer {
    if ('refused' in r) {
      const x = r.refused;
      return conflict(x.state, x.code ?? 'refused', x.danish ?? x.message, x.message);
    }
    return this.accepted(e, r);
  }

  private accepted(e: ParsedEvent, r: EventResult): Answer {
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

  /** A batch update the workflow refused as a whole (none of its events applies): each event's
   *  own refusal when the workflow gave them. */
  private refusedRun(err: unknown, run: BatchItem[]): Answer[] {
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
   *  a grant the machine refuses is answered here and starts no workflow. */
  private async planGrant(e: Extract<ParsedEvent, { type: 'measure.granted' }>, seq: number): Promise<GrantPlan> {
    const { municipality, measureType, package: pkg } = e.data;
    const m = await this.deps.policies.municipality(municipality);
    if (!m) return { refused: notFound('unknown-municipality', `no service level for municipality ${municipality}`) };
    const t = m.measureTypes.find((x) => x.slug === measureType);
    if (!t) return { refused: notFound('unknown-measure-type', `${municipality} has no measure type ${measureType}`) };
    if (pkg && !t.packages.some((p) => p.slug === pkg))
      return {
        refused: notFound(
          'unknown-package',
          `${municipality}/${measureType} has no package ${pkg}; it has ${t.packages.map((p) => p.slug).join(', ') || 'none'}`,
        ),
      };

    const [existing] = await this.deps.measures.registrations([municipality], e.subject);
    if (existing)
      return {
        refused: conflict(
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
    // The machine judges the grant here first, so that a grant it refuses leaves no workflow behind.
    const judged = decide(newMeasure(input.policy), event, Date.now());
    if (!judged.accepted) {
      const r = judged.refusal.refusal;
      return { refused: conflict(judged.refusal.state, r.code, r.message, r.detail) };
    }
    return {
      input,
      event,
      workflowId: measureWorkflowId(municipality, e.subject),
      summary: `${municipality} · ${measureType}${pkg ? ` · ${pkg}` : ''}`,
    };
  }

  private startOperation(plan: Extract<GrantPlan, { input: unknown }>) {
    return new WithStartWorkflowOperation<MeasureWorkflow>(WORKFLOW_TYPES.measure, {
      workflowId: plan.workflowId,
      taskQueue: TASK_QUEUE,
      args: [plan.input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A workflow that ended without a grant (refused) leaves its id free for the corrected grant;
      // a granted measure is found by its projection above, closed or not.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: plan.summary,
    });
  }

  /** The update id is per delivery (inbox row): two copies of one event arriving together are two
   *  updates, and the workflow, which applies updates one at a time and remembers event ids,
   *  answers the second `duplicate: true`. */
  private async grant(e: Extract<ParsedEvent, { type: 'measure.granted' }>, seq: number): Promise<Answer> {
    const plan = await this.planGrant(e, seq);
    if (plan.refused) return plan.refused;
    try {
      const r = await this.deps.temporal.workflow.executeUpdateWithStart(eventUpdate, {
        args: [plan.event],
        updateId: `${e.source}/${e.id}#${seq}`,
        startWorkflowOperation: this.startOperation(plan),
      });
      return this.accepted(e, r);
    } catch (err) {
      return this.refused(err, e.subject);
    }
  }

  /** `m`: the measure among the caller's municipalities (api/event-access.ts found it). */
  private async follow(
    e: Exclude<ParsedEvent, { type: 'measure.granted' }>,
    seq: number,
    m: { workflowId: string; state: string },
  ): Promise<Answer> {
    if (m.state === 'closed')
      return conflict(
        'closed',
        'measure-closed',
        `foranstaltningen ${e.subject} er afsluttet; der kan ikke registreres mere på den`,
        `measure ${e.subject} is closed; ${e.type} is not allowed on a closed measure`,
      );
    try {
      const r = await this.deps.temporal.workflow.getHandle(m.workflowId).executeUpdate(eventUpdate, {
        args: [this.toMachineEvent(e)],
        updateId: `${e.source}/${e.id}#${seq}`,
      });
      return this.accepted(e, r);
    } catch (err) {
      return this.refused(err, e.subject);
    }
  }

  /** A refusal by the machine is a 409; anything else is passed up as "try again". */
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
