// The inbox: every event received is stored before it is judged, and its answer is stored before
// the answer is sent. Accepted events are found again by their idempotency key (source + id).
import type { Queryable } from '../queryable';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export class InboxRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores what arrived, as far as it can be read. Returns the row's sequence number. */
  async receive(item: unknown, raw?: string): Promise<number> {
    const o = item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 512) : null);
    const res = await this.db.query<{ seq: string }>(
      `INSERT INTO inbox (source, event_id, event_type, subject, body, raw) VALUES ($1,$2,$3,$4,$5,$6) RETURNING seq`,
      [
        str(o.source),
        str(o.id),
        str(o.type),
        str(o.subject),
        item === undefined ? null : JSON.stringify(item),
        raw ?? null,
      ],
    );
    return Number(res.rows[0].seq);
  }

  async answer(seq: number, a: Answer): Promise<void> {
    await this.db.query('UPDATE inbox SET status = $2, answer = $3, answered_at = now() WHERE seq = $1', [
      seq,
      a.status,
      JSON.stringify(a.body),
    ]);
  }

  /** The answer an earlier delivery of the same event got, if it was accepted. */
  async accepted(source: string, id: string, except: number): Promise<Answer | undefined> {
    const res = await this.db.query<{ answer: Record<string, unknown> }>(
      'SELECT answer FROM inbox WHERE source = $1 AND event_id = $2 AND status = 202 AND seq <> $3 ORDER BY seq LIMIT 1',
      [source, id, except],
    );
    return res.rows[0] ? { status: 202, body: res.rows[0].answer } : undefined;
  }
}
