// The inbox: every event received is stored before it is judged, and its answer is stored before
// the answer is sent. Accepted events are found again by their idempotency key (municipality +
// source + id). What is stored is what arrived, less what must not be kept in clear: anything
// shaped like a CPR number is masked, and the child's birth date is never in `body` (the intake
// seals it in `sealed` where the measure type needs it). After the retention period the bodies are
// purged; who sent what, when, and the answer stay.
import { maskCpr, maskCprDeep } from '../../access/cpr';
import type { Queryable } from '../queryable';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The stored copy of an event: CPR-shaped parts masked, the child's birth date removed. */
export function inboxCopy(item: unknown): unknown {
  const masked = maskCprDeep(item);
  if (!masked || typeof masked !== 'object' || Array.isArray(masked)) return masked;
  const o = masked as Record<string, unknown>;
  const data = o.data;
  if (!data || typeof data !== 'object' || Array.isArray(data) || !('childBirthDate' in data)) return masked;
  const { childBirthDate: _dropped, ...rest } = data as Record<string, unknown>;
  return { ...o, data: rest };
}

export class InboxRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores what arrived, as far as it can be read. Returns the row's sequence number. */
  async receive(item: unknown, raw?: string, caller?: string): Promise<number> {
    const o = item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
    const str = (v: unknown) => (typeof v === 'string' ? maskCpr(v.slice(0, 512)) : null);
    const res = await this.db.query<{ seq: string }>(
      `INSERT INTO inbox (source, event_id, event_type, subject, body, raw, caller) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING seq`,
      [
        str(o.source),
        str(o.id),
        str(o.type),
        str(o.subject),
        item === undefined ? null : JSON.stringify(inboxCopy(item)),
        raw === undefined ? null : /childBirthDate/.test(raw) ? null : maskCpr(raw),
        caller ?? null,
      ],
    );
    return Number(res.rows[0].seq);
  }

  /** The municipality the delivery was judged for (from the caller's key and the event). */
  async assign(seq: number, municipality: string): Promise<void> {
    await this.db.query('UPDATE inbox SET municipality = $2 WHERE seq = $1', [seq, municipality]);
  }

  /** Keeps the child's birth date, encrypted, beside the delivery (types with an age rule). */
  async seal(seq: number, sealed: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE inbox SET sealed = $2 WHERE seq = $1', [seq, JSON.stringify(sealed)]);
  }

  async answer(seq: number, a: Answer): Promise<void> {
    await this.db.query('UPDATE inbox SET status = $2, answer = $3, answered_at = now() WHERE seq = $1', [
      seq,
      a.status,
      JSON.stringify(a.body),
    ]);
  }

  /** The answer an earlier delivery of the same event got, if it was accepted. */
  async accepted(municipality: string, source: string, id: string, except: number): Promise<Answer | undefined> {
    const res = await this.db.query<{ answer: Record<string, unknown> }>(
      `SELECT answer FROM inbox WHERE municipality = $1 AND source = $2 AND event_id = $3 AND status = 202 AND seq <> $4
        ORDER BY seq LIMIT 1`,
      [municipality, source, id, except],
    );
    return res.rows[0] ? { status: 202, body: res.rows[0].answer } : undefined;
  }

  /** Purges the bodies (and sealed fields) of deliveries older than `days`; returns how many. */
  async purge(days: number): Promise<number> {
    const res = await this.db.query(
      `UPDATE inbox SET body = NULL, raw = NULL, sealed = NULL, purged_at = now()
        WHERE purged_at IS NULL AND received_at < now() - make_interval(days => $1)`,
      [days],
    );
    return res.rowCount ?? 0;
  }
}
