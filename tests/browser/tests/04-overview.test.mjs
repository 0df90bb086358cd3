// The overview: a month's figures and its 12-month trends equal those the fixture
// computes from the seeded records (the secretaries' phones assess each meeting; cadre
// visits by the domain's compliance rule on the verdicts the cadres' phones hold), never
// from the dashboard's code. Checked for this month (the page's default), last month and
// an earlier month of the seeded year.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, control, DESKTOP } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// The overview's cards as { label: [value, detail] }.
async function cards(page) {
  const out = {};
  for (const card of await page.locator('main ul.cards > li').all()) {
    const label = (await card.locator('.label').innerText()).trim();
    const value = (await card.locator('.value').innerText()).trim();
    const detail = (await card.locator('.detail').innerText()).trim();
    out[label] = [value, detail];
  }
  return out;
}

/// The trend charts: title, the number of dots and bars drawn, and the data table under
/// each (read from the DOM: the table sits in a closed <details>).
async function charts(page) {
  return page.locator('main figure.chart').evaluateAll((figures) =>
    figures.map((f) => ({
      title: f.querySelector('figcaption')?.textContent.trim() ?? '',
      dots: f.querySelectorAll('svg circle').length,
      bars: f.querySelectorAll('svg rect').length,
      headers: [...f.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
      rows: [...f.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent.trim())),
    })),
  );
}

function chart(all, title) {
  const found = all.find((c) => title.test(c.title));
  assert.ok(found, `a chart titled ${title}: ${all.map((c) => c.title).join(' | ')}`);
  return found;
}

/// Opens the overview (of `month`, or the default one) and checks it against `e`.
async function checkOverview(page, communeId, e, month) {
  await page.goto(url(month ? `/communes/${communeId}?month=${month}` : `/communes/${communeId}`));
  const [year, mm] = e.month.split('-');
  assert.match(await page.locator('main h1').innerText(), new RegExp(`\\b${mm}/${year}\\b`), `the overview of ${e.month}`);
  const c = await cards(page);
  const at = `(${e.month})`;

  assert.equal(c['Chi bộ đã họp']?.[0], `${e.met}/${e.cells}`, `cells that met ${at}`);
  assert.match(c['Chi bộ đã họp'][1], new RegExp(`^${e.not_met} chi bộ chưa họp`), `cells not met ${at}`);
  assert.equal(c['Chi bộ quá hạn']?.[0], String(e.overdue), `cells overdue ${at}`);
  assert.equal(c['Tỷ lệ đảng viên dự họp']?.[0], e.attendance_text ?? '–', `attendance rate ${at}`);
  assert.match(c['Tỷ lệ đảng viên dự họp'][1], new RegExp(`^${e.present}/${e.expected}\\b`), `present over expected ${at}`);
  assert.equal(c['Cán bộ dự sinh hoạt']?.[0], `${e.cadre_visits_done}/${e.cadre_visits_required}`, `cadre visits done / required ${at}`);
  assert.match(c['Cán bộ dự sinh hoạt'][1], new RegExp(`\\b${e.cadre_visits_needing_review} lượt chờ xem xét`), `cadre visits waiting ${at}`);
  assert.equal(c['Check-in cần xem xét']?.[0], String(e.check_ins_needing_review), `check-ins to review ${at}`);
  // The newest eight are listed; the cadres page has them all.
  const reviews = page.locator('section[aria-labelledby="reviews"]');
  assert.equal(await reviews.locator('tbody tr').count(), Math.min(8, e.check_ins_needing_review), `check-ins listed ${at}`);
  assert.equal(
    await reviews.getByRole('link', { name: new RegExp(`cả ${e.check_ins_needing_review} check-in`) }).count(),
    e.check_ins_needing_review > 8 ? 1 : 0,
    `a link to every check-in to review ${at}`,
  );
  assert.equal(c['Kiến nghị đang mở']?.[0], String(e.open_petitions), `open petitions ${at}`);
  assert.match(
    c['Kiến nghị đang mở'][1],
    new RegExp(`\\b${e.petitions_raised} nêu mới, ${e.petitions_resolved} đã giải quyết`),
    `petitions raised and resolved ${at}`,
  );

  const grades = {};
  for (const row of await page.locator('section[aria-labelledby="grades"] tbody tr').all()) {
    grades[(await row.locator('th').innerText()).trim()] = Number((await row.locator('td').innerText()).trim());
  }
  for (const [label, count] of Object.entries(e.grades)) {
    assert.equal(grades[label], count, `meetings graded ${label} ${at}`);
  }
  assert.equal(grades['Chưa chấm'] ?? 0, e.ungraded, `ungraded meetings ${at}`);

  // Each cell is listed, with its state for the month.
  const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  for (const cell of e.per_cell) {
    assert.ok(text.includes(cell.cell_name), `${cell.cell_name} is listed ${at}`);
  }

  // The 12-month trends, month by month, as drawn and as the table under each chart.
  const all = await charts(page);
  const labels = e.trends.map((t) => t.label);
  const met = chart(all, /chi bộ họp/i);
  assert.deepEqual(met.rows.map((r) => r[0]), labels, `the 12 months ending ${e.month}`);
  assert.deepEqual(
    met.rows.map((r) => r[1]),
    e.trends.map((t) => `${t.met}/${t.cells} (${t.met_text})`),
    `cells that met, per month ${at}`,
  );
  assert.equal(met.dots, e.trends.length, `a dot a month ${at}`);

  const attendance = chart(all, /đảng viên dự họp/i);
  assert.deepEqual(attendance.rows.map((r) => r[0]), labels);
  assert.deepEqual(
    attendance.rows.map((r) => r[1]),
    e.trends.map((t) => (t.attendance_text ? `${t.attendance_text} (${t.present}/${t.expected})` : '–')),
    `attendance, per month ${at}`,
  );
  assert.equal(attendance.dots, e.trends.filter((t) => t.attendance_text).length, `a dot a month with meetings ${at}`);

  const mix = chart(all, /xếp loại/i);
  assert.deepEqual(mix.rows.map((r) => r[0]), labels);
  const series = mix.headers.slice(1);
  // One column per grade, and one for the meetings not graded yet.
  assert.equal(series.filter((h) => !(h in e.grades)).length, 1, `grade columns: ${series.join(', ')}`);
  const columns = (t) => series.map((h) => String(t.grades[h] ?? t.ungraded));
  assert.deepEqual(mix.rows.map((r) => r.slice(1)), e.trends.map(columns), `the grade mix, per month ${at}`);
  const segments = e.trends.flatMap(columns).filter((n) => n !== '0').length;
  assert.equal(mix.bars, segments, `a bar segment per grade and month ${at}`);
}

test("overview: this month's figures and trends (the page's default month) equal those computed from the seeded records", async () => {
  const { admin, main, this_month } = await ids();
  const e = await control('GET', `/expected/overview?month=${this_month}`);
  assert.ok(e.not_met > 0, 'this month, some cells have not met yet');
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await checkOverview(page, main.id, e, null);
  await ctx.close();
});

test("overview: last month's figures and its 12-month trends equal those computed from the seeded records", async () => {
  const { admin, main, meeting_month, months } = await ids();
  const e = await control('GET', `/expected/overview?month=${meeting_month}`);
  assert.ok(e.met > 0 && e.cadre_visits_done < e.cadre_visits_required, 'the seed is varied');
  const seeded = e.trends.filter((t) => months.includes(t.month));
  assert.ok(seeded.length >= 2, `the trends hold seeded months: ${seeded.map((t) => t.month)}`);
  assert.ok(new Set(seeded.map((t) => t.attendance_text)).size > 1, 'attendance varies from month to month');
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await checkOverview(page, main.id, e, meeting_month);
  await ctx.close();
});

test('overview: an earlier month, the one where most cells did not meet, equals the seeded records too', async () => {
  const { admin, main, meeting_month, this_month, months } = await ids();
  const last = await control('GET', `/expected/overview?month=${meeting_month}`);
  const earlier = last.trends.filter((t) => months.includes(t.month) && t.month !== meeting_month && t.month !== this_month);
  assert.ok(earlier.length, 'the seed holds months before last month');
  // The oldest of those with the most cells that did not meet.
  const pick = earlier.reduce((best, t) => (t.cells - t.met > best.cells - best.met ? t : best));
  const e = await control('GET', `/expected/overview?month=${pick.month}`);
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await checkOverview(page, main.id, e, pick.month);
  await ctx.close();
});
