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
import type { Answer, InboxRepository } from '../db/repositories/inbox';
import type { MeasureRepository } from '../db/repositories/measures';

export interface EventDeps {
  inbox: InboxRepository;
  measures: MeasureRepository;
  temporal: Client;
  policies: PolicySource;
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
  ): Promise<{ status: number; body: unknown }> {
    if (parseError !== undefined) {
      const seq = await this.inbox.receive(undefined, raw);
      const a: Answer = {
        status: 400,
        body: { error: 'invalid-event', issues: [{ path: '(body)', message: `not valid JSON: ${parseError}` }] },
      };
      await this.inbox.answer(seq, a);
      return a;
    }
    if (!Array.isArray(body)) return this.one(body);
    if (body.length === 0) {
      const seq = await this.inbox.receive(body, raw);
      const a: Answer = {
        status: 400,
        body: { error: 'invalid-event', issues: [{ path: '(body)', message: 'an empty batch' }] },
      };
      await this.inbox.answer(seq, a);
      return a;
    }
    const answers: Answer[] = [];
    // In order: later events of a batch may depend on earlier ones (a grant, then its meeting).
    for (const item of body) answers.push(await this.one(item));
    const statuses = new Set(answers.map((a) => a.status));
    return {
      status: statuses.size === 1 ? answers[0].status : 207,
      body: answers.map((a) => ({ status: a.status, ...a.body })),
    };
  }

  private async one(item: unknown): Promise<Answer> {
    const seq = await this.inbox.receive(item);
    let answer: Answer;
    try {
      answer = await this.judge(item, seq);
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

  private async judge(item: unknown, seq: number): Promise<Answer> {
    const parsed = parseEvent(item);
    if (!parsed.ok) return { status: 400, body: { error: 'invalid-event', issues: parsed.issues } };
    const e = parsed.event;
    const earlier = await this.inbox.accepted(e.source, e.id, seq);
    if (earlier) return { status: 202, body: { ...earlier.body, duplicate: true } };
    return e.type === 'measure.granted' ? this.grant(e) : this.follow(e);
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

  private async grant(e: Extract<ParsedEvent, { type: 'measure.granted' }>): Promise<Answer> {
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

    const existing = await this.deps.measures.registration(e.subject);
    if (existing)
      return conflict(
        existing.state,
        'already-granted',
        `foranstaltningen ${e.subject} er allerede bevilget`,
        `measure ${e.subject} has already been granted`,
      );

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

  private async follow(e: Exclude<ParsedEvent, { type: 'measure.granted' }>): Promise<Answer> {
    const m = await this.deps.measures.registration(e.subject);
    if (!m) return notFound('unknown-measure', `no measure ${e.subject} has been granted`);
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
      const [state, code, danish] = (cause.details ?? []) as unknown[];
      // Failures raised before refusals carried a code and Danish words have only the state.
      return conflict(
        String(state ?? 'unknown'),
        String(code ?? 'refused'),
        String(danish ?? cause.message),
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
