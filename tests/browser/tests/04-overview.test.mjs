// The overview: the month's figures equal those the fixture computes from the seeded
// records (the secretaries' phones assess each meeting; cadre visits by the domain's
// compliance rule on the verdicts the cadres' phones hold), never from the dashboard's code.
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

test("overview: last month's figures equal those computed from the seeded records", async () => {
  const { admin, main, meeting_month } = await ids();
  const e = await control('GET', `/expected/overview?month=${meeting_month}`);
  assert.ok(e.met > 0 && e.not_met > 0 && e.cadre_visits_done < e.cadre_visits_required, 'the seed is varied');
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}?month=${meeting_month}`));
  const [year, month] = meeting_month.split('-');
  assert.match(await page.locator('main h1').innerText(), new RegExp(`${Number(month)}/${year}|${month}/${year}`));
  const c = await cards(page);

  assert.deepEqual(c['Chi bộ đã họp']?.[0], `${e.met}/${e.cells}`, 'cells that met');
  assert.match(c['Chi bộ đã họp'][1], new RegExp(`^${e.not_met} chi bộ chưa họp`), 'cells not met');
  assert.equal(c['Chi bộ quá hạn']?.[0], String(e.overdue), 'cells overdue');
  assert.equal(c['Tỷ lệ đảng viên dự họp']?.[0], e.attendance_text, 'attendance rate');
  assert.match(c['Tỷ lệ đảng viên dự họp'][1], new RegExp(`^${e.present}/${e.expected}\\b`), 'present over expected');
  assert.equal(c['Cán bộ dự sinh hoạt']?.[0], `${e.cadre_visits_done}/${e.cadre_visits_required}`, 'cadre visits done / required');
  assert.equal(c['Check-in cần xem xét']?.[0], String(e.check_ins_needing_review), 'check-ins to review');
  assert.equal(c['Kiến nghị đang mở']?.[0], String(e.open_petitions), 'open petitions');

  const grades = {};
  for (const row of await page.locator('section[aria-labelledby="grades"] tbody tr').all()) {
    grades[(await row.locator('th').innerText()).trim()] = Number((await row.locator('td').innerText()).trim());
  }
  for (const [label, count] of Object.entries(e.grades)) {
    assert.equal(grades[label], count, `meetings graded ${label}`);
  }
  assert.equal(grades['Chưa chấm'] ?? 0, e.ungraded, 'ungraded meetings');

  // Each cell that met is listed with its attendance and grade; the overdue ones too.
  const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  for (const cell of e.per_cell) {
    assert.ok(text.includes(cell.cell_name), `${cell.cell_name} is listed`);
  }
  // The 12-month trends are SVG charts.
  assert.ok(await page.locator('main svg').count() >= 1, 'trend charts');
  await ctx.close();
});
