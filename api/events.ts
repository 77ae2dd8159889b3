// POST /v1/events: store, validate, deduplicate, hand to the measure's workflow, store the answer.
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { MeasureEvent } from '../machines/event-catalogue';
import { measurePolicyOf, type PolicySource } from '../policies/source';
import type { MeasureTypePolicy } from '../policies/types';
import { measureWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { eventUpdate, type MeasureWorkflowInput } from '../workflows/definitions';
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
  /** Encrypts a value with the municipality's payload key: the child's birth date in the inbox. */
  seal?: (municipality: string, value: Record<string, unknown>) => Record<string, unknown>;
  /** Where the cause of a 503 goes: never into the answer. */
  log: { warn(o: object, msg: string): void };
}

function needsBirthDate(t: MeasureTypePolicy): boolean {
  return t.grantAge !== undefined || (t.obligations ?? []).some((o) => o.from === 'birth');
}

const notFound = (error: string, message: string): Answer => ({ status: 404, body: { error, message } });
const conflict = (state: string, message: string): Answer => ({
  status: 409,
  body: { error: 'invalid-transition', state, message },
});

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
    const answers: Answer[] = [];
    // In order: later events of a batch may depend on earlier ones (a grant, then its meeting).
    for (const item of body) answers.push(await this.one(item, caller));
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
      answer = {
        status: 503,
        body: { error: 'unavailable', message: 'the event was stored but could not be processed now; send it again' },
      };
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
    return e.type === 'measure.granted' ? this.grant(e, seq) : this.follow(e, access.registration!);
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

  private async grant(e: Extract<ParsedEvent, { type: 'measure.granted' }>, seq: number): Promise<Answer> {
    const { municipality, measureType, package: pkg } = e.data;
    const m = await this.deps.policies.municipality(municipality);
    if (!m) return notFound('unknown-municipality', `no service level for municipality ${municipality}`);
    const t = m.measureTypes.find((x) => x.slug === measureType);
    if (!t) return notFound('unknown-measure-type', `${municipality} has no measure type ${measureType}`);
    if (pkg && !t.packages.some((p) => p.slug === pkg))
      return notFound(
        'unknown-package',
        `${municipality}/${measureType} has no package ${pkg}; it has ${t.packages.map((p) => p.slug).join(', ') || 'none'}`,
      );

    const [existing] = await this.deps.measures.registrations([municipality], e.subject);
    if (existing) return conflict(existing.state, `measure ${e.subject} has already been granted`);
    // The birth date is kept in the inbox only where an age rule needs it, and then only sealed.
    if (needsBirthDate(t) && e.data.childBirthDate && this.deps.seal)
      await this.inbox.seal(seq, this.deps.seal(municipality, { childBirthDate: e.data.childBirthDate }));

    const input: MeasureWorkflowInput = { measureId: e.subject, policy: measurePolicyOf(m, t) };
    const workflowId = measureWorkflowId(municipality, e.subject);
    try {
      const r = await this.deps.temporal.workflow.executeUpdateWithStart(eventUpdate, {
        args: [this.toMachineEvent(e, needsBirthDate(t))],
        updateId: `${e.source}/${e.id}`,
        startWorkflowOperation: new WithStartWorkflowOperation<MeasureWorkflow>(WORKFLOW_TYPES.measure, {
          workflowId,
          taskQueue: TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: `${municipality} · ${measureType}${pkg ? ` · ${pkg}` : ''}`,
        }),
      });
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
    } catch (err) {
      return this.refused(err, e.subject);
    }
  }

  private async follow(
    e: Exclude<ParsedEvent, { type: 'measure.granted' }>,
    m: { workflowId: string; state: string },
  ): Promise<Answer> {
    if (m.state === 'closed')
      return conflict('closed', `measure ${e.subject} is closed; ${e.type} is not allowed on a closed measure`);
    try {
      const r = await this.deps.temporal.workflow.getHandle(m.workflowId).executeUpdate(eventUpdate, {
        args: [this.toMachineEvent(e)],
        updateId: `${e.source}/${e.id}`,
      });
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
    } catch (err) {
      return this.refused(err, e.subject);
    }
  }

  /** A refusal by the machine is a 409; anything else is passed up as "try again". */
  private refused(err: unknown, measureId: string): Answer {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type === 'invalid-transition') {
      return conflict(String(cause.details?.[0] ?? 'unknown'), cause.message);
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return conflict('closed', `measure ${measureId} has already been granted and closed`);
    if (err instanceof WorkflowNotFoundError) return conflict('closed', `measure ${measureId} is no longer running`);
    throw err;
  }
}
