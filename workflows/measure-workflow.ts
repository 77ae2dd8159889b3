// One workflow per measure: a thin, durable host for the measure machine. It feeds events and the
// clock into the machine, sleeps until the machine's next deadline, raises each escalation once
// the measure has settled, resolves escalations whose deadline ends, keeps the projection and
// search attributes current, and continues-as-new before its history grows large. A measure never
// granted ends itself. All rules live in machines/ and policies/.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  metricMeter,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { MeasureActivities } from '../activities/types';
import { addToInstant, dateOf } from '../machines/dates';
import { isOverdue, type Deadline } from '../machines/deadlines';
import {
  dueEscalations,
  escalationLevel,
  judgeLadders,
  levelReached,
  nextWakeup,
  reachedLevels,
  resolutions,
  type DueEscalation,
} from '../machines/escalations';
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
import { dkDate, warnings, type Refusal } from '../machines/rules';
import { SA } from './search-attributes';
import {
  eventsUpdate,
  eventUpdate,
  measureQuery,
  policyUpdate,
  seenQuery,
  snapshotQuery,
  type BatchItemResult,
  type Carried,
  type EventResult,
  type MeasureWorkflowInput,
} from './definitions';

const SEEN_KEPT = 2_000;
const AUDIT_KEPT = 200;
/** Well under Temporal's 2,000 updates per run. */
const UPDATES_PER_RUN = 1_000;
/** How long a measure started without an accepted grant waits for one before it ends itself. The
 *  API judges a grant before it starts a workflow, so this is only the rare race. */
const UNGRANTED_WAIT_MS = 10_000;
/** Marks the runs that keep one ladder per deadline (catch-up, settling, resolutions) and end
 *  themselves when never granted; runs recorded before it replay as they were. */
export const LADDERS_PATCH = 'escalation-ladders';
/** Marks the runs that do one workflow task per event and per wake: the projection once per event,
 *  escalations raised and resolved, all as local activities in the task that decided them, and
 *  only the search attributes that changed upserted. Runs recorded before it replay as they were. */
export const ONE_TASK_PATCH = 'one-task-per-wake';

type BatchJudgement =
  | { e: MeasureEvent; outcome: 'duplicate' }
  | { e: MeasureEvent; outcome: 'accepted'; decision: Extract<Decision, { accepted: true }> }
  | { e: MeasureEvent; outcome: 'refused'; decision: Extract<Decision, { accepted: false }> };

const acts = proxyActivities<MeasureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
/** The same activities run in the worker that runs the workflow task: no task queue round trip,
 *  no extra workflow task, one marker in history. All are idempotent, so a task that fails after
 *  running them runs them again harmlessly. */
const local = proxyLocalActivities<MeasureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The measure as the workflow holds it: the machine snapshot, the event ids seen, the escalations
 *  raised, the policy audit, and the bookkeeping of what the projection shows. */
export class MeasureHost {
  snapshot: MeasureSnapshot;
  private readonly seen: Set<string>;
  private readonly raised: Set<string>;
  /** Ladders with an escalation raised and not yet resolved. */
  private readonly open: Set<string>;
  private readonly audit: PolicyAudit[];
  /** When the last event was applied: the settling window counts from it. */
  private lastEventAt?: number;
  private readonly settle?: string;
  /** Whether this run keeps one ladder per deadline: decided by the loop (patched), once true
   *  stays true. */
  ladders = false;
  /** Whether this run does one workflow task per event and per wake (ONE_TASK_PATCH): decided by
   *  the loop, once true stays true. */
  oneTask = false;
  /** The revision of the last view built: every projection carries a new one, and the projection
   *  keeps only newer revisions. Carried across continue-as-new. */
  revision: number;
  /** The revision the projection is known to show. An event or policy applied moves `revision`
   *  past it; the loop projects whenever they differ. */
  private projectedRevision: number;
  private updatesThisRun = 0;
  /** The local activities the loop started and has not waited for (one-task runs). */
  private readonly inFlight: Array<Promise<unknown>> = [];
  private lastAttributes = '';
  /** Writes the database refused for good in this run (shown in the current details). */
  private refusals = 0;
  /** The update validator's judgement, reused by its handler (same event, snapshot and instant):
   *  the machine judges each event once. */
  private judged?: { eventId: string; from: MeasureSnapshot; now: number; decision: Decision };
  private judgedBatch?: { events: MeasureEvent[]; from: MeasureSnapshot; now: number; judged: BatchJudgement[] };

  constructor(
    readonly measureId: string,
    readonly workflowId: string,
    input: MeasureWorkflowInput,
  ) {
    const carried = input.carried?.snapshot;
    this.snapshot = carried
      ? { ...carried, context: { ...carried.context, policy: carried.context.policy ?? input.policy } }
      : newMeasure(input.policy);
    this.seen = new Set(input.carried?.seen ?? []);
    this.raised = new Set(input.carried?.raised ?? []);
    this.open = new Set(input.carried?.open ?? reachedLevels(this.raised).keys());
    this.audit = [...(input.carried?.audit ?? [])];
    this.lastEventAt = input.carried?.lastEventAt;
    this.settle = input.settle;
    this.revision = input.carried?.revision ?? 0;
    this.projectedRevision = this.revision;
  }

  get state(): MeasureState {
    return this.snapshot.state;
  }

  view(): MeasureView {
    const s = this.snapshot;
    return viewOf(this.measureId, this.workflowId, this.revision, s, deadlines(s), this.levelOf(), this.audit);
  }

  /** The level each deadline has reached, as this run counts them. */
  private levelOf(): (d: Deadline) => number {
    if (this.ladders) {
      const reached = reachedLevels(this.raised);
      return (d) => levelReached(d, reached);
    }
    const ladder = this.snapshot.context.policy.escalation;
    return (d) => escalationLevel(d, this.raised, ladder);
  }

  hasSeen(eventId: string): boolean {
    return this.seen.has(eventId);
  }

  machineState(): { snapshot: MeasureSnapshot; raised: string[]; revision: number } {
    return { snapshot: this.snapshot, raised: [...this.raised], revision: this.revision };
  }

  /** Synchronous and read-only: a refused event writes nothing to history. */
  validateEvent(e: MeasureEvent): void {
    if (this.seen.has(e.eventId)) return;
    const d = this.judge(e, Date.now());
    if (!d.accepted) throw invalidTransition(d.refusal.state, d.refusal.refusal);
  }

  async applyEvent(e: MeasureEvent): Promise<EventResult> {
    if (this.seen.has(e.eventId)) return this.result(true);
    const d = this.judge(e, Date.now());
    if (!d.accepted) throw invalidTransition(d.refusal.state, d.refusal.refusal);
    const before = this.before();
    this.snapshot = d.snapshot;
    this.seen.add(e.eventId);
    this.lastEventAt = Date.now();
    this.updatesThisRun++;
    this.revision++;
    if (this.oneTask) {
      // Marked before the await: the loop wakes in this same activation and must not project
      // the same view again.
      this.markProjected();
      await this.projectApplied(before, [e.eventId]);
    } else {
      await this.projectApplied(before, [e.eventId]);
      // Meant to project once; it never took effect, because the loop wakes before this await
      // returns. Kept so that the histories recorded with it replay.
      if (patched('event-projected-once')) this.markProjected();
    }
    const w = warnings(this.snapshot.context.policy, e, this.snapshot.context.facts);
    return w.length ? { ...this.result(false), warnings: w } : this.result(false);
  }

  /** Refuses the batch only when none of its events would be applied: a refused event in the
   *  middle does not stop the later ones, each judged on the measure as the earlier left it. */
  validateEvents(es: MeasureEvent[]): void {
    const judged = this.judgeBatch(es, Date.now());
    if (judged.some((j) => j.outcome !== 'refused')) return;
    const refusals = judged.map((j) => (j.outcome === 'refused' ? j.decision.refusal : undefined));
    const first = refusals[0]!;
    throw ApplicationFailure.create({
      type: 'invalid-transition',
      message: first.message,
      details: [
        first.state,
        refusals.map(
          (r) => r && { state: r.state, message: r.message, code: r.refusal.code, danish: r.refusal.message },
        ),
      ],
      nonRetryable: true,
    });
  }

  /** A batch's events in order, in one update: one projection after the last, and deadlines
   *  judged (by the loop) only after it. Each event gets its own answer. */
  async applyEvents(es: MeasureEvent[]): Promise<BatchItemResult[]> {
    const now = Date.now();
    const out: BatchItemResult[] = [];
    const applied: string[] = [];
    const before = this.before();
    for (const j of this.judgeBatch(es, now)) {
      if (j.outcome === 'duplicate') out.push(this.result(true));
      else if (j.outcome === 'refused')
        out.push({
          measureId: this.measureId,
          refused: {
            state: j.decision.refusal.state,
            message: j.decision.refusal.message,
            code: j.decision.refusal.refusal.code,
            danish: j.decision.refusal.refusal.message,
          },
        });
      else {
        this.snapshot = j.decision.snapshot;
        this.seen.add(j.e.eventId);
        applied.push(j.e.eventId);
        const w = warnings(this.snapshot.context.policy, j.e, this.snapshot.context.facts);
        out.push(w.length ? { ...this.result(false), warnings: w } : this.result(false));
      }
    }
    if (applied.length > 0) {
      this.lastEventAt = now;
      this.updatesThisRun++;
      this.revision++;
      if (this.oneTask) {
        this.markProjected();
        await this.projectApplied(before, applied);
      } else {
        await this.projectApplied(before, applied);
        this.markProjected();
      }
    }
    return out;
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
    // Projected here, before the answer: the loop need not project the same view again.
    if (this.oneTask) {
      this.markProjected();
      await this.projectOrRecord();
    } else {
      await this.projectOrRecord();
      this.markProjected();
    }
    return {
      measureId: this.measureId,
      state: this.state,
      fromVersion,
      version: c.version,
      changed: true,
      moved: r.audit.moved,
    };
  }

  /** The clock reads `now`: the machine moves if a limit was reached, escalations whose deadline
   *  ended are resolved, and what is now due is raised (once per ladder and level; with one ladder
   *  per deadline, only the level now due and only once the measure is quiet). Then the
   *  projection follows if anything changed. */
  async raiseDue(now: number): Promise<void> {
    const before = this.state;
    this.snapshot = tick(this.snapshot, now);
    const ladder = this.snapshot.context.policy.escalation;
    const ds = deadlines(this.snapshot);
    let due: DueEscalation[];
    if (this.ladders) {
      const ended = resolutions(ds, this.snapshot.context.facts, this.open, now);
      if (ended.length > 0) {
        await acts.resolveEscalations({
          measureId: this.measureId,
          resolvedAt: new Date(now).toISOString(),
          ladders: ended.map((r) => ({ deadlineIds: r.deadlineIds, resolution: r.resolution })),
        });
        for (const r of ended) this.open.delete(r.ladderId);
      }
      due = judgeLadders(ds, ladder, reachedLevels(this.raised), now, this.quietFrom()).due;
    } else {
      due = dueEscalations(ds, ladder, this.raised, now);
    }
    for (const esc of due) {
      const raise = acts.raiseEscalation(this.escalationOf(esc, now));
      try {
        await raise;
      } catch (err) {
        const why = refusedByDatabase(err);
        if (why === undefined || !patched('escalation-refusal-recorded')) throw err;
        // Never storable: recorded as raised (so the loop does not spin on it), and said loudly.
        this.recordRefusal('escalation', why);
      }
      this.raised.add(esc.key);
      if (esc.ladderId !== undefined) this.open.add(esc.ladderId);
    }
    if (due.length > 0 || this.state !== before || this.revision !== this.projectedRevision) {
      this.revision++;
      this.projectedRevision = this.revision;
      await this.projectOrRecord();
    }
    this.lastAttributes = upsertAttributes(
      this.snapshot,
      deadlines(this.snapshot),
      this.levelOf(),
      now,
      this.lastAttributes,
    );
  }

  /** As raiseDue, but synchronous: it decides everything and starts the resolutions, the
   *  escalations and the projection together as local activities, in the activation that woke
   *  it, so that many deadlines falling due together are raised in one wave, not three. The loop
   *  does not wait for them before it sets its timer: its commands never depend on when a local
   *  activity's result arrives, which could differ between a run and its replay. `settled()`
   *  waits for them before the run ends or continues-as-new. */
  raiseDueInOneTask(now: number): void {
    const before = this.state;
    this.snapshot = tick(this.snapshot, now);
    const ladder = this.snapshot.context.policy.escalation;
    const ds = deadlines(this.snapshot);
    const work: Array<Promise<unknown>> = [];
    const ended = resolutions(ds, this.snapshot.context.facts, this.open, now);
    if (ended.length > 0) {
      work.push(
        local.resolveEscalations({
          measureId: this.measureId,
          resolvedAt: new Date(now).toISOString(),
          ladders: ended.map((r) => ({ deadlineIds: r.deadlineIds, resolution: r.resolution })),
        }),
      );
      for (const r of ended) this.open.delete(r.ladderId);
    }
    const due = judgeLadders(ds, ladder, reachedLevels(this.raised), now, this.quietFrom()).due;
    for (const esc of due) {
      work.push(this.recordingRefusal(local.raiseEscalation(this.escalationOf(esc, now)), 'escalation'));
      this.raised.add(esc.key);
      if (esc.ladderId !== undefined) this.open.add(esc.ladderId);
    }
    if (due.length > 0 || this.state !== before || this.revision !== this.projectedRevision) {
      this.revision++;
      this.projectedRevision = this.revision;
      work.push(this.recordingRefusal(this.project(), 'projection'));
    }
    upsertChangedAttributes(this.snapshot, ds, this.levelOf(), now);
    this.inFlight.push(...work);
  }

  /** The escalation row of a step now due, as the activity stores it (no personal data). */
  private escalationOf(esc: DueEscalation, now: number): Parameters<MeasureActivities['raiseEscalation']>[0] {
    const g = this.snapshot.context.facts.grant;
    return {
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
    };
  }

  /** Every local activity the loop started has finished. */
  async settled(): Promise<void> {
    while (this.inFlight.length > 0) await Promise.all(this.inFlight.splice(0));
  }

  /** The next instant the loop must wake: a deadline or escalation step falls due, or the
   *  settling window ends while an escalation waits for it. */
  nextWakeup(now: number): number | undefined {
    const ds = deadlines(this.snapshot);
    const ladder = this.snapshot.context.policy.escalation;
    if (this.ladders) return judgeLadders(ds, ladder, reachedLevels(this.raised), now, this.quietFrom()).wake;
    return nextWakeup(ds, ladder, this.raised, now);
  }

  /** The instant the measure has been quiet for the settling window (none: at once). */
  private quietFrom(): number | undefined {
    return this.settle && this.lastEventAt !== undefined ? addToInstant(this.lastEventAt, this.settle) : undefined;
  }

  shouldContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested || this.updatesThisRun >= UPDATES_PER_RUN;
  }

  /** What continue-as-new carries; the policy goes once, as the next run's `policy` input. */
  carried(): Carried {
    const { policy: _policy, ...context } = this.snapshot.context;
    return {
      snapshot: { ...this.snapshot, context },
      seen: [...this.seen].slice(-SEEN_KEPT),
      raised: [...this.raised],
      revision: this.revision,
      audit: this.audit,
      lastEventAt: this.lastEventAt,
      open: [...this.open],
    };
  }

  private async project(): Promise<void> {
    const { state, context } = this.snapshot;
    const machine = { state, facts: context.facts, raised: [...this.raised] };
    await (this.oneTask ? local : acts).projectMeasure(this.view(), machine);
  }

  /** What an update is about to change, for projectApplied to undo. */
  private before(): { snapshot: MeasureSnapshot; lastEventAt?: number; projected: boolean; projectedRevision: number } {
    return {
      snapshot: this.snapshot,
      lastEventAt: this.lastEventAt,
      projected: this.projectedRevision === this.revision,
      projectedRevision: this.projectedRevision,
    };
  }

  /** The projection of events just applied. When the database will never hold the new state, the
   *  events are not applied (unless another update has built on them meanwhile) and the case
   *  system is told (422) instead of waiting forever on an activity retried without end. */
  private async projectApplied(before: ReturnType<MeasureHost['before']>, eventIds: string[]): Promise<void> {
    const after = this.snapshot;
    try {
      await this.project();
    } catch (err) {
      const why = refusedByDatabase(err);
      if (why === undefined || (!this.oneTask && !patched('projection-refusal-answered'))) throw err;
      this.recordRefusal('projection', why);
      if (this.snapshot === after) {
        this.snapshot = before.snapshot;
        this.lastEventAt = before.lastEventAt;
        for (const id of eventIds) this.seen.delete(id);
        // One-task runs marked the view projected before the write that failed.
        this.projectedRevision = before.projected ? this.revision : before.projectedRevision;
      }
      throw ApplicationFailure.create({
        type: 'projection-failed',
        message: `Hændelsen kunne ikke gemmes på foranstaltningen og er ikke anvendt (the measure could not be stored with this event; it was not applied): ${why}`,
        nonRetryable: true,
      });
    }
  }

  /** One-task runs start their local activities without awaiting them: a write the database
   *  refuses for good is recorded as raiseDue records it (these runs are new, so no patch), and
   *  anything else still fails the task when settled() awaits it. */
  private recordingRefusal(p: Promise<unknown>, what: 'projection' | 'escalation'): Promise<unknown> {
    return p.catch((err: unknown) => {
      const why = refusedByDatabase(err);
      if (why === undefined) throw err;
      this.recordRefusal(what, why);
    });
  }

  /** A projection the database refuses for good is recorded (log, metric, current details) and
   *  the measure carries on: its timers and escalations do not depend on it. */
  private async projectOrRecord(): Promise<void> {
    try {
      await this.project();
    } catch (err) {
      const why = refusedByDatabase(err);
      if (why === undefined || (!this.oneTask && !patched('projection-refusal-recorded'))) throw err;
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

  private judgeBatch(es: MeasureEvent[], now: number): BatchJudgement[] {
    const j = this.judgedBatch;
    if (j && j.events === es && j.from === this.snapshot && j.now === now) return j.judged;
    let s = this.snapshot;
    const taken = new Set<string>();
    const judged = es.map((e): BatchJudgement => {
      if (this.seen.has(e.eventId) || taken.has(e.eventId)) return { e, outcome: 'duplicate' };
      const decision = decide(s, e, now);
      if (!decision.accepted) return { e, outcome: 'refused', decision };
      s = decision.snapshot;
      taken.add(e.eventId);
      return { e, outcome: 'accepted', decision };
    });
    this.judgedBatch = { events: es, from: this.snapshot, now, judged };
    return judged;
  }

  private result(duplicate: boolean): EventResult {
    return { measureId: this.measureId, state: this.state, duplicate };
  }
}

export async function measureWorkflow(input: MeasureWorkflowInput): Promise<MeasureState> {
  const host = new MeasureHost(input.measureId, workflowInfo().workflowId, input);
  // Decided before any handler runs (an update-with-start's update runs in the first activation),
  // once per run: a run that started on older code keeps its way until it continues-as-new.
  host.oneTask = patched(ONE_TASK_PATCH);
  host.ladders ||= host.oneTask;

  setHandler(measureQuery, () => host.view());
  setHandler(snapshotQuery, () => host.machineState());
  setHandler(seenQuery, (eventId) => host.hasSeen(eventId));
  setHandler(policyUpdate, (c) => host.applyPolicy(c), { validator: (c) => host.validatePolicy(c) });
  setHandler(eventUpdate, (e) => host.applyEvent(e), { validator: (e) => host.validateEvent(e) });
  setHandler(eventsUpdate, (es) => host.applyEvents(es), { validator: (es) => host.validateEvents(es) });
  const alarm = new Alarm();

  for (;;) {
    const now = Date.now();
    host.ladders ||= patched(LADDERS_PATCH);
    if (host.oneTask) host.raiseDueInOneTask(now);
    else await host.raiseDue(now);

    if (host.state === 'closed') {
      await condition(allHandlersFinished);
      await host.settled();
      return host.state;
    }
    if (host.ladders && host.state === 'new') {
      // Never granted (the grant was refused): wait briefly for one, then end without a trace.
      const seenRevision = host.revision;
      if (!(await condition(() => host.revision !== seenRevision, UNGRANTED_WAIT_MS))) {
        await condition(allHandlersFinished);
        if (host.state === 'new') return host.state;
      }
      continue;
    }
    if (host.shouldContinueAsNew()) {
      await condition(allHandlersFinished);
      await host.settled();
      await continueAsNew<typeof measureWorkflow>({
        measureId: input.measureId,
        policy: host.snapshot.context.policy,
        carried: host.carried(),
        settle: input.settle,
      });
    }

    const wake = host.nextWakeup(now);
    const seenRevision = host.revision;
    if (host.oneTask) {
      alarm.set(wake, now);
      await condition(() => host.revision !== seenRevision || alarm.rang());
    } else if (wake === undefined) await condition(() => host.revision !== seenRevision);
    else await condition(() => host.revision !== seenRevision, Math.max(wake - now, 1));
  }
}

/** The reason, when `err` is an activity's non-retryable database refusal (activities/failures.ts).
 *  An activity's failure arrives wrapped in an ActivityFailure; a local activity's arrives as the
 *  ApplicationFailure itself, so that one is recognised by its type. */
const REFUSED_TYPES = new Set(['projection-refused', 'escalation-refused']);
function refusedByDatabase(err: unknown): string | undefined {
  if (err instanceof ActivityFailure)
    return err.cause instanceof ApplicationFailure && err.cause.nonRetryable ? err.cause.message : undefined;
  return err instanceof ApplicationFailure && err.nonRetryable && REFUSED_TYPES.has(err.type ?? '')
    ? err.message
    : undefined;
}

/** One timer for the next wake-up instant, kept while an event leaves that instant as it was:
 *  most events do not move the next deadline, and a timer cancelled and started again is two
 *  commands and two history events for nothing. */
class Alarm {
  private at?: number;
  private scope?: CancellationScope;
  private fired = false;

  set(at: number | undefined, now: number): void {
    if (at === this.at && !this.fired) return;
    this.scope?.cancel();
    this.scope = undefined;
    this.at = at;
    this.fired = false;
    if (at === undefined) return;
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() => sleep(Math.max(at - now, 1)))
      .then(
        () => {
          if (this.scope === scope) this.fired = true;
        },
        () => undefined, // cancelled: a new instant replaced it
      );
  }

  rang(): boolean {
    return this.fired;
  }
}

/** The English detail as the failure's message; the state, the stable code and the Danish words as
 *  details, for the API's 409. */
function invalidTransition(state: MeasureState, r: Refusal): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'invalid-transition',
    message: r.detail,
    details: [state, r.code, r.message],
    nonRetryable: true,
  });
}

const STATE_WORDS: Record<MeasureState, string> = {
  new: 'ny',
  ordered: 'bestilt (afventer opstartsmøde)',
  'awaiting-first-follow-up': 'afventer første opfølgning',
  'following-up': 'i opfølgning',
  'reassessment-due': 'skal revurderes',
  closed: 'afsluttet',
};

/** Search attributes for operators, upserted only when they change (each upsert is history). */
function upsertAttributes(
  snap: MeasureSnapshot,
  ds: Deadline[],
  levelOf: (d: Deadline) => number,
  now: number,
  last: string,
): string {
  const a = attributesOf(snap, ds, levelOf, now);
  const fingerprint = JSON.stringify(a.pairs.map((p) => [p.key.name, p.value]));
  if (fingerprint === last) return last;
  upsertSearchAttributes(a.pairs);
  setCurrentDetails(detailsOf(snap, a, levelOf, now));
  return fingerprint;
}

/** Upserts only the attributes whose value differs from what the workflow has (those set at
 *  start, carried by continue-as-new, or upserted before), and refreshes the current details with
 *  them. Nothing changed: no command, nothing in history. */
function upsertChangedAttributes(
  snap: MeasureSnapshot,
  ds: Deadline[],
  levelOf: (d: Deadline) => number,
  now: number,
): void {
  const a = attributesOf(snap, ds, levelOf, now);
  const have = workflowInfo().typedSearchAttributes;
  const changed = a.pairs.filter((p) => !sameValue(have.get(p.key as never), p.value));
  if (changed.length === 0) return;
  upsertSearchAttributes(changed);
  setCurrentDetails(detailsOf(snap, a, levelOf, now));
}

function sameValue(have: unknown, want: unknown): boolean {
  const norm = (v: unknown) => (v instanceof Date ? v.getTime() : Array.isArray(v) ? v[0] : (v ?? null));
  return norm(have) === norm(want);
}

interface Attributes {
  pairs: SearchAttributeUpdatePair[];
  pending: Deadline[];
  overdue: Deadline[];
  next?: Deadline;
  pkg?: string;
}

function attributesOf(
  snap: MeasureSnapshot,
  ds: Deadline[],
  levelOf: (d: Deadline) => number,
  now: number,
): Attributes {
  const { policy, facts } = snap.context;
  const pending = ds.filter((d) => d.status === 'pending').sort((a, b) => a.dueAt - b.dueAt);
  const overdue = pending.filter((d) => isOverdue(d, now));
  const next = pending[0];
  const level = overdue.reduce((m, d) => Math.max(m, levelOf(d)), 0);
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
  return { pairs, pending, overdue, next, pkg };
}

function detailsOf(
  snap: MeasureSnapshot,
  { pending, overdue, next, pkg }: Attributes,
  levelOf: (d: Deadline) => number,
  now: number,
): string {
  const { policy } = snap.context;
  // The UI's "current details": identifiers and dates only, never personal data.
  // In Danish, for the caseworkers and leaders who read them.
  const lines = [
    `**${policy.municipality} · ${policy.measureType.name}${pkg ? ` · ${policy.measureType.packages.find((p) => p.slug === pkg)?.name ?? pkg}` : ''}** — ${STATE_WORDS[snap.state]} (serviceniveau v${policy.version})`,
    ...pending
      .slice(0, 5)
      .map(
        (d) =>
          `- ${d.name ?? d.kind}: frist ${dkDate(d.dueOn)}${isOverdue(d, now) ? ` — OVERSKREDET, eskaleret til trin ${levelOf(d)}` : ''}`,
      ),
    overdue.length === 0 && next
      ? `Næste: ${next.name ?? next.kind} ${dkDate(next.dueOn)} (i dag ${dkDate(dateOf(now))})`
      : '',
  ];
  return lines.filter(Boolean).join('\n');
}
