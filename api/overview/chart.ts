// The on-time rate per month as a server-rendered SVG bar chart: no script, no build step. The
// same figures are on the page as a table (the chart's text alternative for screen readers).
import { html, type Html } from './html';
import { percent } from './format';

export interface ChartPoint {
  label: string;
  short: string;
  rate: number | null;
  /** Deadlines that count toward the rate: due minus cancelled. */
  base: number;
}

const W = 760;
const H = 260;
const M = { top: 24, right: 16, bottom: 40, left: 48 };

const describe = (p: ChartPoint) => `${p.label} ${p.rate === null ? 'ingen frister' : percent(p.rate)}`;

export function rateChart(points: ChartPoint[], titleId: string, descId: string, title: string): Html {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const step = plotW / Math.max(points.length, 1);
  const barW = Math.min(40, step * 0.6);
  const y = (r: number) => M.top + plotH * (1 - r);
  const withData = points.filter((p) => p.rate !== null);
  const desc = withData.length
    ? `Andel frister overholdt pr. måned: ${points.map(describe).join('; ')}.`
    : 'Ingen frister faldt i perioden.';
  return html`<svg
    viewBox="0 0 ${W} ${H}"
    width="100%"
    role="img"
    aria-labelledby="${titleId} ${descId}"
    class="chart"
    focusable="false"
  >
    <title id="${titleId}">${title}</title>
    <desc id="${descId}">${desc}</desc>
    ${[0, 0.25, 0.5, 0.75, 1].map(
      (t) =>
        html`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" class="grid" />
          <text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end" class="axis">${Math.round(t * 100)} %</text>`,
    )}
    ${points.map((p, i) => {
      const cx = M.left + step * i + step / 2;
      const bar =
        p.rate === null
          ? html`<text x="${cx}" y="${y(0) - 6}" text-anchor="middle" class="none">–</text>`
          : html`<rect
                x="${cx - barW / 2}"
                y="${y(p.rate)}"
                width="${barW}"
                height="${Math.max(plotH * p.rate, 0)}"
                class="bar"
              />
              <text x="${cx}" y="${y(p.rate) - 6}" text-anchor="middle" class="value"
                >${Math.round(p.rate * 100)}</text
              >`;
      return html`<g
        >${bar}<text x="${cx}" y="${H - M.bottom + 18}" text-anchor="middle" class="axis">${p.short}</text></g
      >`;
    })}
  </svg>`;
}
