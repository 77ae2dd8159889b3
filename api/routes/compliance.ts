// GET /v1/compliance: the on-time figures that audits ask for, per team, caseworker, measure
// type or month, counted in SQL from the projection (db/repositories/compliance.ts says how).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { dateOf, isIsoDate } from '../../machines/dates';
import { ComplianceRepository, type ComplianceRow } from '../../db/repositories/compliance';
import { monthsBetween, monthsEndingWith } from '../overview/periods';
import { visible } from '../../access/roles';
import { callerOfRequest, needs } from '../access/guard';

export interface ComplianceRoutesOptions {
  pool: Pool;
}

const isoDate = z.string().refine(isIsoDate, 'a calendar date, YYYY-MM-DD');
const rate = z.number().min(0).max(1).nullable().describe('metOnTime / (due - cancelled); null when nothing counts');

const querystring = z
  .object({
    municipality: z.string().min(1).optional(),
    teamId: z.string().min(1).optional(),
    caseworkerId: z.string().min(1).optional(),
    measureType: z.string().min(1).optional(),
    from: isoDate.optional().describe('first due date counted; default: the first day of the month 11 months ago'),
    to: isoDate.optional().describe('last due date counted; default: today (Danish date)'),
    groupBy: z.enum(['team', 'caseworker', 'measureType', 'month']).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

const group = z.object({
  key: z
    .string()
    .nullable()
    .describe('the team, caseworker, measure type or month (YYYY-MM); "all" without groupBy; null when not set'),
  deadlines: z.object({
    due: z.number().int(),
    metOnTime: z.number().int(),
    metLate: z.number().int(),
    overdue: z.number().int(),
    cancelled: z.number().int(),
    onTimeRate: rate,
  }),
  statutoryFirstFollowUp: z.object({
    due: z.number().int(),
    metOnTime: z.number().int(),
    metLate: z.number().int(),
    overdue: z.number().int(),
    onTimeRate: rate.describe('metOnTime / due'),
  }),
  medianDaysLate: z.number().nullable().describe('over the deadlines met late'),
});

const response = z.object({ from: z.string(), to: z.string(), groups: z.array(group) });

const empty = (key: string | null): ComplianceRow => ({
  key,
  deadlines: { due: 0, metOnTime: 0, metLate: 0, overdue: 0, cancelled: 0, onTimeRate: null },
  statutoryFirstFollowUp: { due: 0, metOnTime: 0, metLate: 0, overdue: 0, onTimeRate: null },
  medianDaysLate: null,
});

/** Groups in key order (unset last); every month of the window when grouped by month, and the
 *  one group `all` without groupBy, so that a window with nothing due still answers with zeros. */
export function arrange(rows: ComplianceRow[], from: string, to: string, groupBy?: string): ComplianceRow[] {
  if (!groupBy) return [rows[0] ?? empty('all')];
  if (groupBy === 'month') {
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return monthsBetween(from, to).map((m) => byKey.get(m.key) ?? empty(m.key));
  }
  return [...rows].sort((a, b) =>
    a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1,
  );
}

export const complianceRoutes: FastifyPluginAsyncZod<ComplianceRoutesOptions> = async (app, opts) => {
  const repo = new ComplianceRepository(opts.pool);
  app.get('/v1/compliance', {
    // A municipality asked for must be the caller's (403); without one, the caller's are counted.
    config: needs('compliance:read', { municipality: 'query' }),
    schema: {
      description:
        'On-time figures: a deadline counts in the window it was due in; onTimeRate = metOnTime / (due - cancelled). ' +
        'statutoryFirstFollowUp counts each measure Barnets Lov § 95 covers once, due 3 months after its start.',
      querystring,
      response: { 200: response },
    },
    handler: async (req) => {
      const now = new Date();
      const today = dateOf(now.getTime());
      const { from = monthsEndingWith(today, 12)[0].from, to = today, groupBy, ...scope } = req.query;
      if (from > to) throw Object.assign(new Error(`from (${from}) is after to (${to})`), { statusCode: 400 });
      const mine = visible(callerOfRequest(req), scope.municipality);
      const rows = await repo.figures(
        { ...scope, ...(mine === '*' ? {} : { municipalities: mine }), from, to, groupBy },
        now,
      );
      return { from, to, groups: arrange(rows, from, to, groupBy) };
    },
  });
};
