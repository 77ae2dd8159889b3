// A measure's history as people read it: one entry per event applied (built from the facts the
// machine recorded) and one per policy change, in one order.
import { dateOf } from './dates';
import type { ContractEventType } from './event-catalogue';
import type { Facts } from './facts';
import type { MovedDeadline, PolicyAudit } from './policy-change';

export interface HistoryEntry {
  eventId: string;
  type: string;
  /** The date the event is about (held, received, effective, closed...). */
  on: string;
  at: string;
  detail?: Record<string, unknown>;
}

const iso = (at: number) => new Date(at).toISOString();

/** The entries each contract event type leaves in the history, from the facts it recorded. */
const ENTRIES: { [K in ContractEventType]: (f: Facts) => HistoryEntry[] } = {
  'measure.granted': (f) => {
    if (!f.grant) return [];
    const { eventId, at, grantedOn, startOn, package: pkg, prerequisites } = f.grant;
    // Never the child's birth date: the history is projected to PostgreSQL and shown in lists.
    return [
      {
        eventId,
        type: 'measure.granted',
        on: grantedOn,
        at: iso(at),
        detail: { startOn, package: pkg, prerequisites },
      },
    ];
  },
  'measure.treatment-plan-received': (f) =>
    f.treatmentPlan
      ? [
          {
            eventId: f.treatmentPlan.eventId,
            type: 'measure.treatment-plan-received',
            on: f.treatmentPlan.receivedOn,
            at: iso(f.treatmentPlan.at),
          },
        ]
      : [],
  'measure.startup-meeting-held': (f) =>
    f.startupMeeting
      ? [
          {
            eventId: f.startupMeeting.eventId,
            type: 'measure.startup-meeting-held',
            on: f.startupMeeting.heldOn,
            at: iso(f.startupMeeting.at),
          },
        ]
      : [],
  'measure.follow-up-held': (f) =>
    f.followUps.map((u) => ({
      eventId: u.eventId,
      type: 'measure.follow-up-held',
      on: u.heldOn,
      at: iso(u.at),
      detail: {
        participants: u.participants,
        actionPlanDecision: u.actionPlanDecision,
        nextMeetingOn: u.nextMeetingOn,
        counts: u.counts,
        missing: u.missing,
      },
    })),
  'measure.session-held': (f) =>
    f.sessions.map((x) => ({ eventId: x.eventId, type: 'measure.session-held', on: x.heldOn, at: iso(x.at) })),
  // The first period is the grant's.
  'measure.package-changed': (f) =>
    f.periods.slice(1).map((p) => ({
      eventId: p.eventId,
      type: 'measure.package-changed',
      on: p.startOn,
      at: iso(p.at),
      detail: { package: p.package, reason: p.reason, decidedOn: p.decidedOn },
    })),
  'measure.extended': (f) =>
    f.extensions.map((e) => ({
      eventId: e.eventId,
      type: 'measure.extended',
      on: e.decidedOn,
      at: iso(e.at),
      detail: { until: e.until, count: e.count, approvedBy: e.approvedBy },
    })),
  'measure.obligation-met': (f) =>
    (f.obligationsMet ?? []).map((m) => ({
      eventId: m.eventId,
      type: 'measure.obligation-met',
      on: m.metOn,
      at: iso(m.at),
      detail: { obligation: m.kind },
    })),
  'measure.delivery-reported': (f) =>
    (f.deliveries ?? []).map((d) => ({
      eventId: d.eventId,
      type: 'measure.delivery-reported',
      on: d.deliveredOn,
      at: iso(d.at),
      detail: { hours: d.hours, appointments: d.appointments },
    })),
  'case.milestone-reported': (f) =>
    (f.milestones ?? []).map((m) => ({
      eventId: m.eventId,
      type: 'case.milestone-reported',
      on: m.on,
      at: iso(m.at),
      detail: { milestone: m.milestone },
    })),
  'child.placed': (f) => caseEntries(f, 'child.placed'),
  'child.placement-ended': (f) => caseEntries(f, 'child.placement-ended'),
  'family.moved-away': (f) => caseEntries(f, 'family.moved-away'),
  'measure.closed': (f) =>
    f.closed
      ? [
          {
            eventId: f.closed.eventId,
            type: 'measure.closed',
            on: f.closed.closedOn,
            at: iso(f.closed.at),
            detail: { reason: f.closed.reason },
          },
        ]
      : [],
};

function caseEntries(f: Facts, type: ContractEventType): HistoryEntry[] {
  return (f.caseEvents ?? [])
    .filter((c) => c.type === type)
    .map((c) => ({ eventId: c.eventId, type: c.type, on: c.on, at: iso(c.at) }));
}

/** The one order of a history: by the date an entry is about, then by when it was stamped. */
export function compareHistoryEntries(a: HistoryEntry, b: HistoryEntry): number {
  return a.on < b.on ? -1 : a.on > b.on ? 1 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
}

/** The measure's history: its events and its policy changes, in order. */
export function historyOf(f: Facts, audit: readonly PolicyAudit[] = [], municipality = ''): HistoryEntry[] {
  const events = Object.values(ENTRIES).flatMap((entries) => entries(f));
  return [...events, ...audit.map((a) => policyEntry(a, municipality))].sort(compareHistoryEntries);
}

const words = (kind: string) => kind.replace(/-/g, ' ').replace(/follow up/g, 'follow-up');

/** "first follow-up moved from 2027-01-29 to 2027-02-12 by policy version 3: reason" */
export function moveInWords(m: MovedDeadline, version: number, reason: string): string {
  const same = m.from === m.to;
  return `${words(m.kind)} moved from ${same ? iso(m.fromAt) : m.from} to ${same ? iso(m.toAt) : m.to} by policy version ${version}: ${reason}`;
}

function policyEntry(a: PolicyAudit, municipality: string): HistoryEntry {
  return {
    eventId: `policy/${municipality}/v${a.version}`,
    type: 'policy.changed',
    on: dateOf(a.at),
    at: iso(a.at),
    detail: {
      fromVersion: a.fromVersion,
      version: a.version,
      reason: a.reason,
      author: a.author,
      rolloutId: a.rolloutId,
      moved: a.moved,
      added: a.added,
      removed: a.removed,
      text: a.moved.length
        ? a.moved.map((m) => moveInWords(m, a.version, a.reason))
        : [`policy version ${a.version} (from ${a.fromVersion}) moved no deadline: ${a.reason}`],
    },
  };
}
