// What the overview shows for a municipality (and optionally a team), gathered from the
// compliance repository: the figures of this quarter and the last, the statutory rate over twelve
// months, open escalations, the monthly rates, the overdue list and the next 14 days.
import { dateOf, daysBetween } from '../../machines/dates';
import type { MunicipalityPolicy } from '../../policies/types';
import type {
  ComplianceRepository,
  ComplianceScope,
  DeadlineCounts,
  OpenDeadline,
  StatutoryCounts,
} from '../../db/repositories/compliance';
import { Labels } from './labels';
import { addDays, lastTwelveMonths, monthsEndingWith, previousQuarter, quarterOf, type Period } from './periods';

export const UPCOMING_DAYS = 14;
/** The page lists this many overdue deadlines, the oldest; the CSV has them all. */
export const PAGE_LIMIT = 1000;

export interface TemporalUi {
  url: string;
  namespace: string;
}

export interface ListRow {
  measureId: string;
  measureType: string;
  deadline: string;
  dueOn: string;
  escalation: string;
  escalationLevel: number;
  caseworkerId: string;
  teamId: string;
  workflowUrl: string;
}

export interface OverdueRow extends ListRow {
  daysOverdue: number;
}

export interface UpcomingRow extends ListRow {
  daysLeft: number;
}

export interface Overview {
  municipality: MunicipalityPolicy;
  teamId?: string;
  teams: string[];
  today: string;
  thisQuarter: { period: Period; counts: DeadlineCounts };
  lastQuarter: { period: Period; counts: DeadlineCounts };
  statutory: { from: string; to: string; counts: StatutoryCounts };
  escalations: { total: number; byLevel: Record<number, number> };
  months: Array<{ period: Period; counts: DeadlineCounts }>;
  overdue: OverdueRow[];
  upcoming: UpcomingRow[];
  upcomingTo: string;
}

const NO_DEADLINES: DeadlineCounts = { due: 0, metOnTime: 0, metLate: 0, overdue: 0, cancelled: 0, onTimeRate: null };
const NO_STATUTORY: StatutoryCounts = { due: 0, metOnTime: 0, metLate: 0, overdue: 0, onTimeRate: null };

/** The measure's workflow in the Temporal UI; the UI opens its latest run. */
export function workflowUrl(ui: TemporalUi, workflowId: string): string {
  return `${ui.url.replace(/\/$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export class OverviewModel {
  constructor(
    private readonly repo: ComplianceRepository,
    private readonly ui: TemporalUi,
  ) {}

  async build(policy: MunicipalityPolicy, teamId: string | undefined, now: Date): Promise<Overview> {
    const scope: ComplianceScope = { municipality: policy.municipality, teamId };
    const today = dateOf(now.getTime());
    const thisQ = quarterOf(today);
    const lastQ = previousQuarter(thisQ);
    const months = monthsEndingWith(today, 12);
    const year = lastTwelveMonths(today);
    const upcomingTo = addDays(today, UPCOMING_DAYS);
    const [cur, prev, stat, byMonth, escalations, overdue, upcoming, teams] = await Promise.all([
      this.repo.figures({ ...scope, from: thisQ.from, to: thisQ.to }, now),
      this.repo.figures({ ...scope, from: lastQ.from, to: lastQ.to }, now),
      this.repo.figures({ ...scope, ...year }, now),
      this.repo.figures({ ...scope, from: months[0].from, to: months[months.length - 1].to, groupBy: 'month' }, now),
      this.repo.openEscalations(scope),
      this.overdue(policy, scope, now, PAGE_LIMIT),
      this.upcoming(policy, scope, today, upcomingTo, now, PAGE_LIMIT),
      this.repo.teams(policy.municipality),
    ]);
    const perMonth = new Map(byMonth.map((r) => [r.key, r.deadlines]));
    return {
      municipality: policy,
      teamId,
      teams,
      today,
      thisQuarter: { period: thisQ, counts: cur[0]?.deadlines ?? NO_DEADLINES },
      lastQuarter: { period: lastQ, counts: prev[0]?.deadlines ?? NO_DEADLINES },
      statutory: { ...year, counts: stat[0]?.statutoryFirstFollowUp ?? NO_STATUTORY },
      escalations,
      months: months.map((period) => ({ period, counts: perMonth.get(period.key) ?? NO_DEADLINES })),
      overdue,
      upcoming,
      upcomingTo,
    };
  }

  async overdue(policy: MunicipalityPolicy, scope: ComplianceScope, now: Date, limit?: number): Promise<OverdueRow[]> {
    const labels = new Labels(policy);
    return (await this.repo.overdue(scope, now, limit)).map((d) => ({
      ...this.row(labels, d),
      daysOverdue: d.daysOverdue,
    }));
  }

  async upcoming(
    policy: MunicipalityPolicy,
    scope: ComplianceScope,
    from: string,
    to: string,
    now: Date,
    limit?: number,
  ): Promise<UpcomingRow[]> {
    const labels = new Labels(policy);
    const today = dateOf(now.getTime());
    return (await this.repo.upcoming(scope, from, to, now, limit)).map((d) => ({
      ...this.row(labels, d),
      daysLeft: daysBetween(today, d.dueOn),
    }));
  }

  private row(labels: Labels, d: OpenDeadline): ListRow {
    return {
      measureId: d.measureId,
      measureType: labels.measureType(d.measureType),
      deadline: labels.deadline(d.measureType, d.kind),
      dueOn: d.dueOn,
      escalation: labels.escalation(d.escalationLevel),
      escalationLevel: d.escalationLevel,
      caseworkerId: d.caseworkerId ?? '',
      teamId: d.teamId ?? '',
      workflowUrl: workflowUrl(this.ui, d.workflowId),
    };
  }
}
