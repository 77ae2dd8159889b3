// audit_log: every state-changing administrative action, who did it, when and from where.
import type { Queryable } from '../queryable';
import { decodeCursor, encodeCursor, InvalidCursor } from './cursor';

export interface AuditEntry {
  actorKind: string;
  actor: string;
  actorName?: string;
  action: string;
  municipality?: string | null;
  target?: string | null;
  method?: string;
  path?: string;
  remoteAddr?: string;
  userAgent?: string;
  requestId?: string;
  status?: number;
  detail?: Record<string, unknown>;
}

export class AuditRepository {
  constructor(private readonly db: Queryable) {}

  async record(e: AuditEntry): Promise<number> {
    const r = await this.db.query<{ id: string }>(
      `INSERT INTO audit_log (actor_kind, actor, actor_name, action, municipality, target, method, path, remote_addr,
                              user_agent, request_id, status, detail)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
      [
        e.actorKind,
        e.actor,
        e.actorName ?? null,
        e.action,
        e.municipality ?? null,
        e.target ?? null,
        e.method ?? null,
        e.path ?? null,
        e.remoteAddr ?? null,
        e.userAgent?.slice(0, 300) ?? null,
        e.requestId ?? null,
        e.status ?? null,
        e.detail ? JSON.stringify(e.detail) : null,
      ],
    );
    return Number(r.rows[0].id);
  }

  async answered(id: number, status: number): Promise<void> {
    await this.db.query('UPDATE audit_log SET status = $2 WHERE id = $1', [id, status]);
  }

  /** A page, newest first, and the cursor of the next (null on the last page). */
  async list(f: { municipality?: string; action?: string; limit: number; cursor?: string }) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.municipality) where.push(`municipality = $${args.push(f.municipality)}`);
    if (f.action) where.push(`action = $${args.push(f.action)}`);
    if (f.cursor !== undefined) {
      const before = decodeCursor(f.cursor, 'audit');
      if (!/^\d{1,18}$/.test(before)) throw new InvalidCursor();
      where.push(`id < $${args.push(before)}`);
    }
    const r = await this.db.query(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT $${args.push(f.limit + 1)}`,
      args,
    );
    const rows = r.rows.slice(0, f.limit);
    const last = rows[rows.length - 1];
    const next = r.rows.length > f.limit && last ? encodeCursor('audit', String(last.id)) : null;
    const items = rows.map((x) => ({
      id: Number(x.id),
      at: (x.at as Date).toISOString(),
      actorKind: x.actor_kind as string,
      actor: x.actor as string,
      actorName: x.actor_name as string | null,
      action: x.action as string,
      municipality: x.municipality as string | null,
      target: x.target as string | null,
      method: x.method as string | null,
      path: x.path as string | null,
      remoteAddr: x.remote_addr as string | null,
      userAgent: x.user_agent as string | null,
      requestId: x.request_id as string | null,
      status: x.status as number | null,
      detail: x.detail as Record<string, unknown> | null,
    }));
    return { items, next };
  }
}
