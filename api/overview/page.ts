// The /overblik page in Danish: server-rendered HTML, one request, no script. Built for keyboard
// and screen reader (WCAG 2.1 AA): a skip link, one h1 and ordered headings, labelled form fields,
// tables with captions and header scopes, an SVG chart with a text alternative and its figures
// as a table, visible focus.
import type { DeadlineCounts } from '../../db/repositories/compliance';
import type { MunicipalityPolicy } from '../../policies/types';
import { rateChart } from './chart';
import { danishDate, percent } from './format';
import { Html, html } from './html';
import { PAGE_LIMIT, UPCOMING_DAYS, type Overview, type OverdueRow, type UpcomingRow } from './model';
import { STYLE } from './style';

export interface Choice {
  municipalities: MunicipalityPolicy[];
  municipality?: string;
  teams: string[];
  teamId?: string;
}

function layout(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="da">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <a class="skip" href="#indhold">Spring til indhold</a>
        ${body}
      </body>
    </html> `.text;
}

function query(o: { municipality: string; teamId?: string }): string {
  const p = new URLSearchParams({ municipality: o.municipality });
  if (o.teamId) p.set('teamId', o.teamId);
  return p.toString();
}

function option(value: string, text: string, chosen: string | undefined): Html {
  return html`<option value="${value}" ${value === chosen ? html` selected` : ''}>${text}</option>`;
}

function filterForm(c: Choice): Html {
  return html`<form class="filter" method="get" action="/overblik" aria-label="Vælg kommune og team">
    <div>
      <label for="kommune">Kommune</label>
      <select id="kommune" name="municipality">
        ${c.municipalities.map((m) => option(m.municipality, m.name, c.municipality))}
      </select>
    </div>
    <div>
      <label for="team">Team</label>
      <select id="team" name="teamId" aria-describedby="team-hint">
        <option value="">Alle teams</option>
        ${c.teams.map((t) => option(t, t, c.teamId))}
      </select>
    </div>
    <button type="submit">Vis overblik</button>
    <p id="team-hint" class="note">
      Teamlisten viser den valgte kommunes teams; skift kommune og vælg “Vis overblik” først.
    </p>
  </form>`;
}

/** Without a municipality: the form alone. */
export function choicePage(c: Choice): string {
  return layout(
    'Overblik over frister – Indsatsflow',
    html`<header>
        <h1>Overblik over frister</h1>
        ${filterForm(c)}
      </header>
      <main id="indhold">
        <p>
          Vælg en kommune for at se, hvor mange frister der er overholdt, hvad der er over fristen, og hvad der falder
          de næste ${UPCOMING_DAYS} dage.
        </p>
      </main>`,
  );
}

export function notFoundPage(c: Choice, message: string): string {
  return layout(
    'Ikke fundet – Overblik – Indsatsflow',
    html`<header>
        <h1>Overblik over frister</h1>
        ${filterForm(c)}
      </header>
      <main id="indhold"><p role="alert">${message}</p></main>`,
  );
}

function countsLine(c: DeadlineCounts): string {
  if (c.due === 0) return 'Ingen frister er faldet i perioden endnu.';
  const base = c.due - c.cancelled;
  const cancelled = c.cancelled ? `, ${c.cancelled} bortfaldet` : '';
  return `${c.metOnTime} af ${base} frister overholdt; ${c.metLate} for sent, ${c.overdue} ikke overholdt${cancelled}.`;
}

function tile(id: string, heading: string, value: string, detail: string): Html {
  return html`<li class="tile" id="${id}" aria-labelledby="${id}-h">
    <h3 id="${id}-h">${heading}</h3>
    <p class="value">${value}</p>
    <p>${detail}</p>
  </li>`;
}

function quarterTile(id: string, q: Overview['thisQuarter']): Html {
  return tile(id, `Frister overholdt, ${q.period.label}`, percent(q.counts.onTimeRate), countsLine(q.counts));
}

function tiles(o: Overview): Html {
  const s = o.statutory.counts;
  const e = o.escalations;
  const levels = Object.entries(e.byLevel)
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([level, n]) => `${n} på niveau ${level}`)
    .join(', ');
  return html`<section aria-labelledby="noegletal">
    <h2 id="noegletal">Nøgletal</h2>
    <ul class="tiles">
      ${quarterTile('kvartal', o.thisQuarter)} ${quarterTile('forrige-kvartal', o.lastQuarter)}
      ${tile(
        'lovkrav',
        'Første opfølgning inden 3 måneder (Barnets Lov § 95), seneste 12 måneder',
        percent(s.onTimeRate),
        s.due === 0
          ? 'Ingen indsatser havde fristen i perioden.'
          : `${s.metOnTime} af ${s.due} indsatser; ${s.metLate} for sent, ${s.overdue} mangler.`,
      )}
      ${tile(
        'eskaleringer',
        'Åbne eskaleringer',
        String(e.total),
        e.total === 0
          ? 'Ingen frister over fristen er eskaleret.'
          : `Frister over fristen, som er eskaleret: ${levels}.`,
      )}
    </ul>
    <details>
      <summary>Sådan tælles tallene</summary>
      <p>
        En frist tæller i den periode, den faldt i. Den er overholdt, når den er opfyldt senest på dagen; for sent, når
        den er opfyldt efter; ikke overholdt, når den stadig er åben efter dagen, eller når indsatsen er lukket efter
        dagen uden at den blev opfyldt. En frist er bortfaldet, når indsatsen er lukket inden fristen. Andelen er
        overholdte frister delt med de faldne frister minus de bortfaldne. Frister, der endnu ikke er faldet, tæller
        ikke.
      </p>
      <p>
        Lovkravet tæller hver indsats, Barnets Lov § 95 gælder for, én gang: første opfølgning skal være holdt senest 3
        måneder efter indsatsens start. En indsats, der er lukket inden da uden opfølgning, tæller ikke.
      </p>
    </details>
  </section>`;
}

interface Column<R> {
  head: string;
  num?: boolean;
  cell: (r: R) => Html | string | number;
  /** The row's header cell (scope="row") instead of a data cell. */
  rowHeader?: boolean;
}

/** A table with a caption and scoped column headers; `attrs` go on the table element. */
function dataTable<R>(attrs: Html, caption: string, columns: Column<R>[], rows: R[], rowAttrs?: (r: R) => Html): Html {
  const cls = (c: Column<R>) => (c.num ? html` class="num"` : '');
  return html`<table ${attrs}>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col" ${cls(c)}>${c.head}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) => html`<tr${rowAttrs ? html` ${rowAttrs(r)}` : ''}>${columns.map((c) =>
          c.rowHeader ? html`<th scope="row">${c.cell(r)}</th>` : html`<td${cls(c)}>${c.cell(r)}</td>`,
        )}</tr>
  `,
      )}
    </tbody>
  </table>`;
}

type Month = Overview['months'][number];

const MONTH_COLUMNS: Column<Month>[] = [
  { head: 'Måned', rowHeader: true, cell: (m) => m.period.label },
  { head: 'Faldne', num: true, cell: (m) => m.counts.due },
  { head: 'Overholdt', num: true, cell: (m) => m.counts.metOnTime },
  { head: 'For sent', num: true, cell: (m) => m.counts.metLate },
  { head: 'Ikke overholdt', num: true, cell: (m) => m.counts.overdue },
  { head: 'Bortfaldet', num: true, cell: (m) => m.counts.cancelled },
  { head: 'Andel overholdt', num: true, cell: (m) => percent(m.counts.onTimeRate) },
];

function chart(o: Overview): Html {
  const points = o.months.map((m) => ({
    label: m.period.label,
    short: m.period.short,
    rate: m.counts.onTimeRate,
    base: m.counts.due - m.counts.cancelled,
  }));
  return html`<section aria-labelledby="udvikling">
    <h2 id="udvikling">Andel overholdte frister pr. måned</h2>
    <figure>
      ${rateChart(points, 'graf-titel', 'graf-beskrivelse', 'Andel overholdte frister pr. måned, seneste 12 måneder')}
      <figcaption class="note">
        Søjlerne viser andelen af frister, der faldt i måneden og blev overholdt; “–” betyder, at ingen frister faldt.
      </figcaption>
    </figure>
    <details>
      <summary>Tallene bag grafen</summary>
      ${dataTable(
        html`id="maaneder"`,
        'Frister pr. måned, seneste 12 måneder',
        MONTH_COLUMNS,
        o.months,
        (m) => html`data-month="${m.period.key}"`,
      )}
    </details>
  </section>`;
}

function workflowLink(r: { measureId: string; workflowUrl: string }): Html {
  return html`<a href="${r.workflowUrl}" aria-describedby="temporal-hint">${r.measureId}</a>`;
}

const due = (r: { dueOn: string }) => html`<time datetime="${r.dueOn}">${danishDate(r.dueOn)}</time>`;

const OVERDUE_COLUMNS: Column<OverdueRow>[] = [
  { head: 'Indsats', cell: workflowLink },
  { head: 'Indsatstype', cell: (r) => r.measureType },
  { head: 'Frist', cell: (r) => r.deadline },
  { head: 'Forfaldsdato', cell: due },
  { head: 'Dage over tid', num: true, cell: (r) => r.daysOverdue },
  { head: 'Eskaleringsniveau', cell: (r) => html`<span class="level">${r.escalation}</span>` },
  { head: 'Sagsbehandler', cell: (r) => r.caseworkerId },
];

const UPCOMING_COLUMNS: Column<UpcomingRow>[] = [
  { head: 'Indsats', cell: workflowLink },
  { head: 'Indsatstype', cell: (r) => r.measureType },
  { head: 'Frist', cell: (r) => r.deadline },
  { head: 'Forfaldsdato', cell: due },
  { head: 'Dage til', num: true, cell: (r) => r.daysLeft },
];

function csvLink(file: string, q: string): Html {
  return html`<p class="actions"><a href="/overblik/${file}?${q}" download>Hent listen som CSV (Excel)</a></p>`;
}

function overdueTable(o: Overview, q: string): Html {
  const shown = o.overdue.length;
  const cut = shown >= PAGE_LIMIT ? ` (de ${PAGE_LIMIT} ældste; hele listen er i CSV-filen)` : '';
  const caption = `${shown} frister over tid, de ældste først${cut}`;
  return html`<section aria-labelledby="forfaldne">
    <h2 id="forfaldne">Frister over tid</h2>
    ${csvLink('forfaldne.csv', q)}
    <p id="temporal-hint" class="note">Indsatsens id åbner dens workflow i Temporal UI.</p>
    ${
      shown === 0
        ? html`<p>Ingen åbne frister er over tid.</p>`
        : dataTable(
            html`id="forfaldne-tabel"`,
            caption,
            OVERDUE_COLUMNS,
            o.overdue,
            (r) => html`class="level-${r.escalationLevel}"`,
          )
    }
  </section>`;
}

function upcomingTables(o: Overview, q: string): Html {
  const byCaseworker = new Map<string, UpcomingRow[]>();
  for (const r of o.upcoming) byCaseworker.set(r.caseworkerId, [...(byCaseworker.get(r.caseworkerId) ?? []), r]);
  const perCaseworker = [...byCaseworker].map(([cw, rows]) => {
    const who = `sagsbehandler ${cw || '(ikke angivet)'}`;
    const caption = `${rows.length} ${rows.length === 1 ? 'frist' : 'frister'} for ${who}`;
    return html`<h3>Sagsbehandler ${cw || '(ikke angivet)'}</h3>
      ${dataTable(html`class="kommende-tabel" data-caseworker="${cw}"`, caption, UPCOMING_COLUMNS, rows)}`;
  });
  return html`<section aria-labelledby="kommende">
    <h2 id="kommende">Frister de næste ${UPCOMING_DAYS} dage</h2>
    <p class="lead">Fra ${danishDate(o.today)} til ${danishDate(o.upcomingTo)}, pr. sagsbehandler.</p>
    ${csvLink('kommende.csv', q)}
    ${o.upcoming.length === 0 ? html`<p>Ingen frister falder de næste ${UPCOMING_DAYS} dage.</p>` : perCaseworker}
  </section>`;
}

export function overviewPage(o: Overview, c: Choice): string {
  const q = query({ municipality: o.municipality.municipality, teamId: o.teamId });
  const who = o.teamId ? `team ${o.teamId}` : 'alle teams';
  return layout(
    `Overblik – ${o.municipality.name}${o.teamId ? ` – ${o.teamId}` : ''} – Indsatsflow`,
    html`<header>
        <h1>Overblik over frister</h1>
        <p class="lead">${o.municipality.name}, ${who}. Opgjort ${danishDate(o.today)}.</p>
        ${filterForm(c)}
      </header>
      <main id="indhold">${tiles(o)} ${chart(o)} ${overdueTable(o, q)} ${upcomingTables(o, q)}</main>
      <footer>
        <p>Indsatsflow · tallene er beregnet fra fristerne, som de står nu · <a href="/docs">API-dokumentation</a></p>
      </footer>`,
  );
}
