// The overview's stylesheet, inline (one request, no build step). Colours meet WCAG 2.1 AA
// contrast on white (text ≥ 4.5:1, bars and focus ring ≥ 3:1); focus is always visible.
export const STYLE = `
:root { --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --accent: #1a4f8b; --bad: #a3161b; --bg: #f4f5f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, select:focus-visible, summary:focus-visible, input:focus-visible {
  outline: 3px solid #f2a900; outline-offset: 2px; box-shadow: 0 0 0 5px #1b1b1b; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; }
header, main, footer { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 1.75rem; margin: .25rem 0; }
h2 { font-size: 1.35rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
.lead { color: var(--muted); margin: 0 0 1rem; }
form.filter { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: flex-end; }
form.filter label { display: block; font-weight: 600; }
select, button { font: inherit; padding: .4rem .6rem; border: 1px solid #5a5a5a; border-radius: 4px;
  background: #fff; color: var(--ink); min-height: 2.5rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; cursor: pointer; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; list-style: none; padding: 0; margin: 0; }
.tile { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.tile h3 { margin: 0; font-size: 1rem; font-weight: 600; }
.tile .value { font-size: 2.25rem; font-weight: 700; margin: .25rem 0; line-height: 1.2; }
.tile p { margin: 0; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td:first-child a { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.level-2 .level, tr.level-3 .level { color: var(--bad); font-weight: 600; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .bar { fill: var(--accent); }
.chart .axis, .chart .none { fill: var(--muted); font-size: 12px; }
.chart .value { fill: var(--ink); font-size: 12px; font-weight: 600; }
.actions { margin: .25rem 0; }
.note { color: var(--muted); font-size: .95rem; }
details { margin: .5rem 0; }
summary { cursor: pointer; color: var(--accent); }
footer { color: var(--muted); font-size: .9rem; border-top: 1px solid var(--line); margin-top: 2rem; }
`;
