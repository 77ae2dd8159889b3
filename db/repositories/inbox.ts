// The inbox: every delivery is stored before it is judged, and its answer is stored before the
// answer is sent. Storing cannot fail on content: what jsonb cannot hold is kept as escaped JSON
// text or as bytes (db/jsonb.ts), and a row the database still refuses is stored again as bytes
// alone. What is stored is what arrived, less what must not be kept in clear, in every form it
// takes (body, text, bytes): anything shaped like a CPR number is masked, and the child's birth
// date is removed (the intake seals it in `sealed` where the measure type needs it). Each row
// knows who sent it and, once judged, for which municipality. Accepted events are found again by
// their idempotency key (municipality + source + id). After the retention period the contents are
// purged; who sent what, when, and the answer stay.
import { maskCpr, maskCprDeep } from '../../access/cpr';
import { fitsJsonb, jsonbSafe } from '../jsonb';
import type { Queryable } from '../queryable';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** What is known of a delivery before its body is read: kept with every row it yields. */
export interface Delivery {
  /** Who sent it (the guard's caller id), when known. */
  caller?: string;
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
/** The child's birth date as JSON text carries it: the key, then a string or a bare value. */
const BIRTH_DATE_IN_TEXT = /"childBirthDate"[ \t\r\n]*:[ \t\r\n]*(?:"(?:[^"\\]|\\.)*"|[^,}\]\s]+)/g;
export const BIRTH_DATE_MASK = '[fjernet]';

/** Text as the inbox keeps it: CPR-shaped parts masked, the child's birth date removed. */
export function maskText(text: string): string {
  return maskCpr(text).replace(BIRTH_DATE_IN_TEXT, `"childBirthDate":"${BIRTH_DATE_MASK}"`);
}

/** Bytes as the inbox keeps them, masked as text is. Read as Latin-1, one character per byte, so
 *  that bytes that are not UTF-8 come back unchanged; what is masked is ASCII, which in UTF-8 is
 *  never part of another character, so UTF-8 text is masked exactly as its decoded text would be. */
export function maskBytes(bytes: Buffer): Buffer {
  const latin1 = bytes.toString('latin1');
  const masked = maskText(latin1);
  return masked === latin1 ? bytes : Buffer.from(masked, 'latin1');
}

/** The stored copy of an item: CPR-shaped parts masked, the child's birth date removed (from its
 *  data, or from data kept as text: a binary-mode body that is not JSON). Only for items that fit
 *  jsonb, whose depth is bounded. */
export function inboxCopy(item: unknown): unknown {
  const masked = maskCprDeep(item);
  if (!masked || typeof masked !== 'object' || Array.isArray(masked)) return masked;
  const o = masked as Record<string, unknown>;
  const data = o.data;
  if (typeof data === 'string') return { ...o, data: maskText(data) };
  if (!data || typeof data !== 'object' || Array.isArray(data) || !('childBirthDate' in data)) return masked;
  const { childBirthDate: _dropped, ...rest } = data as Record<string, unknown>;
  return { ...o, data: rest };
}

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
                          remote_addr, request_id, batch_index, status, answer, caller, answered_at)
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

  /** The answers of many rows (a batch's) in one statement, each with the municipality it was
   *  judged for when the caller's key and the event named one. */
  async answerMany(rows: Array<{ seq: number; answer: Answer; municipality?: string }>): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE inbox SET status = a.status, answer = a.answer, answered_at = now(),
                        municipality = coalesce(a.municipality, inbox.municipality)
         FROM unnest($1::bigint[], $2::int[], $3::jsonb[], $4::text[]) AS a(seq, status, answer, municipality)
        WHERE inbox.seq = a.seq`,
      [
        rows.map((r) => r.seq),
        rows.map((r) => r.answer.status),
        rows.map((r) => JSON.stringify(jsonbSafe(r.answer.body))),
        rows.map((r) => r.municipality ?? null),
      ],
    );
  }

  /** Keeps the child's birth date, encrypted, beside the delivery (types with an age rule). */
  async seal(seq: number, sealed: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE inbox SET sealed = $2 WHERE seq = $1', [seq, JSON.stringify(sealed)]);
  }

  /** The answer an earlier delivery of the same event, in the same municipality, got, if it was
   *  accepted. */
  async accepted(municipality: string, source: string, id: string, except: number): Promise<Answer | undefined> {
    const res = await this.db.query<{ answer: Record<string, unknown> }>(
      `SELECT answer FROM inbox WHERE municipality = $1 AND source = $2 AND event_id = $3 AND status = 202 AND seq <> $4
        ORDER BY seq LIMIT 1`,
      [municipality, source, id, except],
    );
    return res.rows[0] ? { status: 202, body: res.rows[0].answer } : undefined;
  }

  /** The municipalities (among `scope`) of grants of this measure that were accepted, or may still
   *  be: unanswered (in flight) or answered 503 (it may have reached the workflow); newest first. */
  async grantsOf(scope: '*' | readonly string[], subject: string): Promise<string[]> {
    const res = await this.db.query<{ municipality: string }>(
      `SELECT DISTINCT ON (municipality) municipality FROM (
         SELECT body->'data'->>'municipality' AS municipality, seq FROM inbox
          WHERE subject = $1 AND event_type = 'measure.granted' AND (status IS NULL OR status IN (202, 503))) g
        WHERE municipality IS NOT NULL AND ($2::text[] IS NULL OR municipality = ANY($2))
        ORDER BY municipality, seq DESC`,
      [subject, scope === '*' ? null : scope],
    );
    return res.rows.map((r) => r.municipality);
  }

  /** Purges the contents (and sealed fields) of deliveries older than `days`; returns how many. */
  async purge(days: number): Promise<number> {
    const res = await this.db.query(
      `UPDATE inbox SET body = NULL, raw = NULL, raw_bytes = NULL, sealed = NULL, purged_at = now()
        WHERE purged_at IS NULL AND received_at < now() - make_interval(days => $1)`,
      [days],
    );
    return res.rowCount ?? 0;
  }
}

const COLUMNS = 15;

/** One row's values, in the order insert() names the columns. */
function columnsOf(d: Delivery, r: Received, answer?: Answer): unknown[] {
  const o = r.item && typeof r.item === 'object' && !Array.isArray(r.item) ? (r.item as Record<string, unknown>) : {};
  let body: string | null = null;
  let raw: string | null = null;
  if (r.item !== undefined && fitsJsonb(r.item)) body = JSON.stringify(inboxCopy(r.item));
  else if (r.item !== undefined) raw = mask(stringify(r.item));
  else if (r.text !== undefined) raw = maskText(r.text);
  const bytes = (body === null && raw === null) || r.keepBytes ? (r.bytes ? maskBytes(r.bytes) : null) : null;
  // Masked before it is cut: a CPR number across the cut would otherwise keep its first digits.
  const key = (v: unknown) => (typeof v === 'string' ? jsonbSafe(maskCpr(v).slice(0, 512)) : null);
  return [
    key(o.source),
    key(o.id),
    key(o.type),
    key(o.subject),
    body,
    raw,
    bytes,
    d.contentType === undefined ? null : jsonbSafe(maskCpr(d.contentType).slice(0, 512)),
    d.contentLength ?? null,
    d.remoteAddr ?? null,
    d.requestId ?? null,
    r.batchIndex ?? null,
    answer?.status ?? null,
    answer ? JSON.stringify(jsonbSafe(answer.body)) : null,
    d.caller ?? null,
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
    bytes ?? (r.bytes ? maskBytes(r.bytes) : Buffer.from(raw ?? body ?? '', 'utf8')),
    ...row.slice(7),
  ];
}

const mask = (text: string | null) => (text === null ? null : maskText(text));

/** Escaped JSON text (NUL and lone surrogates escaped); undefined when even that is impossible. */
function stringify(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null; // too deep for JSON.stringify: the bytes are kept instead
  }
}
