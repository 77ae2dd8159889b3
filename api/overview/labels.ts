// What people read on the overview, in Danish: deadline kinds, measure types, escalation roles.
// A rule's own Danish `name` in the policy wins (obligations have one; when the timer rules get
// one too it is read the same way); the table covers the machine's built-in kinds until then.
import type { MeasureTypePolicy, MunicipalityPolicy } from '../../policies/types';

const BUILT_IN: Record<string, string> = {
  'startup-meeting': 'Opstartsmøde',
  'treatment-plan': 'Behandlingsplan',
  'first-follow-up': 'Første opfølgning',
  'follow-up': 'Opfølgning',
  reassessment: 'Revurdering',
  'course-end': 'Forløbets afslutning',
};

/** The policy field that holds the rule of each built-in deadline kind. */
const RULE_OF: Record<string, keyof MeasureTypePolicy> = {
  'startup-meeting': 'startupMeeting',
  'treatment-plan': 'treatmentPlan',
  'first-follow-up': 'firstFollowUp',
  'follow-up': 'followUp',
  reassessment: 'reassessment',
  'course-end': 'countLimit',
};

const ROLES: Record<string, string> = {
  sagsbehandler: 'sagsbehandler',
  teamleder: 'teamleder',
  afdelingsleder: 'afdelingsleder',
};

function nameOn(rule: unknown): string | undefined {
  const name = (rule as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name.trim() ? name : undefined;
}

export function deadlineName(kind: string, type?: MeasureTypePolicy): string {
  const obligation = type?.obligations?.find((o) => o.kind === kind);
  const field = RULE_OF[kind];
  return nameOn(obligation) ?? (type && field ? nameOn(type[field]) : undefined) ?? BUILT_IN[kind] ?? kind;
}

/** Labels for one municipality's measures, looked up by measure type and deadline kind. */
export class Labels {
  private readonly types: Map<string, MeasureTypePolicy>;
  constructor(private readonly policy: MunicipalityPolicy) {
    this.types = new Map(policy.measureTypes.map((t) => [t.slug, t]));
  }

  measureType(slug: string): string {
    return this.types.get(slug)?.name ?? slug;
  }

  deadline(measureType: string, kind: string): string {
    return deadlineName(kind, this.types.get(measureType));
  }

  /** "2 · teamleder": the level and who has been told. */
  escalation(level: number): string {
    if (level === 0) return 'ikke eskaleret';
    const role = this.policy.escalation.find((s) => s.level === level)?.role;
    return role ? `${level} · ${ROLES[role] ?? role}` : String(level);
  }
}
