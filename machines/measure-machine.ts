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
import { emptyFacts, type Facts } from './facts';
import type { MachineEvent, MeasureEvent } from './events';
import { refusal, type MeasureState } from './refusals';
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
      return { ...f, grant: { ...e.data, ...rec }, periods: [{ ...rec, package: e.data.package, startOn: e.data.startOn }] };
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
      const fu = { ...rec, heldOn: e.data.heldOn, participants: e.data.participants, actionPlanDecision: e.data.actionPlanDecision, nextMeetingOn: e.data.nextMeetingOn, counts: missing.length === 0, missing };
      return { ...f, followUps: [...f.followUps, fu] };
    }
    case 'measure.session-held':
      return { ...f, sessions: [...f.sessions, { ...rec, heldOn: e.data.heldOn }] };
    case 'measure.package-changed':
      // Decided on its own date (default: the day it was sent); the package starts on effectiveOn.
      return { ...f, periods: [...f.periods, { ...rec, package: e.data.package, startOn: e.data.effectiveOn, reason: e.data.reason, decidedOn: e.data.decidedOn ?? dateOf(e.at) }] };
    case 'measure.extended': {
      const x = e.data;
      return { ...f, extensions: [...f.extensions, { ...rec, ...(x.until ? { until: x.until } : {}), ...(x.count !== undefined ? { count: x.count } : {}), approvedBy: x.approvedBy, decidedOn: x.decidedOn ?? dateOf(e.at) }] };
    }
    case 'measure.closed':
      return { ...f, closed: { ...rec, closedOn: e.data.closedOn, reason: e.data.reason } };
    case 'measure.obligation-met':
      return { ...f, obligationsMet: [...(f.obligationsMet ?? []), { ...rec, kind: e.data.obligation, metOn: e.data.metOn }] };
    case 'child.placed':
      return { ...f, caseEvents: [...(f.caseEvents ?? []), { ...rec, type: e.type, on: e.data.placedOn }] };
    case 'child.placement-ended':
      return { ...f, caseEvents: [...(f.caseEvents ?? []), { ...rec, type: e.type, on: e.data.endedOn }] };
    case 'family.moved-away':
      return { ...f, caseEvents: [...(f.caseEvents ?? []), { ...rec, type: e.type, on: e.data.movedOn }] };
  }
}


function reassessmentReached(ctx: MeasureContext): boolean {
  return deriveDeadlines(ctx.policy, ctx.facts).some((d) => d.forcesDecision && d.status === 'pending' && ctx.facts.now >= d.dueAt);
}

const contractEvents = [
  'measure.granted',
  'measure.treatment-plan-received',
  'measure.startup-meeting-held',
  'measure.follow-up-held',
  'measure.session-held',
  'measure.package-changed',
  'measure.extended',
  'measure.closed',
  'measure.obligation-met',
  'child.placed',
  'child.placement-ended',
  'family.moved-away',
] as const;

export const measureMachine = setup({
  types: {
    context: {} as MeasureContext,
    events: {} as MachineEvent,
    input: {} as { policy: MeasurePolicy },
  },
  guards: {
    allowed: ({ context, event }, params: { state: MeasureState }) =>
      event.type !== 'clock' && refusal(params.state, context.policy, context.facts, event) === null,
    isClosed: ({ context }) => context.facts.closed !== undefined,
    reassessmentReached: ({ context }) => reassessmentReached(context),
    // A follow-up held before the startup meeting was reported (accepted where the meeting's timer is
    // a municipal default) moves the measure on: the meeting's deadline stays open beside it.
    awaitingStartupMeeting: ({ context }) =>
      context.policy.measureType.startupMeeting !== null && !context.facts.startupMeeting && context.facts.followUps.length === 0,
    // A type without follow-ups (støtteperson, Indsatsteamet) goes straight on to following-up.
    awaitingFirstFollowUp: ({ context }) =>
      deriveDeadlines(context.policy, context.facts).some((d) => d.kind === 'first-follow-up' && d.status === 'pending'),
  },
  actions: {
    record: assign({
      facts: ({ context, event }) => (event.type === 'clock' ? context.facts : record(context.facts, event, context.policy)),
    }),
    tick: assign({
      facts: ({ context, event }) => (event.type === 'clock' ? { ...context.facts, now: Math.max(context.facts.now, event.now) } : context.facts),
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
        'measure.granted': { guard: { type: 'allowed', params: { state: 'new' } }, actions: 'record', target: 'route' },
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
    ordered: { on: handlers('ordered') },
    'awaiting-first-follow-up': { on: handlers('awaiting-first-follow-up') },
    'following-up': { on: handlers('following-up') },
    'reassessment-due': { on: handlers('reassessment-due') },
    closed: { type: 'final' },
  },
});

function handlers(state: MeasureState) {
  const on: Record<string, unknown> = { clock: { actions: 'tick', target: 'route' } };
  for (const type of contractEvents) on[type] = { guard: { type: 'allowed', params: { state } }, actions: 'record', target: 'route' };
  return on as { clock: { actions: 'tick'; target: 'route' } };
}
