// The inbox: every delivery is stored before it is judged, and its answer is stored before the
// answer is sent. Storing cannot fail on content: what jsonb cannot hold is kept as escaped JSON
// text or as bytes (db/jsonb.ts), and a row the database still refuses is stored again as bytes
// alone. Accepted events are found again by their idempotency key (source + id).
import { fitsJsonb, jsonbSafe } from '../jsonb';
import type { Queryable } from '../queryable';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** What is known of a delivery before its body is read: kept with every row it yields. */
export interface Delivery {
  contentType?: string;
  contentLength?: number;
  remoteAddr?: string;
  requestId?: string;
}

export interface Received {
  /** The parsed item (one event, or what stands in a batch's place); absent when not parsed. */
  item?: unknown;
  /** A body that is text but not JSON, kept as it came. */
  text?: string;
  /** The bytes as they arrived: stored when the item is absent or cannot be stored as JSON. */
  bytes?: Buffer;
  /** Keep the bytes beside the item too: a binary-mode body that is not JSON, whose envelope (the
   *  `ce-*` headers) is the item. */
  keepBytes?: boolean;
  batchIndex?: number;
}

/** SQLSTATE classes of a value the database will not hold (22: data exception, 54: program limit). */
const refusedContent = (err: unknown) => /^(22|54)/.test(String((err as { code?: unknown }).code ?? ''));

export class InboxRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores what arrived, as far as it can be read, with its answer when it is already known (a
   *  refusal that needs nothing but the delivery itself). Returns the row's sequence number. */
  async receive(d: Delivery, r: Received, answer?: Answer): Promise<number> {
    const row = columnsOf(d, r, answer);
    try {
      return await this.insert([row]).then((seqs) => seqs[0]);
    } catch (err) {
      if (!refusedContent(err)) throw err;
      // Something we did not foresee: keep the delivery as bytes, which the database cannot refuse.
      return await this.insert([asBytes(row, r)]).then((seqs) => seqs[0]);
    }
  }

  /** Every item of a batch in one statement (one commit instead of one per event), refusals with
   *  their answers; each alone again if the database refuses one of them. Sequence numbers in
   *  order. */
  async receiveMany(d: Delivery, rows: Array<{ received: Received; answer?: Answer }>): Promise<number[]> {
    if (rows.length === 0) return [];
    try {
      return await this.insert(rows.map((x) => columnsOf(d, x.received, x.answer)));
    } catch (err) {
      if (!refusedContent(err)) throw err;
      const seqs: number[] = [];
      for (const x of rows) seqs.push(await this.receive(d, x.received, x.answer));
      return seqs;
    }
  }

  private async insert(rows: unknown[][]): Promise<number[]> {
    const values = rows.map(
      (_, i) =>
        `(${Array.from({ length: COLUMNS }, (_, j) => `$${i * COLUMNS + j + 1}`).join(',')}, CASE WHEN $${i * COLUMNS + 13}::int IS NULL THEN NULL ELSE now() END)`,
    );
    const res = await this.db.query<{ seq: string }>(
      `INSERT INTO inbox (source, event_id, event_type, subject, body, raw, raw_bytes, content_type, content_length,
                          remote_addr, request_id, batch_index, status, answer, answered_at)
       VALUES ${values.join(',')} RETURNING seq`,
      rows.flat(),
    );
    return res.rows.map((r) => Number(r.seq));
  }

  async answer(seq: number, a: Answer): Promise<void> {
    await this.db.query('UPDATE inbox SET status = $2, answer = $3, answered_at = now() WHERE seq = $1', [
      seq,
      a.status,
      JSON.stringify(jsonbSafe(a.body)),
    ]);
  }

  /** The answers of many rows (a batch's) in one statement. */
  async answerMany(rows: Array<{ seq: number; answer: Answer }>): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE inbox SET status = a.status, answer = a.answer, answered_at = now()
         FROM unnest($1::bigint[], $2::int[], $3::jsonb[]) AS a(seq, status, answer) WHERE inbox.seq = a.seq`,
      [
        rows.map((r) => r.seq),
        rows.map((r) => r.answer.status),
        rows.map((r) => JSON.stringify(jsonbSafe(r.answer.body))),
      ],
    );
  }

  /** The answer an earlier delivery of the same event got, if it was accepted. */
  async accepted(source: string, id: string, except: number): Promise<Answer | undefined> {
    const res = await this.db.query<{ answer: Record<string, unknown> }>(
      'SELECT answer FROM inbox WHERE source = $1 AND event_id = $2 AND status = 202 AND seq <> $3 ORDER BY seq LIMIT 1',
      [source, id, except],
    );
    return res.rows[0] ? { status: 202, body: res.rows[0].answer } : undefined;
  }

  /** The municipality of a grant of this measure that was accepted, or may still be: unanswered
   *  (in flight) or answered 503 (it may have reached the workflow). */
  async grantOf(subject: string): Promise<{ municipality: string; inFlight: boolean } | undefined> {
    const res = await this.db.query<{ municipality: string | null; status: number | null }>(
      `SELECT body->'data'->>'municipality' AS municipality, status FROM inbox
        WHERE subject = $1 AND event_type = 'measure.granted' AND (status IS NULL OR status IN (202, 503))
        ORDER BY seq DESC LIMIT 1`,
      [subject],
    );
    const row = res.rows[0];
    return row?.municipality ? { municipality: row.municipality, inFlight: row.status !== 202 } : undefined;
  }
}

const COLUMNS = 14;

/** One row's values, in the order insert() names the columns. */
function columnsOf(d: Delivery, r: Received, answer?: Answer): unknown[] {
  const o = r.item && typeof r.item === 'object' && !Array.isArray(r.item) ? (r.item as Record<string, unknown>) : {};
  let body: string | null = null;
  let raw: string | null = null;
  if (r.item !== undefined && fitsJsonb(r.item)) body = JSON.stringify(r.item);
  else if (r.item !== undefined) raw = stringify(r.item);
  else if (r.text !== undefined) raw = r.text;
  const bytes = (body === null && raw === null) || r.keepBytes ? (r.bytes ?? null) : null;
  const key = (v: unknown) => (typeof v === 'string' ? jsonbSafe(v.slice(0, 512)) : null);
  return [
    key(o.source),
    key(o.id),
    key(o.type),
    key(o.subject),
    body,
    raw,
    bytes,
    d.contentType?.slice(0, 512) ?? null,
    d.contentLength ?? null,
    d.remoteAddr ?? null,
    d.requestId ?? null,
    r.batchIndex ?? null,
    answer?.status ?? null,
    answer ? JSON.stringify(jsonbSafe(answer.body)) : null,
  ];
}

/** The same row with its content as bytes alone. */
function asBytes(row: unknown[], r: Received): unknown[] {
  const [body, raw, bytes] = row.slice(4, 7) as [string | null, string | null, Buffer | null];
  return [
    null,
    null,
    null,
    null,
    null,
    null,
    bytes ?? r.bytes ?? Buffer.from(raw ?? body ?? '', 'utf8'),
    ...row.slice(7),
  ];
}

/** Escaped JSON text (NUL and lone surrogates escaped); undefined when even that is impossible. */
function stringify(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null; // too deep for JSON.stringify: the bytes are kept instead
  }
}
