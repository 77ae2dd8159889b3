// Policy administration: preview a changed document (dryRun), or store it as a new version and
// start the rollout workflow that moves the running measures on its effective date; read and stop
// rollouts. The routes (api/routes/policies.ts) translate HTTP to these calls.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { PolicyVersionRepository } from '../db/repositories/policy-versions';
import { RolloutRepository } from '../db/repositories/rollouts';
import { inTransaction } from '../db/transaction';
import { dateOf, startOfDay } from '../machines/dates';
import type { PolicyChangeSummary, PolicyStore } from '../policies/store';
import type { MunicipalityPolicy } from '../policies/types';
import { stopRolloutSignal, type RolloutInput } from '../workflows/definitions';
import { policyRolloutWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { WORKFLOW_TYPES, type PolicyRolloutWorkflow } from '../workflows/workflow-types';
import { changedTypes, EditRefused, validatePolicy } from '../policies/edit';
import { previewChange } from './policy-preview';

export interface PolicyDeps {
  pool: Pool;
  temporal: Client;
  store: PolicyStore;
  /** Where the cause of a rollout that could not be started goes: never into the answer. */
  log: { warn(o: object, msg: string): void };
}

export interface RolloutTuning {
  batchSize?: number;
  pauseMs?: number;
  concurrency?: number;
}

export interface Proposal {
  municipality: string;
  document: MunicipalityPolicy;
  basedOn: number;
  change: PolicyChangeSummary;
  effectiveFrom: string;
  author: string;
  reason: string;
  dryRun: boolean;
  baseVersion?: number;
  rollout?: RolloutTuning;
  previewLimit?: number;
}

/** A rollout's id in the API and the database: one per municipality and version. */
const rolloutId = (municipality: string, version: number) => `${municipality}-v${version}`;

export class PolicyAdmin {
  private readonly rollouts: RolloutRepository;

  constructor(private readonly deps: PolicyDeps) {
    this.rollouts = new RolloutRepository(deps.pool);
  }

  /** Preview (dryRun: 200) or store + roll out (201; 503 when stored but its rollout could not be
   *  started) a new document. Throws EditRefused and PolicyConflict. */
  async propose(o: Proposal) {
    const { store, pool } = this.deps;
    const prev = (await store.document(o.municipality, o.basedOn))!;
    const next = validatePolicy(
      { ...o.document, municipality: o.municipality, version: o.basedOn + 1 },
      { ...prev, version: o.basedOn + 1 },
    );
    const types = changedTypes(prev, next);
    if (types.length === 0 && o.change.kind !== 'rollback')
      throw new EditRefused(422, {
        error: 'no-change',
        message: `the document is the same as version ${o.basedOn} for every measure type`,
      });
    const startsAt = new Date(Math.max(Date.now(), startOfDay(o.effectiveFrom))).toISOString();
    if (o.dryRun) {
      const preview = await previewChange(this.deps, {
        municipality: o.municipality,
        next,
        measureTypes: types,
        effectiveFrom: o.effectiveFrom,
        limit: o.previewLimit,
      });
      return {
        status: 200 as const,
        body: {
          dryRun: true as const,
          municipality: o.municipality,
          version: o.basedOn + 1,
          basedOn: o.basedOn,
          effectiveFrom: o.effectiveFrom,
          startsAt,
          change: o.change,
          measureTypes: types,
          preview,
        },
      };
    }
    const row = await inTransaction(pool, async (client) => {
      const created = await new PolicyVersionRepository(client).create({
        municipality: o.municipality,
        document: next,
        effectiveFrom: o.effectiveFrom,
        author: o.author,
        reason: o.reason,
        change: o.change,
        changedTypes: types,
        baseVersion: o.baseVersion ?? o.basedOn,
      });
      await new RolloutRepository(client).schedule({
        id: rolloutId(o.municipality, created.version),
        municipality: o.municipality,
        version: created.version,
        measureTypes: types,
        effectiveFrom: o.effectiveFrom,
        startsAt,
        workflowId: policyRolloutWorkflowId(o.municipality, created.version),
        author: o.author,
        reason: o.reason,
      });
      return created;
    });
    const id = rolloutId(o.municipality, row.version);
    const started = await this.startRollout(id, o.rollout).then(
      () => true,
      (err: Error) => {
        this.deps.log.warn({ err, rolloutId: id }, 'policy version stored but its rollout could not be started');
        return false;
      },
    );
    const body = {
      dryRun: false as const,
      municipality: o.municipality,
      version: row.version,
      effectiveFrom: o.effectiveFrom,
      change: o.change,
      measureTypes: types,
      rollout: {
        id,
        status: 'scheduled',
        startsAt,
        workflowId: policyRolloutWorkflowId(o.municipality, row.version),
        href: `/v1/policies/rollouts/${id}`,
      },
    };
    if (started) return { status: 201 as const, body };
    return {
      status: 503 as const,
      body: {
        ...body,
        error: 'unavailable',
        message: `version ${row.version} is stored but its rollout could not be started now; POST /v1/policies/rollouts/${id}/start`,
      },
    };
  }

  /** Starts a stored rollout's workflow (idempotent: an existing one is kept). */
  async startRollout(id: string, tuning?: RolloutTuning) {
    const { temporal } = this.deps;
    const x = await this.rollouts.get(id);
    if (!x) throw new EditRefused(404, { error: 'unknown-rollout', message: `no rollout ${id}` });
    const input: RolloutInput = {
      rolloutId: id,
      municipality: x.municipality,
      version: x.version,
      measureTypes: x.measure_types,
      effectiveFrom: x.effective_from,
      reason: x.reason,
      author: x.author,
      ...tuning,
    };
    await temporal.workflow.start<PolicyRolloutWorkflow>(WORKFLOW_TYPES.policyRollout, {
      workflowId: x.workflow_id,
      taskQueue: TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${x.municipality} → policy v${x.version} (${x.measure_types.join(', ')}) from ${x.effective_from}`,
    });
    return x;
  }

  /** Asks the rollout to stop after its current batch. */
  async stopRollout(s: { workflowId: string }): Promise<void> {
    const { temporal } = this.deps;
    await temporal.workflow.getHandle(s.workflowId).signal(stopRolloutSignal);
  }

  async recentRollouts(municipality?: string) {
    const ids = await this.rollouts.recentIds(municipality);
    return Promise.all(ids.map(async (id) => (await this.rolloutStatus(id))!));
  }

  async rolloutStatus(id: string) {
    const { temporal } = this.deps;
    const x = await this.rollouts.get(id);
    if (!x) return undefined;
    const outcomes = await this.rollouts.outcomes(id);
    const visited = Object.values(outcomes).reduce((a, b) => a + b, 0);
    let temporalStatus: string | null = null;
    try {
      temporalStatus = (await temporal.workflow.getHandle(x.workflow_id).describe()).status.name;
    } catch {
      temporalStatus = null;
    }
    const elapsed = x.started_at ? ((x.finished_at ?? new Date()).getTime() - x.started_at.getTime()) / 1000 : null;
    return {
      id: x.id,
      municipality: x.municipality,
      version: x.version,
      measureTypes: x.measure_types,
      effectiveFrom: x.effective_from,
      startsAt: x.starts_at.toISOString(),
      status: x.status,
      workflowId: x.workflow_id,
      temporalStatus,
      total: x.total,
      visited,
      outcomes,
      movedPerSecond:
        elapsed && elapsed > 0
          ? Math.round((((outcomes.moved ?? 0) + (outcomes.updated ?? 0)) / elapsed) * 10) / 10
          : null,
      author: x.author,
      reason: x.reason,
      createdAt: x.created_at.toISOString(),
      startedAt: x.started_at?.toISOString() ?? null,
      finishedAt: x.finished_at?.toISOString() ?? null,
      today: dateOf(Date.now()),
    };
  }
}
