// /v1/policies: versioned policies for administrators. Read the versions and what changed between
// two; change a timer or the whole document, previewed first (dryRun defaults to true); apply
// it as a new version whose rollout workflow moves the running measures on its effective date.
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { dateOf, isIsoDate, startOfDay } from '../machines/dates';
import { PolicyConflict, type PolicyChangeSummary, type PolicyStore } from '../policies/store';
import type { MunicipalityPolicy } from '../policies/types';
import { stopRolloutSignal, type RolloutInput } from '../workflows/definitions';
import { policyRolloutWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { WORKFLOW_TYPES, type PolicyRolloutWorkflow } from '../workflows/workflow-types';
import { catalogueView } from './catalogue';
import { changedTypes, diffPolicies, EditRefused, setTimer, validatePolicy } from '../policies/edit';
import { previewChange } from './policy-preview';
import { inTransaction } from '../db/transaction';

export interface PolicyDeps {
  pool: Pool;
  temporal: Client;
  store: PolicyStore;
}

type App = FastifyInstance<any, any, any, any, ZodTypeProvider>;

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
  author: z.string().min(1).optional().describe('Who makes the change; defaults to the X-Indsatsflow-User header'),
  dryRun: z.boolean().default(true),
  baseVersion: z.number().int().positive().optional().describe('Refuse with 409 when the latest version is no longer this one'),
  rollout: rolloutTuning,
  previewLimit: z.number().int().min(0).max(10_000).optional(),
};

type Common = z.output<z.ZodObject<typeof common>>;

/** What every edit request says beside its change: when, why, who, and how to run it. */
function requested(body: Common, author: string) {
  const { effectiveFrom, reason, dryRun, baseVersion, rollout, previewLimit } = body;
  return { effectiveFrom, author, reason, dryRun, baseVersion, rollout, previewLimit };
}

export const rolloutId = (municipality: string, version: number) => `${municipality}-v${version}`;

export function registerPolicyRoutes(r: App, deps: PolicyDeps): void {
  const { store, pool, temporal } = deps;
  const authorOf = (body: { author?: string }, headers: Record<string, unknown>) =>
    body.author ?? (typeof headers['x-indsatsflow-user'] === 'string' ? (headers['x-indsatsflow-user'] as string) : 'api');
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

  /** Preview (dryRun) or store + roll out a new document. */
  async function propose(
    reply: FastifyReply,
    o: { municipality: string; document: MunicipalityPolicy; basedOn: number; change: PolicyChangeSummary; effectiveFrom: string; author: string; reason: string; dryRun: boolean; baseVersion?: number; rollout?: { batchSize?: number; pauseMs?: number; concurrency?: number }; previewLimit?: number },
  ) {
    const prev = (await store.document(o.municipality, o.basedOn))!;
    const next = validatePolicy({ ...o.document, municipality: o.municipality, version: o.basedOn + 1 }, { ...prev, version: o.basedOn + 1 });
    const types = changedTypes(prev, next);
    if (types.length === 0 && o.change.kind !== 'rollback')
      throw new EditRefused(422, { error: 'no-change', message: `the document is the same as version ${o.basedOn} for every measure type` });
    const startsAt = new Date(Math.max(Date.now(), startOfDay(o.effectiveFrom))).toISOString();
    if (o.dryRun) {
      const preview = await previewChange(deps, { municipality: o.municipality, next, measureTypes: types, effectiveFrom: o.effectiveFrom, limit: o.previewLimit });
      return reply.status(200).send({ dryRun: true, municipality: o.municipality, version: o.basedOn + 1, basedOn: o.basedOn, effectiveFrom: o.effectiveFrom, startsAt, change: o.change, measureTypes: types, preview });
    }
    const row = await inTransaction(pool, async (client) => {
      const created = await store.create({ municipality: o.municipality, document: next, effectiveFrom: o.effectiveFrom, author: o.author, reason: o.reason, change: o.change, changedTypes: types, baseVersion: o.baseVersion ?? o.basedOn }, client);
      await client.query(
        `INSERT INTO policy_rollouts (id, municipality, version, measure_types, effective_from, starts_at, workflow_id, status, author, reason)
         VALUES ($1,$2,$3,$4,$5,$6,$7,'scheduled',$8,$9)`,
        [rolloutId(o.municipality, created.version), o.municipality, created.version, types, o.effectiveFrom, startsAt, policyRolloutWorkflowId(o.municipality, created.version), o.author, o.reason],
      );
      return created;
    });
    const id = rolloutId(o.municipality, row.version);
    const started = await startRollout(id, o.rollout).then(() => null, (err: Error) => err.message);
    return reply.status(started ? 503 : 201).send({
      dryRun: false,
      municipality: o.municipality,
      version: row.version,
      effectiveFrom: o.effectiveFrom,
      change: o.change,
      measureTypes: types,
      rollout: { id, status: 'scheduled', startsAt, workflowId: policyRolloutWorkflowId(o.municipality, row.version), href: `/v1/policies/rollouts/${id}` },
      ...(started ? { error: 'unavailable', message: `version ${row.version} is stored but its rollout could not be started (${started}); POST /v1/policies/rollouts/${id}/start` } : {}),
    });
  }

  async function startRollout(id: string, tuning?: { batchSize?: number; pauseMs?: number; concurrency?: number }) {
    const q = await pool.query('SELECT * FROM policy_rollouts WHERE id = $1', [id]);
    const x = q.rows[0];
    if (!x) throw new EditRefused(404, { error: 'unknown-rollout', message: `no rollout ${id}` });
    const input: RolloutInput = { rolloutId: id, municipality: x.municipality, version: x.version, measureTypes: x.measure_types, effectiveFrom: x.effective_from, reason: x.reason, author: x.author, ...tuning };
    await temporal.workflow.start<PolicyRolloutWorkflow>(WORKFLOW_TYPES.policyRollout, {
      workflowId: x.workflow_id,
      taskQueue: TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${x.municipality} → policy v${x.version} (${x.measure_types.join(', ')}) from ${x.effective_from}`,
    });
    return x;
  }

  r.get('/v1/policies', {
    schema: { description: 'Every municipality with its latest policy version and the version in force today.' },
    handler: async () =>
      Promise.all(
        (await store.municipalities()).map(async (m) => {
          const latest = (await store.latest(m))!;
          const inForce = (await store.inForce(m))!;
          return { municipality: m, latestVersion: latest.version, latestEffectiveFrom: latest.effectiveFrom, versionInForce: inForce.version };
        }),
      ),
  });

  r.get('/v1/policies/:municipality', {
    schema: { params: z.object({ municipality: z.string() }), querystring: z.object({ version: z.coerce.number().int().positive().optional() }) },
    handler: async (req, reply) => {
      const latest = await known(reply, req.params.municipality);
      if (!latest) return reply;
      const inForce = (await store.inForce(req.params.municipality))!;
      const doc = req.query.version ? await store.document(req.params.municipality, req.query.version) : inForce;
      if (!doc) return reply.status(404).send({ error: 'unknown-version', message: `no version ${req.query.version}` });
      return { versionInForce: inForce.version, latestVersion: latest.version, shownVersion: doc.version, policy: catalogueView(doc) };
    },
  });

  r.get('/v1/policies/:municipality/versions', {
    schema: {
      description: 'Every version with author, reason, time and effectiveFrom; with from & to, what changed between the two.',
      params: z.object({ municipality: z.string() }),
      querystring: z.object({ from: z.coerce.number().int().positive().optional(), to: z.coerce.number().int().positive().optional() }),
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
      if (!a || !b) return reply.status(404).send({ error: 'unknown-version', message: `no version ${!a ? from : to} of ${m}` });
      return { municipality: m, versions, diff: { from, to, changes: diffPolicies(a, b) } };
    },
  });

  r.get('/v1/policies/:municipality/versions/:version', {
    schema: { params: z.object({ municipality: z.string(), version: z.coerce.number().int().positive() }) },
    handler: async (req, reply) => {
      const v = await store.version(req.params.municipality, req.params.version);
      if (!v) return reply.status(404).send({ error: 'unknown-version', message: `no version ${req.params.version} of ${req.params.municipality}` });
      return { ...v, document: await store.document(v.municipality, v.version) };
    },
  });

  r.patch('/v1/policies/:municipality/timers', {
    schema: {
      description:
        'Change one timer: a deadline kind of a measure type (first-follow-up, follow-up, startup-meeting, treatment-plan, reassessment, or an obligation kind) or an escalation step (escalation-teamleder). dryRun (default true) previews; false stores a new version and starts its rollout.',
      params: z.object({ municipality: z.string() }),
      body: z.object({ measureType: z.string().optional(), timer: z.string().min(1), duration, ...common }),
    },
    handler: async (req, reply) => {
      const m = req.params.municipality;
      const latest = await known(reply, m);
      if (!latest) return reply;
      const author = authorOf(req.body, req.headers);
      try {
        const doc = (await store.document(m, latest.version))!;
        const edit = setTimer(doc, { ...req.body, author });
        return await propose(reply, {
          municipality: m,
          document: edit.document,
          basedOn: latest.version,
          change: { kind: 'timer', summary: edit.summary, changes: [{ path: edit.path, from: edit.from, to: edit.to }] },
          ...requested(req.body, author),
        });
      } catch (err) {
        return refused(reply, err);
      }
    },
  });

  r.post('/v1/policies/:municipality/versions', {
    schema: {
      description: 'A whole-policy edit (`document`), or a rollback to an earlier version (`rollbackTo`): both make a new version. dryRun (default true) previews.',
      params: z.object({ municipality: z.string() }),
      body: z.object({ document: z.record(z.string(), z.unknown()).optional(), rollbackTo: z.number().int().positive().optional(), ...common }),
    },
    handler: async (req, reply) => {
      const m = req.params.municipality;
      const latest = await known(reply, m);
      if (!latest) return reply;
      const { document, rollbackTo } = req.body;
      if ((document === undefined) === (rollbackTo === undefined))
        return reply.status(400).send({ error: 'invalid-request', message: 'send either document or rollbackTo' });
      const author = authorOf(req.body, req.headers);
      try {
        let next: MunicipalityPolicy;
        if (rollbackTo !== undefined) {
          const old = await store.document(m, rollbackTo);
          if (!old) return reply.status(404).send({ error: 'unknown-version', message: `no version ${rollbackTo} of ${m}` });
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
            summary: rollbackTo !== undefined ? `rollback to version ${rollbackTo}` : `${changes.length} change(s) to the whole policy`,
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

  r.get('/v1/policies/rollouts', {
    schema: { querystring: z.object({ municipality: z.string().optional() }) },
    handler: async (req) => {
      const q = await pool.query(
        `SELECT id FROM policy_rollouts ${req.query.municipality ? 'WHERE municipality = $1' : ''} ORDER BY created_at DESC LIMIT 100`,
        req.query.municipality ? [req.query.municipality] : [],
      );
      return Promise.all(q.rows.map((x) => rolloutStatus(x.id)));
    },
  });

  r.get('/v1/policies/rollouts/:id', {
    schema: { params: z.object({ id: z.string() }) },
    handler: async (req, reply) => (await rolloutStatus(req.params.id)) ?? reply.status(404).send({ error: 'unknown-rollout', message: `no rollout ${req.params.id}` }),
  });

  r.post('/v1/policies/rollouts/:id/stop', {
    schema: { description: 'Stop a rollout after its current batch; measures already moved stay moved (roll back with a new version).', params: z.object({ id: z.string() }) },
    handler: async (req, reply) => {
      const s = await rolloutStatus(req.params.id);
      if (!s) return reply.status(404).send({ error: 'unknown-rollout', message: `no rollout ${req.params.id}` });
      if (s.status !== 'scheduled' && s.status !== 'running') return reply.status(409).send({ error: 'not-running', message: `rollout ${s.id} is ${s.status}` });
      await temporal.workflow.getHandle(s.workflowId).signal(stopRolloutSignal);
      return reply.status(202).send({ id: s.id, stopping: true });
    },
  });

  r.post('/v1/policies/rollouts/:id/start', {
    schema: { description: 'Start a stored rollout whose workflow could not be started (idempotent).', params: z.object({ id: z.string() }) },
    handler: async (req, reply) => {
      try {
        await startRollout(req.params.id);
        return reply.status(202).send(await rolloutStatus(req.params.id));
      } catch (err) {
        return refused(reply, err);
      }
    },
  });

  async function rolloutStatus(id: string) {
    const q = await pool.query('SELECT * FROM policy_rollouts WHERE id = $1', [id]);
    const x = q.rows[0];
    if (!x) return undefined;
    const items = await pool.query<{ outcome: string; n: number }>('SELECT outcome, count(*)::int AS n FROM policy_rollout_items WHERE rollout_id = $1 GROUP BY outcome', [id]);
    const outcomes: Record<string, number> = {};
    for (const i of items.rows) outcomes[i.outcome] = i.n;
    const visited = Object.values(outcomes).reduce((a, b) => a + b, 0);
    let temporalStatus: string | null = null;
    try {
      temporalStatus = (await temporal.workflow.getHandle(x.workflow_id).describe()).status.name;
    } catch {
      temporalStatus = null;
    }
    const elapsed = x.started_at ? ((x.finished_at ?? new Date()).getTime() - x.started_at.getTime()) / 1000 : null;
    return {
      id: x.id as string,
      municipality: x.municipality,
      version: x.version,
      measureTypes: x.measure_types,
      effectiveFrom: x.effective_from,
      startsAt: x.starts_at.toISOString(),
      status: x.status as string,
      workflowId: x.workflow_id as string,
      temporalStatus,
      total: x.total,
      visited,
      outcomes,
      movedPerSecond: elapsed && elapsed > 0 ? Math.round(((outcomes.moved ?? 0) + (outcomes.updated ?? 0)) / elapsed * 10) / 10 : null,
      author: x.author,
      reason: x.reason,
      createdAt: x.created_at.toISOString(),
      startedAt: x.started_at?.toISOString() ?? null,
      finishedAt: x.finished_at?.toISOString() ?? null,
      today: dateOf(Date.now()),
    };
  }
}
