// Tells the case system about every escalation raised (the person at that level must act) and
// about every escalation resolved (they need not any more). The escalations table is the outbox;
// this loop delivers its undelivered notices as CloudEvents, at least once, and never holds up a
// measure's workflow while the case system is down. A resolution goes out only after its
// escalation did.
//
// One receiver's trouble delays only its own notices: deliveries run in parallel (a bound overall
// and per receiver), each with the receiver's timeout, and a receiver that fails is left alone for
// a back-off (5 s doubling to 10 minutes) while the others go on. A row is leased while it is in
// flight, for longer than the delivery can take, so neither this process nor another redelivers a
// notice whose delivery has not yet ended. Several processes may run it: rows are claimed with
// SKIP LOCKED.
import type { Pool } from 'pg';
import { EscalationRepository, type NoticeKind, type OutboxRow } from '../db/repositories/escalations';

export interface OutboxOptions {
  /** Where the case system receives notifications (POST, application/cloudevents+json): every municipality without its own receiver. */
  url?: string;
  /** A receiver of its own per municipality: { hjorring: 'https://…' }. */
  receivers?: Record<string, string>;
  pollMs?: number;
  /** Deliveries in flight at once, over all receivers (default 8). */
  maxInFlight?: number;
  /** Deliveries in flight at once to one receiver (default 4), so that a hanging one holds only these. */
  perReceiverInFlight?: number;
  /** How long one delivery may take before it counts as failed (default 10 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface EscalationNotice {
  specversion: '1.0';
  id: string;
  source: 'indsatsflow';
  type: 'indsatsflow.escalation.raised' | 'indsatsflow.escalation.resolved';
  time: string;
  subject: string;
  /** CloudEvents extension attribute: the measure is (municipality, subject). */
  municipality: string;
  data: {
    measureId: string;
    municipality: string;
    deadlineId: string;
    deadlineKind: string;
    dueOn: string;
    level: number;
    role: string;
    caseworkerId: string | null;
    teamId: string | null;
    /** On a resolution: when and how it ended. */
    resolvedAt?: string;
    resolution?: string;
  };
}

export function noticeOf(r: OutboxRow): EscalationNotice {
  return {
    specversion: '1.0',
    // Stable across redeliveries: the receiver deduplicates by id + source. A measureId is unique
    // only within its municipality, so the id names both.
    id: `escalation/${r.municipality}/${r.measure_id}/${r.deadline_id}/${r.due_on}/${r.level}`,
    source: 'indsatsflow',
    type: 'indsatsflow.escalation.raised',
    time: r.raised_at.toISOString(),
    subject: r.measure_id,
    municipality: r.municipality,
    data: {
      measureId: r.measure_id,
      municipality: r.municipality,
      deadlineId: r.deadline_id,
      deadlineKind: r.deadline_kind,
      dueOn: r.due_on,
      level: r.level,
      role: r.role,
      caseworkerId: r.caseworker_id,
      teamId: r.team_id,
    },
  };
}

/** The same escalation, ended: its own stable id, the raised notice's data plus how it ended. */
function resolutionNoticeOf(r: OutboxRow): EscalationNotice {
  const raised = noticeOf(r);
  return {
    ...raised,
    id: `${raised.id}/resolved`,
    type: 'indsatsflow.escalation.resolved',
    time: r.resolved_at!.toISOString(),
    data: { ...raised.data, resolvedAt: r.resolved_at!.toISOString(), resolution: r.resolution! },
  };
}

/** One notice claimed for delivery. */
interface Claimed {
  kind: NoticeKind;
  row: OutboxRow;
}

/** Backoff after a failed delivery: 5 s, 10 s, 20 s ... capped at 10 minutes. */
export const backoffSeconds = (attempts: number) => Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));

/** NOTIFY_URLS=hjorring=https://a/notify,haderslev=https://b/notify: a receiver per municipality. */
export function receiversFromEnv(text = process.env.NOTIFY_URLS ?? ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`NOTIFY_URLS: "${part}" is not municipality=url`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** One URL and the municipalities it receives for; `others` = every municipality not routed elsewhere. */
interface Receiver {
  url: string;
  municipalities: string[];
  others: boolean;
  inFlight: number;
  failures: number;
  blockedUntil: number;
}

function receiversOf(o: OutboxOptions): Receiver[] {
  const byUrl = new Map<string, Receiver>();
  const get = (url: string) => {
    let r = byUrl.get(url);
    if (!r) byUrl.set(url, (r = { url, municipalities: [], others: false, inFlight: 0, failures: 0, blockedUntil: 0 }));
    return r;
  };
  for (const [m, url] of Object.entries(o.receivers ?? {})) get(url).municipalities.push(m);
  if (o.url) get(o.url).others = true;
  return [...byUrl.values()];
}

type Outcome = { ok: true } | { ok: false; error: string; receiverTrouble: boolean };

async function post(
  url: string,
  notice: EscalationNotice,
  timeoutMs: number,
  stopping: AbortSignal,
): Promise<Outcome | 'stopped'> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(notice),
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stopping]),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return { ok: true };
    // A 4xx other than 429 is about this notice; 5xx and 429 are about the receiver.
    return { ok: false, error: `HTTP ${res.status}`, receiverTrouble: res.status >= 500 || res.status === 429 };
  } catch (err) {
    const e = err as Error;
    if (stopping.aborted) return 'stopped';
    const error =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : ((e.cause as Error | undefined)?.message ?? e.message);
    return { ok: false, error, receiverTrouble: true };
  }
}

export interface Outbox {
  stop(): Promise<void>;
  /** Deliveries in flight now (tests). */
  inFlight(): number;
}

/** Delivers until stopped. */
export function startOutbox(pool: Pool, o: OutboxOptions): Outbox {
  const escalations = new EscalationRepository(pool);
  const maxInFlight = o.maxInFlight ?? 8;
  const perReceiver = Math.min(o.perReceiverInFlight ?? 4, maxInFlight);
  const timeoutMs = o.timeoutMs ?? 10_000;
  // Longer than any delivery can take: a row is never handed out again while it is in flight.
  const leaseSeconds = Math.ceil(timeoutMs / 1000) + 30;
  const receivers = receiversOf(o);
  const routed = receivers.flatMap((r) => r.municipalities);
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  const wakeUp = () => wake?.();
  let lastError = '';

  /** Raised notices first, then resolutions, up to `limit`, in the receiver's scope: its
   *  municipalities, or (the default receiver) every one not routed elsewhere too. */
  const claim = async (r: Receiver, limit: number): Promise<Claimed[]> => {
    const scope = { municipalities: r.municipalities, others: r.others, routedElsewhere: routed };
    const raised = (await escalations.claimDue('raised', limit, leaseSeconds, scope)).map((row): Claimed => ({
      kind: 'raised',
      row,
    }));
    if (raised.length === limit) return raised;
    const resolved = await escalations.claimDue('resolved', limit - raised.length, leaseSeconds, scope);
    return [...raised, ...resolved.map((row): Claimed => ({ kind: 'resolved', row }))];
  };

  const deliver = async (r: Receiver, { kind, row }: Claimed): Promise<void> => {
    const notice = kind === 'raised' ? noticeOf(row) : resolutionNoticeOf(row);
    const outcome = await post(r.url, notice, timeoutMs, stopping.signal);
    if (outcome === 'stopped') {
      // Not delivered, not failed: free for the next run at once instead of after the lease.
      await escalations.release(kind, row.id);
      return;
    }
    if (outcome.ok) {
      r.failures = 0;
      r.blockedUntil = 0;
      if (kind === 'raised') await escalations.delivered(row.id);
      else await escalations.resolutionDelivered(row.id);
      return;
    }
    const attempts = (kind === 'raised' ? row.notify_attempts : row.resolution_attempts) + 1;
    // Deliveries that fail together (all timing out at once) are one failure of the receiver.
    if (outcome.receiverTrouble && r.blockedUntil <= Date.now()) {
      r.failures += 1;
      r.blockedUntil = Date.now() + backoffSeconds(r.failures) * 1000;
    }
    if (kind === 'raised') await escalations.deliveryFailed(row.id, attempts, outcome.error, backoffSeconds(attempts));
    else await escalations.resolutionFailed(row.id, attempts, outcome.error, backoffSeconds(attempts));
    // Identifiers only in the log: the row id, never names or case content.
    o.log?.(
      `escalation ${row.id}: ${kind === 'raised' ? 'delivery' : 'resolution delivery'} failed (${outcome.error}); attempt ${attempts}, next in ${backoffSeconds(attempts)} s`,
    );
  };

  /** Starts what the free slots allow; returns whether a receiver may have more waiting. */
  const fill = async (): Promise<boolean> => {
    let more = false;
    for (const r of receivers) {
      const free = Math.min(maxInFlight - inFlight.size, perReceiver - r.inFlight);
      if (stopped || free <= 0 || r.blockedUntil > Date.now()) continue;
      const rows = await claim(r, free);
      if (rows.length === free) more = true;
      for (const item of rows) {
        r.inFlight += 1;
        const p: Promise<void> = deliver(r, item)
          .catch((err) => o.log?.(`escalation ${item.row.id}: ${(err as Error).message}`))
          .finally(() => {
            r.inFlight -= 1;
            inFlight.delete(p);
            wakeUp();
          });
        inFlight.add(p);
      }
    }
    // Receivers take turns at the free slots.
    receivers.push(receivers.shift()!);
    return more && inFlight.size < maxInFlight;
  };

  const loop = (async () => {
    if (receivers.length === 0) return;
    while (!stopped) {
      try {
        if (await fill()) continue;
        lastError = '';
      } catch (err) {
        // The database is down: say so once, not every poll.
        const msg = (err as Error).message;
        if (msg !== lastError) o.log?.(`outbox: ${msg}`);
        lastError = msg;
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, o.pollMs ?? 2_000);
      });
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      stopping.abort();
      wakeUp();
      await loop;
      await Promise.all([...inFlight]);
    },
    inFlight: () => inFlight.size,
  };
}
