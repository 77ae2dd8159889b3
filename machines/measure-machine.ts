// The lifecycle of one measure, parametrised by its policy:
//   new → ordered (awaiting the startup meeting) → awaiting-first-follow-up → following-up
//       → reassessment-due (forced at the duration limit) → a decision: package changed (new
//         period), extended, or closed.
// Pure XState v5: no I/O and no clock. Time arrives as `clock` events and event dates, and no
// `after` delays are used: deadlines are derived from dated facts (deadlines.ts), so the workflow
// owns the timers and a changed policy re-applies cleanly.
import { assign, setup } from 'xstate';
import { dateOf } from './dates';
import { deriveDeadlines } from './deadlines';
import { emptyFacts, withNow, type Facts } from './facts';
import type { MachineEvent, MeasureEvent } from './event-catalogue';
import { brokenRule } from './rules';
import type { MeasurePolicy } from '../policies/types';

/** Bump when a change alters the meaning of a persisted snapshot. */
export const MACHINE_VERSION = 1;

export interface MeasureContext {
  policy: MeasurePolicy;
  facts: Facts;
}

function record(f: Facts, e: MeasureEvent, policy: MeasurePolicy): Facts {
  const rec = { eventId: e.eventId, at: e.at };
  switch (e.type) {
    case 'measure.granted':
      return {
        ...f,
        grant: { ...e.data, ...rec },
        periods: [{ ...rec, package: e.data.package, startOn: e.data.startOn }],
      };
    case 'measure.treatment-plan-received':
      return { ...f, treatmentPlan: { ...rec, receivedOn: e.data.receivedOn } };
    case 'measure.startup-meeting-held':
      return { ...f, startupMeeting: { ...rec, heldOn: e.data.heldOn } };
    case 'measure.follow-up-held': {
      const v = policy.measureType.followUpValidity;
      const missing: string[] = [];
      if (v) {
        for (const p of v.requiredParticipants) if (!e.data.participants.includes(p)) missing.push(`participant ${p}`);
        if (v.requiresActionPlanDecision && !e.data.actionPlanDecision) missing.push('a decision on the action plan');
      }
      const fu = {
        ...rec,
        heldOn: e.data.heldOn,
        participants: e.data.participants,
        actionPlanDecision: e.data.actionPlanDecision,
        nextMeetingOn: e.data.nextMeetingOn,
        counts: missing.length === 0,
        missing,
      };
      return { ...f, followUps: [...f.followUps, fu] };
    }
    case 'measure.session-held':
      return { ...f, sessions: [...f.sessions, { ...rec, heldOn: e.data.heldOn }] };
    case 'measure.package-changed':
      // Decided on its own date (default: the day it was sent); the package starts on effectiveOn.
      return {
        ...f,
        periods: [
          ...f.periods,
          {
            ...rec,
            package: e.data.package,
            startOn: e.data.effectiveOn,
            reason: e.data.reason,
            decidedOn: e.data.decidedOn ?? dateOf(e.at),
          },
        ],
      };
    case 'measure.extended': {
      const x = e.data;
      return {
        ...f,
        extensions: [
          ...f.extensions,
          {
            ...rec,
            ...(x.until ? { until: x.until } : {}),
            ...(x.count !== undefined ? { count: x.count } : {}),
            approvedBy: x.approvedBy,
            decidedOn: x.decidedOn ?? dateOf(e.at),
          },
        ],
      };
    }
    case 'measure.closed':
      return { ...f, closed: { ...rec, closedOn: e.data.closedOn, reason: e.data.reason } };
    case 'measure.delivery-reported':
      return {
        ...f,
        deliveries: [
          ...(f.deliveries ?? []),
          {
            ...rec,
            deliveredOn: e.data.deliveredOn,
            ...(e.data.hours !== undefined ? { hours: e.data.hours } : {}),
            ...(e.data.appointments !== undefined ? { appointments: e.data.appointments } : {}),
          },
        ],
      };
    case 'measure.obligation-met':
      return {
        ...f,
        obligationsMet: [...(f.obligationsMet ?? []), { ...rec, kind: e.data.obligation, metOn: e.data.metOn }],
      };
    case 'case.milestone-reported':
      return {
        ...f,
        milestones: [...(f.milestones ?? []), { ...rec, milestone: e.data.milestone, on: e.data.occurredOn }],
      };
    case 'child.placed':
      return { ...f, caseEvents: [...(f.caseEvents ?? []), { ...rec, type: e.type, on: e.data.placedOn }] };
    case 'child.placement-ended':
      return { ...f, caseEvents: [...(f.caseEvents ?? []), { ...rec, type: e.type, on: e.data.endedOn }] };
    case 'family.moved-away':
      return { ...f, caseEvents: [...(f.caseEvents ?? []), { ...rec, type: e.type, on: e.data.movedOn }] };
  }
}

function reassessmentReached(ctx: MeasureContext): boolean {
  return deriveDeadlines(ctx.policy, ctx.facts).some(
    (d) => d.forcesDecision && d.status === 'pending' && ctx.facts.now >= d.dueAt,
  );
}

/** What every accepted contract event does: the policy's rules judge it, its fact is recorded, and
 *  the facts route the measure to its state. */
const accept = { guard: 'allowed', actions: 'record', target: 'route' } as const;
/** Time passes: the facts may now put the measure in another state (a limit reached). */
const tock = { actions: 'tick', target: 'route' } as const;

export const measureMachine = setup({
  types: {
    context: {} as MeasureContext,
    events: {} as MachineEvent,
    input: {} as { policy: MeasurePolicy },
  },
  guards: {
    allowed: ({ context, event }) =>
      event.type !== 'clock' && brokenRule(context.policy, context.facts, event) === null,
    isClosed: ({ context }) => context.facts.closed !== undefined,
    reassessmentReached: ({ context }) => reassessmentReached(context),
    // A follow-up held before the startup meeting was reported (accepted where the meeting's timer is
    // a municipal default) moves the measure on: the meeting's deadline stays open beside it.
    awaitingStartupMeeting: ({ context }) =>
      context.policy.measureType.startupMeeting !== null &&
      !context.facts.startupMeeting &&
      context.facts.followUps.length === 0,
    // A type without follow-ups (støtteperson, Indsatsteamet) goes straight on to following-up.
    awaitingFirstFollowUp: ({ context }) =>
      deriveDeadlines(context.policy, context.facts).some(
        (d) => d.kind === 'first-follow-up' && d.status === 'pending',
      ),
  },
  actions: {
    record: assign({
      facts: ({ context, event }) =>
        event.type === 'clock' ? context.facts : record(context.facts, event, context.policy),
    }),
    // A clock that has not moved on keeps the facts object, and one that has keeps the derivation
    // cached for its dated facts (facts.ts): a tick re-derives nothing.
    tick: assign({
      facts: ({ context, event }) =>
        event.type === 'clock' && event.now > context.facts.now ? withNow(context.facts, event.now) : context.facts,
    }),
  },
}).createMachine({
  id: 'measure',
  context: ({ input }) => ({ policy: input.policy, facts: emptyFacts() }),
  initial: 'new',
  states: {
    new: {
      on: {
        clock: { actions: 'tick' },
        'measure.granted': accept,
      },
    },
    // Every change lands here and is routed by the facts, so each state is reachable from any
    // order of (back-dated) events and the state always agrees with the deadlines.
    route: {
      always: [
        { guard: 'isClosed', target: 'closed' },
        { guard: 'reassessmentReached', target: 'reassessment-due' },
        { guard: 'awaitingStartupMeeting', target: 'ordered' },
        { guard: 'awaitingFirstFollowUp', target: 'awaiting-first-follow-up' },
        { target: 'following-up' },
      ],
    },
    // Awaiting the startup meeting. A follow-up before it is refused where the seed sets the
    // meeting, accepted with a warning where its timer is a municipal default (rules.ts).
    ordered: {
      on: {
        clock: tock,
        'measure.treatment-plan-received': accept,
        'measure.startup-meeting-held': accept,
        'measure.follow-up-held': accept,
        'measure.session-held': accept,
        'measure.package-changed': accept,
        'measure.extended': accept,
        'measure.closed': accept,
        'measure.obligation-met': accept,
        'measure.delivery-reported': accept,
        'case.milestone-reported': accept,
        'child.placed': accept,
        'child.placement-ended': accept,
        'family.moved-away': accept,
      },
    },
    // A startup meeting not yet held may still be reported after a follow-up (a municipal default).
    'awaiting-first-follow-up': {
      on: {
        clock: tock,
        'measure.treatment-plan-received': accept,
        'measure.startup-meeting-held': accept,
        'measure.follow-up-held': accept,
        'measure.session-held': accept,
        'measure.package-changed': accept,
        'measure.extended': accept,
        'measure.closed': accept,
        'measure.obligation-met': accept,
        'measure.delivery-reported': accept,
        'case.milestone-reported': accept,
        'child.placed': accept,
        'child.placement-ended': accept,
        'family.moved-away': accept,
      },
    },
    'following-up': {
      on: {
        clock: tock,
        'measure.treatment-plan-received': accept,
        'measure.startup-meeting-held': accept,
        'measure.follow-up-held': accept,
        'measure.session-held': accept,
        'measure.package-changed': accept,
        'measure.extended': accept,
        'measure.closed': accept,
        'measure.obligation-met': accept,
        'measure.delivery-reported': accept,
        'case.milestone-reported': accept,
        'child.placed': accept,
        'child.placement-ended': accept,
        'family.moved-away': accept,
      },
    },
    // A decision is due; a startup meeting not yet held may still be reported.
    'reassessment-due': {
      on: {
        clock: tock,
        'measure.treatment-plan-received': accept,
        'measure.startup-meeting-held': accept,
        'measure.follow-up-held': accept,
        'measure.session-held': accept,
        'measure.package-changed': accept,
        'measure.extended': accept,
        'measure.closed': accept,
        'measure.obligation-met': accept,
        'measure.delivery-reported': accept,
        'case.milestone-reported': accept,
        'child.placed': accept,
        'child.placement-ended': accept,
        'family.moved-away': accept,
      },
    },
    closed: { type: 'final' },
  },
});

/** The states a measure rests in (`route` is passed through, never rested in). */
export type MeasureState =
  'new' | 'ordered' | 'awaiting-first-follow-up' | 'following-up' | 'reassessment-due' | 'closed';

const listened = new Map<MeasureState, ReadonlySet<string>>();

/** Whether the state listens to the event type at all, read from the machine's own table. */
export function listensTo(state: MeasureState, type: MachineEvent['type']): boolean {
  let events = listened.get(state);
  if (!events) listened.set(state, (events = new Set(measureMachine.states[state].ownEvents)));
  return events.has(type);
}
