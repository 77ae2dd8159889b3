// One workflow per measure: a thin, durable host for the measure machine. It feeds events and the
// clock into the machine, sleeps until the machine's next deadline, raises each escalation level
// once, keeps the projection and search attributes current, and continues-as-new before its
// history grows large. All rules live in machines/ and policies/.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
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
import type { MeasureEvent } from '../machines/events';
import { apply, deadlines, newMeasure, RefusedEvent, refusalOf, tick, type MeasureSnapshot } from '../machines/measure';
import { dkDate, warnings, type MeasureState, type Refusal } from '../machines/refusals';
import type { MeasurePolicy } from '../policies/types';
import { SA } from '../stack/search-attributes';
import { dueEscalations, escalationLevel, nextWakeup } from './schedule';
import { viewOf, type MeasureView } from './view';

import { eventUpdate, measureQuery, policyUpdate, snapshotQuery, type Carried, type EventResult, type MeasureWorkflowInput } from './definitions';
import { changePolicy, policyRefusal } from './policy-change';

const SEEN_KEPT = 2_000;
const AUDIT_KEPT = 200;
/** Well under Temporal's 2,000 updates per run. */
const UPDATES_PER_RUN = 1_000;

const acts = proxyActivities<MeasureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function measureWorkflow(input: MeasureWorkflowInput): Promise<MeasureState> {
  const { measureId } = input;
  const workflowId = workflowInfo().workflowId;
  let snap = input.carried?.snapshot ?? newMeasure(input.policy);
  const seen = new Set(input.carried?.seen ?? []);
  const raised = new Set(input.carried?.raised ?? []);
  let revision = input.carried?.revision ?? 0;
  let changes = 0;
  /** The `changes` the projection already shows: the loop projects only what is newer. */
  let handled = 0;
  let updatesThisRun = 0;
  let lastAttributes = '';
  const audit = [...(input.carried?.audit ?? [])];

  const ladder = () => snap.context.policy.escalation;
  const view = (ds: Deadline[]) => viewOf(measureId, workflowId, ++revision, snap, ds, raised, ladder(), audit);
  const project = async () => acts.projectMeasure(view(deadlines(snap)), { state: snap.state, facts: snap.context.facts, raised: [...raised] });
  const result = (duplicate: boolean): EventResult => ({ measureId, state: snap.state, duplicate });

  setHandler(measureQuery, () => viewOf(measureId, workflowId, revision, snap, deadlines(snap), raised, ladder(), audit));
  setHandler(snapshotQuery, () => ({ snapshot: snap, raised: [...raised], revision }));

  // A policy rollout: swap the rules, re-derive, record what moved, wake the loop so timers follow.
  setHandler(
    policyUpdate,
    async (c) => {
      const fromVersion = snap.context.policy.version;
      const r = changePolicy(snap, c, raised, Date.now());
      if (!r) {
        // Already at this version: say which rollout applied it, so a retried batch counts it right.
        const prior = audit.find((a) => a.version === c.version);
        return { measureId, state: snap.state, fromVersion, version: c.version, changed: false, moved: prior?.moved ?? [], appliedBy: prior?.rolloutId };
      }
      snap = r.snapshot;
      for (const k of r.carriedKeys) raised.add(k);
      audit.push(r.audit);
      if (audit.length > AUDIT_KEPT) audit.splice(0, audit.length - AUDIT_KEPT);
      updatesThisRun++;
      changes++;
      await project();
      // Projected here, before the answer: the loop need not project the same view again.
      if (handled === changes - 1) handled = changes;
      return { measureId, state: snap.state, fromVersion, version: c.version, changed: true, moved: r.audit.moved };
    },
    {
      validator: (c) => {
        const why = policyRefusal(snap, c);
        if (why !== null) throw ApplicationFailure.create({ type: 'policy-refused', message: why, nonRetryable: true });
      },
    },
  );

  setHandler(
    eventUpdate,
    async (e) => {
      if (seen.has(e.eventId)) return result(true);
      try {
        snap = apply(snap, e, Date.now());
      } catch (err) {
        if (err instanceof RefusedEvent) throw invalidTransition(err.state, err.refusal);
        throw err;
      }
      seen.add(e.eventId);
      updatesThisRun++;
      changes++;
      await project();
      // Projected before the answer, so the loop need not project the same view again. Histories
      // recorded before this change projected twice: patched() keeps them replaying.
      if (patched('event-projected-once') && handled === changes - 1) handled = changes;
      const w = warnings(snap.context.policy, e, snap.context.facts);
      return w.length ? { ...result(false), warnings: w } : result(false);
    },
    {
      // Synchronous and read-only: a refused event writes nothing to history.
      validator: (e) => {
        if (seen.has(e.eventId)) return;
        const why = refusalOf(snap, e, Date.now());
        if (why !== null) throw invalidTransition(tick(snap, Date.now()).state, why);
      },
    },
  );

  for (;;) {
    const now = Date.now();
    const before = snap.state;
    snap = tick(snap, now);
    const ds = deadlines(snap);

    const due = dueEscalations(ds, ladder(), raised, now);
    for (const esc of due) {
      const g = snap.context.facts.grant;
      await acts.raiseEscalation({
        measureId,
        workflowId,
        municipality: snap.context.policy.municipality,
        deadlineId: esc.deadline.id,
        deadlineKind: esc.deadline.kind,
        dueOn: esc.deadline.dueOn,
        level: esc.step.level,
        role: esc.step.role,
        raisedAt: new Date(now).toISOString(),
        caseworkerId: g?.caseworkerId ?? null,
        teamId: g?.teamId ?? null,
      });
      raised.add(esc.key);
    }
    if (due.length > 0 || snap.state !== before || changes !== handled) {
      handled = changes;
      await project();
    }
    lastAttributes = upsertAttributes(snap, deadlines(snap), raised, now, lastAttributes);

    if (snap.state === 'closed') {
      await condition(allHandlersFinished);
      return snap.state;
    }
    if (workflowInfo().continueAsNewSuggested || updatesThisRun >= UPDATES_PER_RUN) {
      await condition(allHandlersFinished);
      const keep = [...seen].slice(-SEEN_KEPT);
      await continueAsNew<typeof measureWorkflow>({ measureId, policy: snap.context.policy, carried: { snapshot: snap, seen: keep, raised: [...raised], revision, audit } });
    }

    const wake = nextWakeup(deadlines(snap), ladder(), raised, now);
    const seenChanges = changes;
    if (wake === undefined) await condition(() => changes !== seenChanges);
    else await condition(() => changes !== seenChanges, Math.max(wake - now, 1));
  }
}

/** The English detail as the failure's message; the state, the stable code and the Danish words as
 *  details, for the API's 409. */
const STATE_WORDS: Record<MeasureState, string> = {
  new: 'ny',
  ordered: 'bestilt (afventer opstartsmøde)',
  'awaiting-first-follow-up': 'afventer første opfølgning',
  'following-up': 'i opfølgning',
  'reassessment-due': 'skal revurderes',
  closed: 'afsluttet',
};

function invalidTransition(state: MeasureState, r: Refusal): ApplicationFailure {
  return ApplicationFailure.create({ type: 'invalid-transition', message: r.detail, details: [state, r.code, r.message], nonRetryable: true });
}

/** Search attributes for operators, upserted only when they change (each upsert is history). */
function upsertAttributes(snap: MeasureSnapshot, ds: Deadline[], raised: ReadonlySet<string>, now: number, last: string): string {
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
    overdueSince !== undefined ? { key: SA.OverdueSince, value: new Date(overdueSince) } : { key: SA.OverdueSince, value: null },
    facts.grant ? { key: SA.CaseworkerId, value: facts.grant.caseworkerId } : { key: SA.CaseworkerId, value: null },
    facts.grant?.teamId ? { key: SA.TeamId, value: facts.grant.teamId } : { key: SA.TeamId, value: null },
  ];
  const fingerprint = JSON.stringify(pairs.map((p) => [p.key.name, p.value]));
  if (fingerprint === last) return last;
  upsertSearchAttributes(pairs);
  // The UI's "current details", in Danish for the caseworkers and leaders who read them:
  // identifiers, names and dates only, never personal data.
  const lines = [
    `**${policy.municipality} · ${policy.measureType.name}${pkg ? ` · ${policy.measureType.packages.find((p) => p.slug === pkg)?.name ?? pkg}` : ''}** — ${STATE_WORDS[snap.state]} (serviceniveau v${policy.version})`,
    ...pending.slice(0, 5).map((d) => `- ${d.name ?? d.kind}: frist ${dkDate(d.dueOn)}${isOverdue(d, now) ? ` — OVERSKREDET, eskaleret til trin ${escalationLevel(d, raised, policy.escalation)}` : ''}`),
    overdue.length === 0 && next ? `Næste: ${next.name ?? next.kind} ${dkDate(next.dueOn)} (i dag ${dkDate(dateOf(now))})` : '',
  ];
  setCurrentDetails(lines.filter(Boolean).join('\n'));
  return fingerprint;
}
