// One workflow per measure: a thin, durable host for the measure machine. It feeds events and the
// clock into the machine, sleeps until the machine's next deadline, raises each escalation level
// once, keeps the projection and search attributes current, and continues-as-new before its
// history grows large. All rules live in machines/ and policies/.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { MeasureActivities } from '../activities/types';
import { dateOf } from '../machines/dates';
import { isOverdue, type Deadline } from '../machines/deadlines';
import { dueEscalations, escalationLevel, nextWakeup } from '../machines/escalations';
import type { MeasureEvent } from '../machines/event-catalogue';
import { deadlines, decide, newMeasure, tick, type Decision, type MeasureSnapshot } from '../machines/measure';
import type { MeasureState } from '../machines/measure-machine';
import { viewOf, type MeasureView } from '../machines/measure-view';
import {
  changePolicy,
  policyRefusal,
  type PolicyAudit,
  type PolicyChange,
  type PolicyChangeResult,
} from '../machines/policy-change';
import { warnings } from '../machines/rules';
import { SA } from './search-attributes';
import {
  eventUpdate,
  measureQuery,
  policyUpdate,
  snapshotQuery,
  type Carried,
  type EventResult,
  type MeasureWorkflowInput,
} from './definitions';

const SEEN_KEPT = 2_000;
const AUDIT_KEPT = 200;
/** Well under Temporal's 2,000 updates per run. */
const UPDATES_PER_RUN = 1_000;

const acts = proxyActivities<MeasureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The measure as the workflow holds it: the machine snapshot, the event ids seen, the escalations
 *  raised, the policy audit, and the bookkeeping of what the projection shows. */
export class MeasureHost {
  snapshot: MeasureSnapshot;
  private readonly seen: Set<string>;
  private readonly raised: Set<string>;
  private readonly audit: PolicyAudit[];
  /** The revision of the last view built: every projection carries a new one, and the projection
   *  keeps only newer revisions. Carried across continue-as-new. */
  revision: number;
  /** The revision the projection is known to show. An event or policy applied moves `revision`
   *  past it; the loop projects whenever they differ. */
  private projectedRevision: number;
  private updatesThisRun = 0;
  private lastAttributes = '';
  /** Writes the database refused for good in this run (shown in the current details). */
  private refusals = 0;
  /** The update validator's judgement, reused by its handler (same event, snapshot and instant):
   *  the machine judges each event once. */
  private judged?: { eventId: string; from: MeasureSnapshot; now: number; decision: Decision };

  constructor(
    readonly measureId: string,
    readonly workflowId: string,
    input: MeasureWorkflowInput,
  ) {
    this.snapshot = input.carried?.snapshot ?? newMeasure(input.policy);
    this.seen = new Set(input.carried?.seen ?? []);
    this.raised = new Set(input.carried?.raised ?? []);
    this.audit = [...(input.carried?.audit ?? [])];
    this.revision = input.carried?.revision ?? 0;
    this.projectedRevision = this.revision;
  }

  get state(): MeasureState {
    return this.snapshot.state;
  }

  view(): MeasureView {
    const s = this.snapshot;
    return viewOf(
      this.measureId,
      this.workflowId,
      this.revision,
      s,
      deadlines(s),
      this.raised,
      s.context.policy.escalation,
      this.audit,
    );
  }

  machineState(): { snapshot: MeasureSnapshot; raised: string[]; revision: number } {
    return { snapshot: this.snapshot, raised: [...this.raised], revision: this.revision };
  }

  /** Synchronous and read-only: a refused event writes nothing to history. */
  validateEvent(e: MeasureEvent): void {
    if (this.seen.has(e.eventId)) return;
    const d = this.judge(e, Date.now());
    if (!d.accepted) throw invalidTransition(d.refusal.state, d.refusal.message);
  }

  async applyEvent(e: MeasureEvent): Promise<EventResult> {
    if (this.seen.has(e.eventId)) return this.result(true);
    const d = this.judge(e, Date.now());
    if (!d.accepted) throw invalidTransition(d.refusal.state, d.refusal.message);
    const before = { snapshot: this.snapshot, projected: this.projectedRevision === this.revision };
    this.snapshot = d.snapshot;
    this.seen.add(e.eventId);
    this.updatesThisRun++;
    this.revision++;
    try {
      await this.project();
    } catch (err) {
      const why = refusedByDatabase(err);
      if (why === undefined || !patched('projection-refusal-answered')) throw err;
      // The database will never hold this state: the event is not applied (unless another update
      // has built on it meanwhile), and the case system is told instead of waiting forever.
      this.recordRefusal('projection', why);
      if (this.snapshot === d.snapshot) {
        this.snapshot = before.snapshot;
        this.seen.delete(e.eventId);
        if (before.projected) this.projectedRevision = this.revision;
      }
      throw ApplicationFailure.create({
        type: 'projection-failed',
        message: `Hændelsen kunne ikke gemmes på foranstaltningen og er ikke anvendt (the measure could not be stored with this event; it was not applied): ${why}`,
        nonRetryable: true,
      });
    }
    // Projected before the answer, so the loop need not project the same view again. Histories
    // recorded before this change projected twice: patched() keeps them replaying.
    if (patched('event-projected-once')) this.markProjected();
    const w = warnings(this.snapshot.context.policy, e);
    return w.length ? { ...this.result(false), warnings: w } : this.result(false);
  }

  validatePolicy(c: PolicyChange): void {
    const why = policyRefusal(this.snapshot, c);
    if (why !== null) throw ApplicationFailure.create({ type: 'policy-refused', message: why, nonRetryable: true });
  }

  /** A policy rollout: swap the rules, re-derive, record what moved; the loop wakes so timers follow. */
  async applyPolicy(c: PolicyChange): Promise<PolicyChangeResult> {
    const fromVersion = this.snapshot.context.policy.version;
    const r = changePolicy(this.snapshot, c, this.raised, Date.now());
    if (!r) {
      // Already at this version: say which rollout applied it, so a retried batch counts it right.
      const prior = this.audit.find((a) => a.version === c.version);
      return {
        measureId: this.measureId,
        state: this.state,
        fromVersion,
        version: c.version,
        changed: false,
        moved: prior?.moved ?? [],
        appliedBy: prior?.rolloutId,
      };
    }
    this.snapshot = r.snapshot;
    for (const k of r.carriedKeys) this.raised.add(k);
    this.audit.push(r.audit);
    if (this.audit.length > AUDIT_KEPT) this.audit.splice(0, this.audit.length - AUDIT_KEPT);
    this.updatesThisRun++;
    this.revision++;
    await this.projectOrRecord();
    // Projected here, before the answer: the loop need not project the same view again.
    this.markProjected();
    return {
      measureId: this.measureId,
      state: this.state,
      fromVersion,
      version: c.version,
      changed: true,
      moved: r.audit.moved,
    };
  }

  /** The clock reads `now`: the machine moves if a limit was reached, and every escalation level
   *  now due is raised (once each). Then the projection follows if anything changed. */
  async raiseDue(now: number): Promise<void> {
    const before = this.state;
    this.snapshot = tick(this.snapshot, now);
    const ladder = this.snapshot.context.policy.escalation;
    const due = dueEscalations(deadlines(this.snapshot), ladder, this.raised, now);
    for (const esc of due) {
      const g = this.snapshot.context.facts.grant;
      const raise = acts.raiseEscalation({
        measureId: this.measureId,
        workflowId: this.workflowId,
        municipality: this.snapshot.context.policy.municipality,
        deadlineId: esc.deadline.id,
        deadlineKind: esc.deadline.kind,
        dueOn: esc.deadline.dueOn,
        level: esc.step.level,
        role: esc.step.role,
        raisedAt: new Date(now).toISOString(),
        caseworkerId: g?.caseworkerId ?? null,
        teamId: g?.teamId ?? null,
      });
      try {
        await raise;
      } catch (err) {
        const why = refusedByDatabase(err);
        if (why === undefined || !patched('escalation-refusal-recorded')) throw err;
        // Never storable: recorded as raised (so the loop does not spin on it), and said loudly.
        this.recordRefusal('escalation', why);
      }
      this.raised.add(esc.key);
    }
    if (due.length > 0 || this.state !== before || this.revision !== this.projectedRevision) {
      this.revision++;
      this.projectedRevision = this.revision;
      await this.projectOrRecord();
    }
    this.lastAttributes = upsertAttributes(
      this.snapshot,
      deadlines(this.snapshot),
      this.raised,
      now,
      this.lastAttributes,
    );
  }

  /** The next instant the loop must wake, when a deadline or escalation step falls due. */
  nextWakeup(now: number): number | undefined {
    return nextWakeup(deadlines(this.snapshot), this.snapshot.context.policy.escalation, this.raised, now);
  }

  shouldContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested || this.updatesThisRun >= UPDATES_PER_RUN;
  }

  carried(): Carried {
    return {
      snapshot: this.snapshot,
      seen: [...this.seen].slice(-SEEN_KEPT),
      raised: [...this.raised],
      revision: this.revision,
      audit: this.audit,
    };
  }

  private async project(): Promise<void> {
    const { state, context } = this.snapshot;
    await acts.projectMeasure(this.view(), { state, facts: context.facts, raised: [...this.raised] });
  }

  /** A projection the database refuses for good is recorded (log, metric, current details) and
   *  the measure carries on: its timers and escalations do not depend on it. */
  private async projectOrRecord(): Promise<void> {
    try {
      await this.project();
    } catch (err) {
      const why = refusedByDatabase(err);
      if (why === undefined || !patched('projection-refusal-recorded')) throw err;
      this.recordRefusal('projection', why);
    }
  }

  private recordRefusal(what: 'projection' | 'escalation', why: string): void {
    this.refusals++;
    log.error(`${what} refused by the database`, { workflowId: this.workflowId, reason: why });
    metricMeter
      .createCounter(
        'indsatsflow_database_refusals',
        'refusals',
        'projections or escalations the database refused for good',
      )
      .add(1, { what });
    setCurrentDetails(
      `**Kan ikke gemmes** (${what} refused by the database, ${this.refusals}×): ${why}\nThe workflow runs on; the projection may be behind.`,
    );
  }

  /** After a handler's own projection: when its change is the only one the projection lacked,
   *  the projection now shows everything. */
  private markProjected(): void {
    if (this.projectedRevision === this.revision - 1) this.projectedRevision = this.revision;
  }

  private judge(e: MeasureEvent, now: number): Decision {
    const j = this.judged;
    if (j && j.eventId === e.eventId && j.from === this.snapshot && j.now === now) return j.decision;
    const decision = decide(this.snapshot, e, now);
    this.judged = { eventId: e.eventId, from: this.snapshot, now, decision };
    return decision;
  }

  private result(duplicate: boolean): EventResult {
    return { measureId: this.measureId, state: this.state, duplicate };
  }
}

export async function measureWorkflow(input: MeasureWorkflowInput): Promise<MeasureState> {
  const host = new MeasureHost(input.measureId, workflowInfo().workflowId, input);

  setHandler(measureQuery, () => host.view());
  setHandler(snapshotQuery, () => host.machineState());
  setHandler(policyUpdate, (c) => host.applyPolicy(c), { validator: (c) => host.validatePolicy(c) });
  setHandler(eventUpdate, (e) => host.applyEvent(e), { validator: (e) => host.validateEvent(e) });

  for (;;) {
    const now = Date.now();
    await host.raiseDue(now);

    if (host.state === 'closed') {
      await condition(allHandlersFinished);
      return host.state;
    }
    if (host.shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof measureWorkflow>({
        measureId: input.measureId,
        policy: host.snapshot.context.policy,
        carried: host.carried(),
      });
    }

    const wake = host.nextWakeup(now);
    const seenRevision = host.revision;
    if (wake === undefined) await condition(() => host.revision !== seenRevision);
    else await condition(() => host.revision !== seenRevision, Math.max(wake - now, 1));
  }
}

/** The reason, when `err` is an activity's non-retryable database refusal (activities/failures.ts). */
function refusedByDatabase(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? cause.message : undefined;
}

function invalidTransition(state: MeasureState, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'invalid-transition', message, details: [state], nonRetryable: true });
}

/** Search attributes for operators, upserted only when they change (each upsert is history). */
function upsertAttributes(
  snap: MeasureSnapshot,
  ds: Deadline[],
  raised: ReadonlySet<string>,
  now: number,
  last: string,
): string {
  const { policy, facts } = snap.context;
  const pending = ds.filter((d) => d.status === 'pending').sort((a, b) => a.dueAt - b.dueAt);
  const overdue = pending.filter((d) => isOverdue(d, now));
  const next = pending[0];
  const level = overdue.reduce((m, d) => Math.max(m, escalationLevel(d, raised, policy.escalation)), 0);
  const pkg = facts.periods[facts.periods.length - 1]?.package;
  const overdueSince = overdue.length ? Math.min(...overdue.map((d) => d.overdueAt)) : undefined;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: SA.Municipality, value: policy.municipality },
    { key: SA.MeasureType, value: policy.measureType.slug },
    { key: SA.MeasureState, value: snap.state },
    { key: SA.EscalationLevel, value: level },
    pkg ? { key: SA.Package, value: pkg } : { key: SA.Package, value: null },
    next ? { key: SA.NextDeadlineKind, value: next.kind } : { key: SA.NextDeadlineKind, value: null },
    next ? { key: SA.NextDeadline, value: new Date(next.dueAt) } : { key: SA.NextDeadline, value: null },
    overdueSince !== undefined
      ? { key: SA.OverdueSince, value: new Date(overdueSince) }
      : { key: SA.OverdueSince, value: null },
    facts.grant ? { key: SA.CaseworkerId, value: facts.grant.caseworkerId } : { key: SA.CaseworkerId, value: null },
    facts.grant?.teamId ? { key: SA.TeamId, value: facts.grant.teamId } : { key: SA.TeamId, value: null },
  ];
  const fingerprint = JSON.stringify(pairs.map((p) => [p.key.name, p.value]));
  if (fingerprint === last) return last;
  upsertSearchAttributes(pairs);
  // The UI's "current details": identifiers and dates only, never personal data.
  const lines = [
    `**${policy.municipality} · ${policy.measureType.slug}${pkg ? ` · ${pkg}` : ''}** — ${snap.state} (policy v${policy.version})`,
    ...pending
      .slice(0, 5)
      .map(
        (d) =>
          `- ${d.kind}: due ${d.dueOn}${isOverdue(d, now) ? ` — OVERDUE, escalation level ${escalationLevel(d, raised, policy.escalation)}` : ''}`,
      ),
    overdue.length === 0 && next ? `Next: ${next.kind} on ${next.dueOn} (today ${dateOf(now)})` : '',
  ];
  setCurrentDetails(lines.filter(Boolean).join('\n'));
  return fingerprint;
}
