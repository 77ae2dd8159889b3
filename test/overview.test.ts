// The compliance figures over HTTP and the /overblik page in a real browser (Debian's chromium,
// driven by playwright-core), against the real stack with a seeded municipality. Every expected
// figure is worked out by hand from the table in support/overview-seed.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseCsv } from '../api/overview/csv';
import { monthOf } from '../api/overview/periods';
import { addToDate } from '../machines/dates';
import { measureWorkflowId } from '../workflows/ids';
import { overviewMunicipality } from './fixtures/overview-policy';
import { testMunicipality } from './fixtures/test-policy';
import { catalogueSource } from '../policies/source';
import { MUNICIPALITY, seedOverview, type Seeded } from './support/overview-seed';
import { eventually, startTestStack, type TestStack } from './support/stack';

const UI = 'http://temporal-ui.test:8233';
const OUT = join(__dirname, '..', 'test-output');

function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' })
      .trim()
      .split('\n')[0];
  } catch {
    throw new Error('chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
  }
}

/** Text as a reader sees it: runs of white space (including no-break spaces) as one space. */
const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

describe('compliance figures and the overview page', { timeout: 300_000 }, () => {
  let s: TestStack;
  let seeded: Seeded;
  let id: (label: string) => string;

  before(async () => {
    s = await startTestStack({
      policies: catalogueSource([testMunicipality(), overviewMunicipality()]),
      temporalUiUrl: UI,
    });
    seeded = await seedOverview(s);
    id = seeded.id;
    // Back-dated deadlines are escalated at once (three levels); N8 falls due 2 s after its grant.
    await eventually(
      async () => {
        const csv = parseCsv(
          await (await fetch(`${s.apiUrl}/overblik/forfaldne.csv?municipality=${MUNICIPALITY}`)).text(),
        );
        const levels = csv.slice(1).map((r) => r[5]);
        return (
          csv.length === 6 &&
          levels.join('|') ===
            [
              '3 · afdelingsleder',
              '3 · afdelingsleder',
              '3 · afdelingsleder',
              '3 · afdelingsleder',
              '1 · sagsbehandler',
            ].join('|')
        );
      },
      'five overdue deadlines, escalated',
      60_000,
    );
  });
  after(async () => {
    await s?.stop();
  });

  describe('GET /v1/compliance', () => {
    const get = (q: string) => s.get(`/v1/compliance?municipality=${MUNICIPALITY}&${q}`);

    it('counts last quarter: on time, late, overdue (a closure after the due date included), cancelled', async () => {
      const { from, to } = seeded.lastQuarter;
      const r = await get(`from=${from}&to=${to}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body, {
        from,
        to,
        groups: [
          {
            key: 'all',
            // N1 N2 S3 on time; N3 S1 late; N4 S2 open and N6 closed after its due date; N5 closed before.
            deadlines: { due: 9, metOnTime: 3, metLate: 2, overdue: 3, cancelled: 1, onTimeRate: 3 / 8 },
            // § 95 dates 3 months after D-28 fall in last quarter: N1 N2 N3 S1 S3 on time, N4 S2 missing; N5 N6 closed first.
            statutoryFirstFollowUp: { due: 7, metOnTime: 5, metLate: 0, overdue: 2, onTimeRate: 5 / 7 },
            medianDaysLate: 8.5, // 5 and 12 days
          },
        ],
      });
    });

    it('groups by team and by caseworker', async () => {
      const { from, to } = seeded.lastQuarter;
      const teams = (await get(`from=${from}&to=${to}&groupBy=team`)).body.groups;
      assert.deepEqual(
        teams.map((g: any) => [g.key, g.deadlines, g.statutoryFirstFollowUp.onTimeRate, g.medianDaysLate]),
        [
          ['team-nord', { due: 6, metOnTime: 2, metLate: 1, overdue: 2, cancelled: 1, onTimeRate: 2 / 5 }, 3 / 4, 5],
          ['team-syd', { due: 3, metOnTime: 1, metLate: 1, overdue: 1, cancelled: 0, onTimeRate: 1 / 3 }, 2 / 3, 12],
        ],
      );
      const cws = (await get(`from=${from}&to=${to}&groupBy=caseworker`)).body.groups;
      assert.deepEqual(
        cws.map((g: any) => [g.key, g.deadlines.due, g.deadlines.onTimeRate]),
        [
          ['cw-a', 3, 1], // N1 N2 on time, N5 cancelled
          ['cw-b', 3, 0], // N3 late, N4 overdue, N6 missed
          ['cw-c', 3, 1 / 3],
        ],
      );
    });

    it('groups by month, every month of the window, and by measure type over twelve months', async () => {
      const from = monthOf(addToDate(seeded.today, '-P11M')).from;
      const months = (await get(`from=${from}&groupBy=month`)).body;
      assert.equal(months.to, seeded.today);
      assert.equal(months.groups.length, 12);
      const dMonth = months.groups.find((g: any) => g.key === seeded.d.slice(0, 7));
      assert.equal(dMonth.deadlines.onTimeRate, 3 / 8);
      const thisMonth = months.groups[11];
      assert.equal(thisMonth.key, seeded.today.slice(0, 7));
      // N7 S4 on time, N8 overdue (2 s), N10 cancelled; N9 not yet overdue does not count.
      assert.deepEqual(thisMonth.deadlines, {
        due: 4,
        metOnTime: 2,
        metLate: 0,
        overdue: 1,
        cancelled: 1,
        onTimeRate: 2 / 3,
      });

      const types = (await get(`from=${addToDate(seeded.today, '-P1Y')}&groupBy=measureType`)).body.groups;
      assert.deepEqual(
        types.map((g: any) => g.key),
        ['familiestoette', 'hurtig-opfoelgning', 'raadgivning'],
      );
      const rg = types.find((g: any) => g.key === 'raadgivning');
      assert.deepEqual(
        [rg.deadlines.due, rg.deadlines.overdue, rg.statutoryFirstFollowUp.due],
        [1, 1, 0],
        'P3 overdue; § 95 does not cover it',
      );
      const fam = types.find((g: any) => g.key === 'familiestoette');
      // N1-N6 S1-S3 P1 P2 S6 + this month's N7 N10 S4: § 95 over the year: 6 on time, P2 late, N4 S2 S6 missing.
      assert.deepEqual(fam.statutoryFirstFollowUp, { due: 10, metOnTime: 6, metLate: 1, overdue: 3, onTimeRate: 0.6 });
    });

    it('refuses a bad window or grouping with 400 and what was wrong', async () => {
      const bad = await get('from=2026-02-30');
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /calendar date/);
      const order = await get('from=2026-05-01&to=2026-04-01');
      assert.equal(order.status, 400);
      assert.match(JSON.stringify(order.body), /from must not be after to/);
      const group = await get('groupBy=weekday');
      assert.equal(group.status, 400);
      assert.match(JSON.stringify(group.body), /groupBy/);
    });
  });

  describe('/overblik in chromium', () => {
    let browser: Browser;
    let page: Page;
    before(async () => {
      browser = await chromium.launch({
        executablePath: chromiumPath(),
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'da-DK' });
    });
    after(async () => {
      await browser?.close();
    });

    const tile = async (name: string) => norm(await page.textContent(`#${name} .value`));
    const overdueIds = () =>
      page.$$eval('#forfaldne-tabel tbody tr', (rows) => rows.map((r) => r.querySelector('td a')!.textContent));

    it('shows the rates of this quarter, the last, § 95 and open escalations, worked out by hand', async () => {
      const res = await page.goto(`${s.apiUrl}/overblik?municipality=${MUNICIPALITY}`);
      assert.equal(res?.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'da');
      assert.equal(norm(await page.textContent('h1')), 'Overblik over frister');
      assert.equal(await tile('kvartal'), '66,7 %'); // N7 S4 of (N7 N8 N10 S4 - N10)
      assert.equal(await tile('forrige-kvartal'), '37,5 %'); // 3 of 9 - 1
      assert.equal(await tile('lovkrav'), '60 %'); // 6 of 10
      assert.equal(await tile('eskaleringer'), '5'); // S6 P3 N4 S2 N8
      assert.match(
        norm(await page.textContent('#forrige-kvartal')),
        /3 af 8 frister overholdt; 2 for sent, 3 ikke overholdt, 1 bortfaldet/,
      );
      const dRow = norm(await page.textContent(`#maaneder tr[data-month="${seeded.d.slice(0, 7)}"] td:last-child`));
      assert.equal(dRow, '37,5 %');
      assert.equal((await page.$$eval('svg.chart rect.bar', (r) => r.length)) >= 2, true);
    });

    it('lists the overdue deadlines most overdue first, each linking to its workflow in the Temporal UI', async () => {
      assert.deepEqual(await overdueIds(), ['S6', 'P3', 'N4', 'S2', 'N8'].map(id));
      const days = await page.$$eval('#forfaldne-tabel tbody tr td:nth-child(5)', (c) =>
        c.map((x) => Number(x.textContent)),
      );
      assert.deepEqual(
        [...days].sort((a, b) => b - a),
        days,
      );
      assert.equal(days[4], 0);
      const href = await page.getAttribute(`#forfaldne-tabel a:text-is("${id('N4')}")`, 'href');
      assert.equal(
        href,
        `${UI}/namespaces/default/workflows/${encodeURIComponent(measureWorkflowId(MUNICIPALITY, id('N4')))}`,
      );
      const n4 = await page.$$eval('#forfaldne-tabel tbody tr:nth-child(3) td', (c) => c.map((x) => x.textContent));
      assert.deepEqual(n4.slice(0, 3), [id('N4'), 'Familiestøtte (test)', 'Første opfølgning']);
      assert.equal(n4[5], '3 · afdelingsleder');
      assert.equal(n4[6], 'cw-b');
    });

    it('exports both lists as CSV for Danish Excel, row for row as on the page', async () => {
      const res = await fetch(`${s.apiUrl}/overblik/forfaldne.csv?municipality=${MUNICIPALITY}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
      assert.match(
        res.headers.get('content-disposition') ?? '',
        /attachment; filename="forfaldne-overblikby-\d{4}-\d{2}-\d{2}\.csv"/,
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
      const csv = parseCsv(bytes.toString('utf8'));
      assert.deepEqual(csv[0], [
        'Indsats',
        'Indsatstype',
        'Frist',
        'Forfaldsdato',
        'Dage over tid',
        'Eskaleringsniveau',
        'Sagsbehandler',
        'Team',
        'Link til Temporal',
      ]);
      const table = await page.$$eval('#forfaldne-tabel tbody tr', (rows) =>
        rows.map((r) => {
          const c = [...r.querySelectorAll('td')];
          return [
            c[0].textContent,
            c[1].textContent,
            c[2].textContent,
            c[3].querySelector('time')!.getAttribute('datetime'),
            c[4].textContent,
            c[5].textContent,
            c[6].textContent,
            c[0].querySelector('a')!.getAttribute('href'),
          ];
        }),
      );
      assert.deepEqual(
        csv.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[8]]),
        table,
      );

      const upcoming = parseCsv(
        await (await fetch(`${s.apiUrl}/overblik/kommende.csv?municipality=${MUNICIPALITY}`)).text(),
      );
      // N9 (due today) and N11 (T+3) for cw-a, S5 (T+8) for cw-c.
      assert.deepEqual(
        upcoming.slice(1).map((r) => [r[0], r[1], r[4], r[5]]),
        [
          ['cw-a', id('N9'), seeded.today, '0'],
          ['cw-a', id('N11'), addToDate(seeded.today, 'P3D'), '3'],
          ['cw-c', id('S5'), addToDate(seeded.today, 'P8D'), '8'],
        ],
      );
      const onPage = await page.$$eval('table.kommende-tabel', (ts) =>
        ts.flatMap((t) =>
          [...t.querySelectorAll('tbody tr')].map((r) => [
            t.getAttribute('data-caseworker'),
            r.querySelector('td a')!.textContent,
          ]),
        ),
      );
      assert.deepEqual(
        onPage,
        upcoming.slice(1).map((r) => [r[0], r[1]]),
      );
    });

    it('is labelled for assistive technology and works from the keyboard; the team filter changes the figures', async () => {
      // Structure: every table captioned with scoped headers, every field labelled, the chart named.
      assert.equal(
        await page.$$eval('table', (ts) => ts.every((t) => t.querySelector('caption')?.textContent?.trim())),
        true,
      );
      assert.equal(await page.$$eval('thead th', (ths) => ths.every((th) => th.getAttribute('scope') === 'col')), true);
      assert.equal(
        await page.evaluate(
          `[...document.querySelectorAll('select')].every((s) => document.querySelector('label[for="' + s.id + '"]'))`,
        ),
        true,
      );
      assert.equal(await page.getAttribute('svg.chart', 'role'), 'img');
      assert.ok(norm(await page.textContent('svg.chart title')).length > 0);
      assert.deepEqual(await page.$$eval('h1, h2', (hs) => hs.map((h) => h.tagName)), ['H1', 'H2', 'H2', 'H2', 'H2']);

      // Tab order from the top: skip link, municipality, team, the button; focus is visible.
      await page.keyboard.press('Tab');
      assert.equal(norm(await page.evaluate<string>('document.activeElement.textContent')), 'Spring til indhold');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.id'), 'kommune');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.id'), 'team');
      assert.equal(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'solid');
      await page.selectOption('#team', 'team-syd');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.tagName'), 'BUTTON');
      await Promise.all([page.waitForURL(/teamId=team-syd/), page.keyboard.press('Enter')]);

      assert.equal(await tile('kvartal'), '100 %'); // S4
      assert.equal(await tile('forrige-kvartal'), '33,3 %'); // S3 of S1 S2 S3
      assert.equal(await tile('lovkrav'), '50 %'); // S1 S3 of S1 S2 S3 S6
      assert.equal(await tile('eskaleringer'), '3'); // S6 P3 S2
      assert.deepEqual(await overdueIds(), ['S6', 'P3', 'S2'].map(id));
      assert.equal(await page.inputValue('#team'), 'team-syd');

      mkdirSync(OUT, { recursive: true });
      await page.goto(`${s.apiUrl}/overblik?municipality=${MUNICIPALITY}`);
      await page.click('details summary >> nth=1');
      await page.screenshot({ path: join(OUT, 'overblik.png'), fullPage: true });
      assert.ok(existsSync(join(OUT, 'overblik.png')));
    });

    it('asks for a municipality, and says so in Danish when there is none by that code', async () => {
      const choose = await page.goto(`${s.apiUrl}/overblik`);
      assert.equal(choose?.status(), 200);
      assert.ok(await page.$('select#kommune option[value="overblikby"]'));
      const missing = await page.goto(`${s.apiUrl}/overblik?municipality=atlantis`);
      assert.equal(missing?.status(), 404);
      assert.match(norm(await page.textContent('[role=alert]')), /Der er ingen kommune med koden “atlantis”/);
    });
  });
});
