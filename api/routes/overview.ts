// GET /overblik: the page team leaders and department heads use, in Danish, and its two lists as
// CSV for Excel. Reads the same projection as /v1/compliance.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { dateOf } from '../../machines/dates';
import type { PolicySource } from '../../policies/source';
import type { MunicipalityPolicy } from '../../policies/types';
import { ComplianceRepository } from '../../db/repositories/compliance';
import { toCsv } from '../overview/csv';
import { OverviewModel, UPCOMING_DAYS } from '../overview/model';
import { choicePage, notFoundPage, overviewPage, type Choice } from '../overview/page';
import { addDays } from '../overview/periods';
import { inScope, type Caller } from '../../access/roles';
import { callerOfRequest, needs } from '../access/guard';

export interface OverviewRoutesOptions {
  pool: Pool;
  policies: PolicySource;
  /** Where the Temporal UI is: the overview links every measure to its workflow there. */
  temporalUiUrl?: string;
  temporal: { options: { namespace: string } };
}

/** The UI the embedded dev server serves, unless configured (TEMPORAL_UI_URL). */
export const DEFAULT_TEMPORAL_UI_URL = 'http://127.0.0.1:8233';

/** A CSV export holds the whole list; the page shows the first thousand. */
const CSV_LIMIT = 100_000;

const querystring = z.object({
  municipality: z.string().min(1).optional(),
  teamId: z
    .string()
    .optional()
    .transform((t) => t || undefined),
});

type Query = z.infer<typeof querystring>;

const OVERDUE_HEADER = [
  'Indsats',
  'Indsatstype',
  'Frist',
  'Forfaldsdato',
  'Dage over tid',
  'Eskaleringsniveau',
  'Sagsbehandler',
  'Team',
  'Link til Temporal',
];
const UPCOMING_HEADER = [
  'Sagsbehandler',
  'Indsats',
  'Indsatstype',
  'Frist',
  'Forfaldsdato',
  'Dage til',
  'Team',
  'Link til Temporal',
];

export const overviewRoutes: FastifyPluginAsyncZod<OverviewRoutesOptions> = async (app, opts) => {
  const repo = new ComplianceRepository(opts.pool);
  const model = new OverviewModel(repo, {
    url: opts.temporalUiUrl ?? process.env.TEMPORAL_UI_URL ?? DEFAULT_TEMPORAL_UI_URL,
    // Read when a page is rendered, not when the plugin registers: building the API (and its
    // OpenAPI document) touches no dependency.
    get namespace() {
      return opts.temporal.options.namespace;
    },
  });

  /** The municipality asked for (or the only one there is), and what the filter form offers. */
  async function choose(q: Query, caller: Caller): Promise<{ policy?: MunicipalityPolicy; choice: Choice }> {
    // Only the caller's municipalities are offered (the guard has refused one asked for that is not).
    const municipalities = (await opts.policies.municipalities())
      .filter((m) => inScope(caller, m.municipality))
      .sort((a, b) => a.name.localeCompare(b.name, 'da'));
    const slug = q.municipality ?? (municipalities.length === 1 ? municipalities[0].municipality : undefined);
    const policy = slug ? municipalities.find((m) => m.municipality === slug) : undefined;
    const teams = policy ? await repo.teams(policy.municipality) : [];
    return { policy, choice: { municipalities, municipality: slug, teams, teamId: q.teamId } };
  }

  const html = { 200: z.string().describe('text/html'), 404: z.string().describe('text/html') };
  const problem = z.object({ error: z.string(), message: z.string() });

  // A municipality asked for must be the caller's (403); the choice offers only the caller's.
  const access = needs('compliance:read', { municipality: 'query' });

  app.get('/overblik', {
    config: access,
    schema: {
      description: 'The overview page (Danish HTML) for a municipality and optionally a team.',
      querystring,
      response: html,
    },
    handler: async (req, reply) => {
      const { policy, choice } = await choose(req.query, callerOfRequest(req));
      reply.type('text/html; charset=utf-8');
      if (!choice.municipality) return choicePage(choice);
      if (!policy)
        return reply.status(404).send(notFoundPage(choice, `Der er ingen kommune med koden “${choice.municipality}”.`));
      return overviewPage(await model.build(policy, req.query.teamId, new Date()), choice);
    },
  });

  const csvRoute = (
    path: string,
    what: string,
    rows: (p: MunicipalityPolicy, q: Query, now: Date) => Promise<string>,
  ) =>
    app.get(path, {
      config: access,
      schema: {
        description: `${what} as CSV for Danish Excel: UTF-8 with BOM, ';' separated.`,
        querystring,
        response: { 200: z.string().describe('text/csv'), 400: problem, 404: problem },
      },
      handler: async (req, reply) => {
        const { policy, choice } = await choose(req.query, callerOfRequest(req));
        if (!policy)
          return reply.status(choice.municipality ? 404 : 400).send({
            error: choice.municipality ? 'unknown-municipality' : 'invalid-request',
            message: choice.municipality ? `no service level for ${choice.municipality}` : 'municipality is required',
          });
        const now = new Date();
        const list = path.split('/').pop()!.replace('.csv', '');
        const file =
          [list, policy.municipality, req.query.teamId, dateOf(now.getTime())].filter(Boolean).join('-') + '.csv';
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file.replace(/[^\w.-]/g, '_')}"`)
          .send(await rows(policy, req.query, now));
      },
    });

  csvRoute('/overblik/forfaldne.csv', 'The overdue deadlines, most overdue first,', async (policy, q, now) => {
    const rows = await model.overdue(policy, { municipality: policy.municipality, teamId: q.teamId }, now, CSV_LIMIT);
    return toCsv(
      OVERDUE_HEADER,
      rows.map((r) => [
        r.measureId,
        r.measureType,
        r.deadline,
        r.dueOn,
        r.daysOverdue,
        r.escalation,
        r.caseworkerId,
        r.teamId,
        r.workflowUrl,
      ]),
    );
  });

  csvRoute(
    '/overblik/kommende.csv',
    `The deadlines of the next ${UPCOMING_DAYS} days, per caseworker,`,
    async (policy, q, now) => {
      const today = dateOf(now.getTime());
      const scope = { municipality: policy.municipality, teamId: q.teamId };
      const rows = await model.upcoming(policy, scope, today, addDays(today, UPCOMING_DAYS), now, CSV_LIMIT);
      return toCsv(
        UPCOMING_HEADER,
        rows.map((r) => [
          r.caseworkerId,
          r.measureId,
          r.measureType,
          r.deadline,
          r.dueOn,
          r.daysLeft,
          r.teamId,
          r.workflowUrl,
        ]),
      );
    },
  );
};
