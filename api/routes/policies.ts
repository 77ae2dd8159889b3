// /v1/policies: versioned policies for administrators. Read the versions and what changed between
// two; change a timer or the whole document, previewed first (dryRun defaults to true); apply
// it as a new version whose rollout workflow moves the running measures on its effective date.
// Each route declares what it needs: reading a municipality's policy, changing it (policy-admin),
// a rollout's status (operator, policy-admin) or stopping and starting one (policy-admin), always
// for the municipality in the path or the rollout's own. Changes are written to the audit log, and
// their author is the authenticated caller.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { isIsoDate } from '../../machines/dates';
import { PolicyConflict, type PolicyStore } from '../../policies/store';
import type { MunicipalityPolicy } from '../../policies/types';
import { inScope, visible, type Caller } from '../../access/roles';
import { callerOfRequest, needs } from '../access/guard';
import { catalogueAnswer, catalogueView } from '../catalogue';
import type { PolicyAdmin, Proposal } from '../policies';
import { diffPolicies, EditRefused, setTimer } from '../../policies/edit';
import { commonAnswers, errorAnswer, type App } from '../schemas';

export interface PolicyRoutesOptions {
  store: PolicyStore;
  admin: PolicyAdmin;
}

const isoDate = z.string().refine(isIsoDate, { message: 'must be a date YYYY-MM-DD' });
const duration = z.union([z.string().min(1), z.object({ min: z.string().min(1), max: z.string().min(1) })]);
const rolloutTuning = z
  .object({
    batchSize: z.number().int().min(1).max(500).optional(),
    pauseMs: z.number().int().min(0).max(60_000).optional(),
    concurrency: z.number().int().min(1).max(50).optional(),
  })
  .optional()
  .describe('Rollout pacing: measures per batch (50), pause between batches (100 ms), updates in flight (10)');
const common = {
  effectiveFrom: isoDate,
  reason: z.string().min(3),
  author: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Who makes the change, with access control off only (then defaulting to the X-Indsatsflow-User header); otherwise the authenticated caller',
    ),
  dryRun: z.boolean().default(true),
  baseVersion: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Refuse with 409 when the latest version is no longer this one'),
  rollout: rolloutTuning,
  previewLimit: z.number().int().min(0).max(10_000).optional(),
};

type Common = z.output<z.ZodObject<typeof common>>;

/** What every edit request says beside its change: when, why, who, and how to run it. */
function requested(body: Common, author: string) {
  const { effectiveFrom, reason, dryRun, baseVersion, rollout, previewLimit } = body;
  return { effectiveFrom, author, reason, dryRun, baseVersion, rollout, previewLimit };
}

/** Who makes a change: the authenticated caller. Only with access control off (loopback, no
 *  set-up) is the self-declared `author` or X-Indsatsflow-User header taken at its word. */
const authorOf = (caller: Caller, body: { author?: string }, headers: Record<string, unknown>) =>
  caller.kind !== 'local'
    ? `${caller.name} [${caller.id}]`
    : (body.author ??
      (typeof headers['x-indsatsflow-user'] === 'string' ? (headers['x-indsatsflow-user'] as string) : 'api'));

// ----- answers -----

const change = z.object({
  path: z.string().describe('Where in the document, e.g. measureTypes[familiebehandling].firstFollowUp.after'),
  from: z.unknown(),
  to: z.unknown(),
});
const changeSummary = z
  .object({
    kind: z.enum(['timer', 'document', 'rollback']),
    summary: z.string(),
    changes: z.array(change),
    rollbackTo: z.number().int().optional(),
  })
  .describe('What a version changed, as recorded with it');
const versionRow = z.object({
  municipality: z.string(),
  version: z.number().int(),
  effectiveFrom: z.string(),
  author: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  change: changeSummary.nullable(),
  changedTypes: z.array(z.string()).nullable(),
});
const notFound = errorAnswer.describe('Unknown municipality, version or rollout');
const conflict = errorAnswer.describe(
  'The policy changed meanwhile, or the effective date is before the latest version’s',
);
const refusedEdit = errorAnswer.describe(
  'The change is refused: a schema violation (with paths), looser than Barnets Lov § 95, an unknown timer, no change',
);
const preview = z
  .looseObject({
    evaluatedAt: z.string(),
    measureTypes: z.array(z.string()),
    runningMeasures: z.number().int(),
    affectedMeasures: z.number().int(),
    movedDeadlines: z.number().int(),
    becomeOverdueAtOnce: z.number().int(),
    stopBeingOverdue: z.number().int(),
    escalationsDueAtOnce: z.number().int(),
    measures: z.array(z.looseObject({ measureId: z.string() })),
    measuresTruncated: z.boolean(),
    workload: z.looseObject({}),
  })
  .describe('What the change would do to the running measures, simulated with their own machine');
const proposalBase = {
  municipality: z.string(),
  version: z.number().int(),
  effectiveFrom: z.string(),
  change: changeSummary,
  measureTypes: z.array(z.string()),
};
const previewed = z.object({
  dryRun: z.literal(true),
  basedOn: z.number().int(),
  startsAt: z.string(),
  preview,
  ...proposalBase,
});
const storedRollout = z.object({
  id: z.string(),
  status: z.string(),
  startsAt: z.string(),
  workflowId: z.string(),
  href: z.string(),
});
const stored = z.object({ dryRun: z.literal(false), rollout: storedRollout, ...proposalBase });
const storedNotStarted = stored
  .extend({ error: z.literal('unavailable'), message: z.string() })
  .describe('The version is stored, but its rollout could not be started now');
const rolloutStatus = z.object({
  id: z.string(),
  municipality: z.string(),
  version: z.number().int(),
  measureTypes: z.array(z.string()),
  effectiveFrom: z.string(),
  startsAt: z.string(),
  status: z.string().describe('scheduled, running, completed, stopped, failed'),
  workflowId: z.string(),
  temporalStatus: z.string().nullable(),
  total: z.number().int().nullable(),
  visited: z.number().int(),
  outcomes: z.record(z.string(), z.number().int()),
  movedPerSecond: z.number().nullable(),
  author: z.string(),
  reason: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  today: z.string(),
});
const editAnswers = {
  200: previewed,
  201: stored,
  404: notFound,
  409: conflict,
  422: refusedEdit,
  503: storedNotStarted,
  ...commonAnswers,
};

export const policyRoutes: FastifyPluginAsync<PolicyRoutesOptions> = async (app, { store, admin }) => {
  const refused = (reply: FastifyReply, err: unknown) => {
    if (err instanceof EditRefused) return reply.status(err.status).send(err.body);
    if (err instanceof PolicyConflict) return reply.status(409).send({ error: 'conflict', message: err.message });
    throw err;
  };
  const known = async (reply: FastifyReply, municipality: string) => {
    const latest = await store.latest(municipality);
    if (!latest) reply.status(404).send({ error: 'unknown-municipality', message: `no policy for ${municipality}` });
    return latest;
  };
  /** A rollout of one of the caller's municipalities; others' are answered as unknown. */
  const rolloutOf = async (caller: Caller, id: string) => {
    const s = await admin.rolloutStatus(id);
    return s && inScope(caller, s.municipality) ? s : undefined;
  };
  const propose = async (reply: FastifyReply, o: Proposal) => {
    const { status, body } = await admin.propose(o);
    return reply.status(status).send(body);
  };

  await app.register(async (reads) => {
    const r = reads as App;

    r.get('/v1/policies', {
      config: needs('policies:read'),
      schema: {
        description: 'Every municipality with its latest policy version and the version in force today.',
        response: {
          200: z.array(
            z.object({
              municipality: z.string(),
              latestVersion: z.number().int(),
              latestEffectiveFrom: z.string(),
              versionInForce: z.number().int(),
            }),
          ),
          401: commonAnswers[401],
          429: commonAnswers[429],
          500: commonAnswers[500],
        },
      },
      handler: async (req) =>
        Promise.all(
          (await store.municipalities())
            .filter((m) => inScope(callerOfRequest(req), m))
            .map(async (m) => {
              const latest = (await store.latest(m))!;
              const inForce = (await store.inForce(m))!;
              return {
                municipality: m,
                latestVersion: latest.version,
                latestEffectiveFrom: latest.effectiveFrom,
                versionInForce: inForce.version,
              };
            }),
        ),
    });

    r.get('/v1/policies/:municipality', {
      config: needs('policies:read', { municipality: 'param' }),
      schema: {
        params: z.object({ municipality: z.string() }),
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
        response: {
          200: z.object({
            versionInForce: z.number().int(),
            latestVersion: z.number().int(),
            shownVersion: z.number().int(),
            policy: catalogueAnswer,
          }),
          404: notFound,
          ...commonAnswers,
        },
      },
      handler: async (req, reply) => {
        const latest = await known(reply, req.params.municipality);
        if (!latest) return reply;
        const inForce = (await store.inForce(req.params.municipality))!;
        const doc = req.query.version ? await store.document(req.params.municipality, req.query.version) : inForce;
        if (!doc)
          return reply.status(404).send({ error: 'unknown-version', message: `no version ${req.query.version}` });
        return {
          versionInForce: inForce.version,
          latestVersion: latest.version,
          shownVersion: doc.version,
          policy: catalogueView(doc),
        };
      },
    });

    r.get('/v1/policies/:municipality/versions', {
      config: needs('policies:read', { municipality: 'param' }),
      schema: {
        description:
          'Every version with author, reason, time and effectiveFrom; with from & to, what changed between the two.',
        params: z.object({ municipality: z.string() }),
        querystring: z.object({
          from: z.coerce.number().int().positive().optional(),
          to: z.coerce.number().int().positive().optional(),
        }),
        response: {
          200: z.object({
            municipality: z.string(),
            versions: z.array(versionRow.extend({ inForce: z.boolean() })),
            diff: z.object({ from: z.number().int(), to: z.number().int(), changes: z.array(change) }).optional(),
          }),
          404: notFound,
          ...commonAnswers,
        },
      },
      handler: async (req, reply) => {
        const m = req.params.municipality;
        const latest = await known(reply, m);
        if (!latest) return reply;
        const inForce = (await store.inForce(m))!;
        const versions = (await store.versions(m)).map((v) => ({ ...v, inForce: v.version === inForce.version }));
        if (req.query.from === undefined && req.query.to === undefined) return { municipality: m, versions };
        const to = req.query.to ?? latest.version;
        const from = req.query.from ?? Math.max(1, to - 1);
        const [a, b] = [await store.document(m, from), await store.document(m, to)];
        if (!a || !b)
          return reply.status(404).send({ error: 'unknown-version', message: `no version ${!a ? from : to} of ${m}` });
        return { municipality: m, versions, diff: { from, to, changes: diffPolicies(a, b) } };
      },
    });

    r.get('/v1/policies/:municipality/versions/:version', {
      config: needs('policies:read', { municipality: 'param' }),
      schema: {
        params: z.object({ municipality: z.string(), version: z.coerce.number().int().positive() }),
        response: {
          200: versionRow.extend({
            document: z
              .looseObject({ municipality: z.string(), version: z.number().int() })
              .describe('The whole policy document of this version'),
          }),
          404: notFound,
          ...commonAnswers,
        },
      },
      handler: async (req, reply) => {
        const v = await store.version(req.params.municipality, req.params.version);
        if (!v)
          return reply.status(404).send({
            error: 'unknown-version',
            message: `no version ${req.params.version} of ${req.params.municipality}`,
          });
        const document = (await store.document(v.municipality, v.version))!;
        return { ...v, document: document as typeof document & Record<string, unknown> };
      },
    });

    r.get('/v1/policies/rollouts', {
      config: needs('rollouts:read'),
      schema: {
        querystring: z.object({ municipality: z.string().optional() }),
        response: { 200: z.array(rolloutStatus), ...commonAnswers },
      },
      handler: async (req) => {
        const scope = visible(callerOfRequest(req), req.query.municipality);
        if (scope === '*') return admin.recentRollouts(req.query.municipality);
        const each = await Promise.all(scope.map((m) => admin.recentRollouts(m)));
        return each.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      },
    });

    r.get('/v1/policies/rollouts/:id', {
      config: needs('rollouts:read'),
      schema: {
        params: z.object({ id: z.string() }),
        response: { 200: rolloutStatus, 404: notFound, ...commonAnswers },
      },
      handler: async (req, reply) =>
        (await rolloutOf(callerOfRequest(req), req.params.id)) ??
        reply.status(404).send({ error: 'unknown-rollout', message: `no rollout ${req.params.id}` }),
    });
  });

  await app.register(async (changes) => {
    const r = changes as App;

    r.patch('/v1/policies/:municipality/timers', {
      config: needs('policies:change', { municipality: 'param', audit: 'policy.timer' }),
      schema: {
        description:
          'Change one timer: a deadline kind of a measure type (first-follow-up, follow-up, startup-meeting, treatment-plan, reassessment, or an obligation kind) or an escalation step (escalation-teamleder). dryRun (default true) previews; false stores a new version and starts its rollout.',
        params: z.object({ municipality: z.string() }),
        body: z.object({ measureType: z.string().optional(), timer: z.string().min(1), duration, ...common }),
        response: editAnswers,
      },
      handler: async (req, reply) => {
        const m = req.params.municipality;
        const latest = await known(reply, m);
        if (!latest) return reply;
        const author = authorOf(callerOfRequest(req), req.body, req.headers);
        try {
          const doc = (await store.document(m, latest.version))!;
          const edit = setTimer(doc, { ...req.body, author });
          return await propose(reply, {
            municipality: m,
            document: edit.document,
            basedOn: latest.version,
            change: {
              kind: 'timer',
              summary: edit.summary,
              changes: [{ path: edit.path, from: edit.from, to: edit.to }],
            },
            ...requested(req.body, author),
          });
        } catch (err) {
          return refused(reply, err);
        }
      },
    });

    r.post('/v1/policies/:municipality/versions', {
      config: needs('policies:change', { municipality: 'param', audit: 'policy.version' }),
      schema: {
        description:
          'A whole-policy edit (`document`), or a rollback to an earlier version (`rollbackTo`): both make a new version. dryRun (default true) previews.',
        params: z.object({ municipality: z.string() }),
        body: z.object({
          document: z.record(z.string(), z.unknown()).optional(),
          rollbackTo: z.number().int().positive().optional(),
          ...common,
        }),
        response: editAnswers,
      },
      handler: async (req, reply) => {
        const m = req.params.municipality;
        const latest = await known(reply, m);
        if (!latest) return reply;
        const { document, rollbackTo } = req.body;
        if ((document === undefined) === (rollbackTo === undefined))
          return reply.status(400).send({ error: 'invalid-request', message: 'send either document or rollbackTo' });
        const author = authorOf(callerOfRequest(req), req.body, req.headers);
        try {
          let next: MunicipalityPolicy;
          if (rollbackTo !== undefined) {
            const old = await store.document(m, rollbackTo);
            if (!old)
              return reply.status(404).send({ error: 'unknown-version', message: `no version ${rollbackTo} of ${m}` });
            next = old;
          } else next = document as unknown as MunicipalityPolicy;
          const prev = (await store.document(m, latest.version))!;
          const changes = diffPolicies(prev, { ...next, municipality: m });
          return await propose(reply, {
            municipality: m,
            document: next,
            basedOn: latest.version,
            change: {
              kind: rollbackTo !== undefined ? 'rollback' : 'document',
              summary:
                rollbackTo !== undefined
                  ? `rollback to version ${rollbackTo}`
                  : `${changes.length} change(s) to the whole policy`,
              changes,
              ...(rollbackTo !== undefined ? { rollbackTo } : {}),
            },
            ...requested(req.body, author),
          });
        } catch (err) {
          return refused(reply, err);
        }
      },
    });

    r.post('/v1/policies/rollouts/:id/stop', {
      config: needs('rollouts:control', { audit: 'rollout.stop' }),
      schema: {
        description:
          'Stop a rollout after its current batch; measures already moved stay moved (roll back with a new version).',
        params: z.object({ id: z.string() }),
        response: {
          202: z.object({ id: z.string(), stopping: z.literal(true) }),
          404: notFound,
          409: errorAnswer.describe('The rollout is not running'),
          ...commonAnswers,
        },
      },
      handler: async (req, reply) => {
        const s = await rolloutOf(callerOfRequest(req), req.params.id);
        if (!s) return reply.status(404).send({ error: 'unknown-rollout', message: `no rollout ${req.params.id}` });
        if (s.status !== 'scheduled' && s.status !== 'running')
          return reply.status(409).send({ error: 'not-running', message: `rollout ${s.id} is ${s.status}` });
        await admin.stopRollout(s);
        return reply.status(202).send({ id: s.id, stopping: true });
      },
    });

    r.post('/v1/policies/rollouts/:id/start', {
      config: needs('rollouts:control', { audit: 'rollout.start' }),
      schema: {
        description: 'Start a stored rollout whose workflow could not be started (idempotent).',
        params: z.object({ id: z.string() }),
        response: { 202: rolloutStatus, 404: notFound, 409: conflict, ...commonAnswers },
      },
      handler: async (req, reply) => {
        if (!(await rolloutOf(callerOfRequest(req), req.params.id)))
          return reply.status(404).send({ error: 'unknown-rollout', message: `no rollout ${req.params.id}` });
        try {
          await admin.startRollout(req.params.id);
          return reply.status(202).send((await admin.rolloutStatus(req.params.id))!);
        } catch (err) {
          return refused(reply, err);
        }
      },
    });
  });
};
