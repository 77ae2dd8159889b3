// `npm run policy -- <command>`: the administrators' command line, over the API's HTTP interface
// (INDSATSFLOW_API, default http://127.0.0.1:3000). The same operations as /v1/policies.
//
//   show <municipality> [--version N]
//   versions <municipality> [--diff FROM TO]
//   set-timer <municipality> <measure-type|-> <timer> <duration|MIN..MAX> --effective-from DATE --reason TEXT [--dry-run | --apply] [--author NAME]
//   rollback <municipality> <version> --effective-from DATE --reason TEXT [--dry-run | --apply]
//   rollout status [<id>] [--municipality M]
//   rollout stop <id>
import { parseArgs } from 'node:util';

const API = (process.env.INDSATSFLOW_API ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const USAGE = `usage: npm run policy -- <command>
  show <municipality> [--version N]                 the timers of the version in force (or N)
  versions <municipality> [--diff FROM TO]          every version; what changed between two
  set-timer <municipality> <measure-type|-> <timer> <duration|MIN..MAX>
            --effective-from YYYY-MM-DD --reason TEXT [--dry-run (default) | --apply] [--author NAME]
            timer: first-follow-up, follow-up, startup-meeting, treatment-plan, reassessment, an
            obligation kind, or escalation-<role> (measure type "-")
  rollback <municipality> <version> --effective-from YYYY-MM-DD --reason TEXT [--dry-run | --apply]
  rollout status [<id>] [--municipality M]
  rollout stop <id>
API: ${API} (INDSATSFLOW_API)`;

async function call(method: string, path: string, body?: unknown, author?: string): Promise<any> {
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        'x-indsatsflow-user': author ?? process.env.USER ?? 'cli',
        // A policy-admin's API key (or access token), else the platform administrators' token.
        ...(process.env.INDSATSFLOW_API_KEY || process.env.INDSATSFLOW_ADMIN_TOKEN
          ? { authorization: `Bearer ${process.env.INDSATSFLOW_API_KEY || process.env.INDSATSFLOW_ADMIN_TOKEN}` }
          : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new Failure(`cannot reach ${API}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (res.status >= 400) {
    const lines = [`${res.status} ${data?.error ?? ''}: ${data?.message ?? text}`];
    if (data?.paragraph) lines.push(`  forbidden by ${data.paragraph} (limit ${data.limit})`);
    for (const i of data?.issues ?? []) lines.push(`  ${i.path}: ${i.message}`);
    throw new Failure(lines.join('\n'));
  }
  return data;
}

class Failure extends Error {}

/** A readable table: columns padded to their widest cell, numbers right-aligned. */
export function table(headers: string[], rows: Array<Array<unknown>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function printPreview(r: any) {
  const p = r.preview;
  console.log(
    `DRY RUN — ${r.change.summary}: would become version ${r.version} of ${r.municipality}, effective ${r.effectiveFrom} (reaches measures ${r.startsAt})`,
  );
  console.log(`measure types: ${r.measureTypes.join(', ')}`);
  console.log(
    `running measures: ${p.runningMeasures}; affected: ${p.affectedMeasures}; deadlines moved: ${p.movedDeadlines}; overdue at once: ${p.becomeOverdueAtOnce}; no longer overdue: ${p.stopBeingOverdue}; escalations due at once: ${p.escalationsDueAtOnce}`,
  );
  const kinds = Object.entries(p.byKind as Record<string, any>);
  if (kinds.length)
    console.log(
      '\n' +
        table(
          ['deadline', 'moved', 'min days', 'max days'],
          kinds.map(([k, v]) => [k, v.moved, v.minDays, v.maxDays]),
        ),
    );
  if (p.measures.length) {
    console.log(
      '\n' +
        table(
          ['measure', 'type', 'team', 'deadline', 'from', 'to', 'days', 'overdue'],
          p.measures
            .slice(0, 20)
            .flatMap((m: any) =>
              m.moved.map((d: any) => [
                m.measureId,
                m.measureType,
                m.teamId ?? '',
                d.kind,
                d.from,
                d.to,
                d.days,
                d.wasOverdue === d.overdue ? (d.overdue ? 'still' : '') : d.overdue ? 'BECOMES' : 'stops',
              ]),
            ),
        ),
    );
    if (p.measures.length > 20 || p.measuresTruncated) console.log(`... and more (${p.affectedMeasures} affected)`);
  }
  const w = p.workload;
  console.log(`\nfollow-ups due per week from ${w.from} (before → after):`);
  const rows = w.teams.map((t: any) => [
    t.teamId,
    t.before.reduce((a: number, b: number) => a + b, 0),
    t.after.reduce((a: number, b: number) => a + b, 0),
    ...t.before.slice(0, 12).map((b: number, i: number) => (b === t.after[i] ? String(b) : `${b}→${t.after[i]}`)),
  ]);
  console.log(
    table(['team', 'total before', 'total after', ...Array.from({ length: 12 }, (_, i) => `w${i + 1}`)], rows),
  );
  console.log(`\n(preview computed in ${p.timing.loadMs + p.timing.computeMs} ms; apply with --apply)`);
}

async function main(argv: string[]) {
  const args = argv[0] === 'policy' ? argv.slice(1) : argv;
  const { values: o, positionals: pos } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      diff: { type: 'boolean' },
      'effective-from': { type: 'string' },
      reason: { type: 'string' },
      author: { type: 'string' },
      'dry-run': { type: 'boolean' },
      apply: { type: 'boolean' },
      municipality: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, ...rest] = pos;
  if (!cmd || o.help) return console.log(USAGE);
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new Failure(`missing ${what}\n\n${USAGE}`);
    return v;
  };
  const out = (data: unknown, human: () => void) => (o.json ? console.log(JSON.stringify(data, null, 2)) : human());

  switch (cmd) {
    case 'show': {
      const m = need(rest[0], '<municipality>');
      const r = await call('GET', `/v1/policies/${m}${o.version ? `?version=${o.version}` : ''}`);
      return out(r, () => {
        console.log(
          `${r.policy.name} — version ${r.shownVersion} (in force: ${r.versionInForce}, latest: ${r.latestVersion})\n`,
        );
        console.log(
          table(
            ['measure type', 'timer', 'rule', 'source'],
            r.policy.measureTypes.flatMap((t: any) =>
              t.timers.map((x: any) => [t.slug, x.timer, x.rule, x.sourceText]),
            ),
          ),
        );
        console.log(
          '\n' +
            table(
              ['level', 'role', 'after overdue'],
              r.policy.escalation.map((e: any) => [e.level, `escalation-${e.role}`, e.after]),
            ),
        );
      });
    }
    case 'versions': {
      const m = need(rest[0], '<municipality>');
      const q = o.diff ? `?from=${need(rest[1], 'FROM')}&to=${need(rest[2], 'TO')}` : '';
      const r = await call('GET', `/v1/policies/${m}/versions${q}`);
      return out(r, () => {
        console.log(
          table(
            ['version', 'effective', 'in force', 'author', 'created', 'change', 'reason'],
            r.versions.map((v: any) => [
              v.version,
              v.effectiveFrom,
              v.inForce ? 'yes' : '',
              v.author,
              v.createdAt.slice(0, 16).replace('T', ' '),
              v.change?.summary ?? '(catalogue)',
              v.reason,
            ]),
          ),
        );
        if (r.diff) {
          console.log(`\nversion ${r.diff.from} → ${r.diff.to}:`);
          console.log(
            r.diff.changes.length
              ? table(
                  ['path', 'from', 'to'],
                  r.diff.changes.map((c: any) => [c.path, show(c.from), show(c.to)]),
                )
              : '(no difference)',
          );
        }
      });
    }
    case 'set-timer': {
      const [m, type, timer, dur] = [
        need(rest[0], '<municipality>'),
        need(rest[1], '<measure-type|->'),
        need(rest[2], '<timer>'),
        need(rest[3], '<duration>'),
      ];
      if (o.apply && o['dry-run']) throw new Failure('--dry-run and --apply exclude each other');
      const duration = dur.includes('..') ? { min: dur.split('..')[0], max: dur.split('..')[1] } : dur;
      const body = {
        ...(type === '-' ? {} : { measureType: type }),
        timer,
        duration,
        effectiveFrom: need(o['effective-from'], '--effective-from'),
        reason: need(o.reason, '--reason'),
        dryRun: !o.apply,
        ...(o.author ? { author: o.author } : {}),
      };
      const r = await call('PATCH', `/v1/policies/${m}/timers`, body, o.author);
      return out(r, () =>
        r.dryRun
          ? printPreview(r)
          : console.log(
              `version ${r.version} stored: ${r.change.summary}\nrollout ${r.rollout.id} ${r.rollout.status}, reaches measures ${r.rollout.startsAt}\nfollow it: npm run policy -- rollout status ${r.rollout.id}`,
            ),
      );
    }
    case 'rollback': {
      const m = need(rest[0], '<municipality>');
      const body = {
        rollbackTo: Number(need(rest[1], '<version>')),
        effectiveFrom: need(o['effective-from'], '--effective-from'),
        reason: need(o.reason, '--reason'),
        dryRun: !o.apply,
      };
      const r = await call('POST', `/v1/policies/${m}/versions`, body, o.author);
      return out(r, () =>
        r.dryRun
          ? printPreview(r)
          : console.log(`version ${r.version} stored: ${r.change.summary}; rollout ${r.rollout.id}`),
      );
    }
    case 'rollout': {
      const [sub, id] = rest;
      if (sub === 'stop') {
        const r = await call('POST', `/v1/policies/rollouts/${need(id, '<id>')}/stop`);
        return out(r, () => console.log(`rollout ${r.id}: stopping after the current batch`));
      }
      if (sub !== 'status') throw new Failure(`unknown rollout command ${sub ?? ''}\n\n${USAGE}`);
      const list = id
        ? [await call('GET', `/v1/policies/rollouts/${id}`)]
        : await call('GET', `/v1/policies/rollouts${o.municipality ? `?municipality=${o.municipality}` : ''}`);
      return out(list, () =>
        console.log(
          table(
            [
              'rollout',
              'status',
              'temporal',
              'starts',
              'total',
              'visited',
              'moved',
              'updated',
              'already',
              'closed',
              'superseded',
              'failed',
              '/s',
              'reason',
            ],
            list.map((r: any) => [
              r.id,
              r.status,
              r.temporalStatus ?? '',
              r.startsAt.slice(0, 16).replace('T', ' '),
              r.total ?? '',
              r.visited,
              ...['moved', 'updated', 'already', 'closed', 'superseded', 'failed'].map((k) => r.outcomes[k] ?? 0),
              r.movedPerSecond ?? '',
              r.reason,
            ]),
          ),
        ),
      );
    }
    default:
      throw new Failure(`unknown command ${cmd}\n\n${USAGE}`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Failure ? err.message : err);
    process.exit(err instanceof Failure ? 1 : 2);
  });
}
