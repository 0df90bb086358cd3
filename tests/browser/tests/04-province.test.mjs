// The province: the province viewer signs in and lands on the rollup of the province's
// communes; every figure is checked against the communes' records as the phones hold them
// (the fixture's /expected/province); the table sorts, lagging communes first by default;
// a commune's name leads down to its own pages, read-only (no action form anywhere, a
// posted action refused with 403); the province's XLSX downloads and reads back with the
// same figures; screenshots at both sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signedIn, ids, url, control, download, xlsxSheets, screenshot, mainText, DESKTOP, PHONE,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();
const GRADE_LABELS = ['Tốt', 'Khá', 'Trung bình', 'Kém'];

async function expected() {
  const { meeting_month } = await ids();
  return control('GET', `/expected/province?month=${meeting_month}`);
}

/// The rollup's rows as shown: commune id (none for the totals), name and each figure.
async function rows(page) {
  return page.locator('table.rollup tr:has(td)').evaluateAll((trs) =>
    trs.map((tr) => {
      const figures = {};
      for (const td of tr.querySelectorAll('td[data-figure]')) figures[td.dataset.figure] = td.innerText.replace(/\s+/g, ' ').trim();
      return { id: tr.dataset.communeId ?? null, name: tr.querySelector('th').innerText.trim(), figures };
    }),
  );
}

function checkRow(shown, e, what) {
  const f = shown.figures;
  assert.equal(f.met.split(' ')[0], `${e.met}/${e.cells}`, `${what}: cells met`);
  assert.equal(f['not-met'], String(e.not_met), `${what}: not met`);
  assert.equal(f.overdue, String(e.overdue), `${what}: overdue`);
  if (e.expected > 0) {
    assert.ok(f.attendance.includes(`(${e.present}/${e.expected})`), `${what}: attendance ${f.attendance}`);
    if (e.attendance_text) assert.ok(f.attendance.startsWith(e.attendance_text), `${what}: ${f.attendance} vs ${e.attendance_text}`);
  } else {
    assert.equal(f.attendance, '–', `${what}: nobody expected`);
  }
  GRADE_LABELS.forEach((label, i) => {
    assert.equal(f[`grade-${i + 1}`], String(e.grades[label] ?? 0), `${what}: grade ${label}`);
  });
  assert.equal(f['grade-5'], String(e.ungraded), `${what}: not graded`);
  assert.equal(f.visits, `${e.cadre_visits_done}/${e.cadre_visits_required}`, `${what}: cadre visits`);
  assert.equal(f.reviews, String(e.check_ins_needing_review), `${what}: check-ins to review`);
  assert.equal(f['open-petitions'], String(e.open_petitions), `${what}: open petitions`);
  assert.equal(f['long-open-petitions'], String(e.long_open_petitions), `${what}: open > 30 days`);
}

/// Lagging first, as the page promises: fewest cells met by share, then most overdue,
/// then lowest attendance.
function laggingOrder(communes) {
  const share = (c) => (c.cells ? c.met / c.cells : Infinity);
  const rate = (c) => (c.expected ? c.present / c.expected : Infinity);
  return [...communes]
    .sort((a, b) => share(a) - share(b) || b.overdue - a.overdue || rate(a) - rate(b) || a.name.localeCompare(b.name, 'vi'))
    .map((c) => c.id);
}

test('province: the viewer lands on the rollup, and every figure is the communes\' records by the rules', async () => {
  const { province_viewer, meeting_month } = await ids();
  const e = await expected();
  const { ctx, page } = await signedIn(browser, province_viewer, DESKTOP);
  assert.equal(new URL(page.url()).pathname, '/province', 'signed in, the viewer is on the province page');
  await page.goto(url(`/province?month=${meeting_month}`));
  assert.match(await page.locator('h1').innerText(), new RegExp(`tỉnh ${e.province}`));
  const shown = await rows(page);
  const communes = shown.filter((r) => r.id);
  assert.equal(communes.length, e.communes.length, 'one row per commune of the province');
  for (const c of e.communes) {
    const row = communes.find((r) => r.id === c.id);
    assert.ok(row, `${c.name} is listed`);
    assert.equal(row.name, c.name);
    checkRow(row, c, c.name);
  }
  const total = shown.find((r) => !r.id);
  assert.equal(total.name, `Toàn tỉnh ${e.province}`);
  checkRow(total, { ...e.totals, attendance_text: e.totals.attendance_text }, 'the province');
  assert.deepEqual(communes.map((r) => r.id), laggingOrder(e.communes), 'lagging communes first');

  // The cards say the same as the totals row.
  const text = await mainText(page);
  assert.ok(text.includes(`${e.totals.met}/${e.totals.cells}`), 'cells met card');
  assert.match(text, new RegExp(`${e.totals.long_open_petitions} kiến nghị mở quá 30 ngày`));
  // 12-month trends of the province.
  assert.equal(await page.locator('figure.chart').count(), 3, 'three trend charts');
  await ctx.close();
});

test('province: the table sorts by a column and back, keeping the month', async () => {
  const { province_viewer, meeting_month } = await ids();
  const e = await expected();
  const { ctx, page } = await signedIn(browser, province_viewer, DESKTOP);
  await page.goto(url(`/province?month=${meeting_month}`));
  const byName = [...e.communes].sort((a, b) => a.name.localeCompare(b.name, 'vi')).map((c) => c.id);
  await Promise.all([page.waitForURL(/sort=name/), page.locator('table.rollup th a', { hasText: /^Xã$/ }).click()]);
  assert.deepEqual((await rows(page)).filter((r) => r.id).map((r) => r.id), byName, 'A to Z');
  assert.equal(new URL(page.url()).searchParams.get('month'), meeting_month);
  assert.equal(await page.locator('th[aria-sort="ascending"]').innerText(), 'Xã');
  await Promise.all([page.waitForURL(/dir=desc/), page.locator('table.rollup th a', { hasText: /^Xã$/ }).click()]);
  assert.deepEqual((await rows(page)).filter((r) => r.id).map((r) => r.id), [...byName].reverse(), 'Z to A');

  // Most open petitions first, by their column.
  await Promise.all([page.waitForURL(/sort=petitions/), page.locator('table.rollup th a', { hasText: 'Kiến nghị đang mở' }).click()]);
  const open = (await rows(page)).filter((r) => r.id).map((r) => Number(r.figures['open-petitions']));
  assert.deepEqual(open, [...open].sort((a, b) => b - a), 'most open petitions first');
  await ctx.close();
});

test('province: a commune\'s name leads to its own pages, read-only; nothing can be posted', async () => {
  const { province_viewer, other, meeting_month } = await ids();
  const { ctx, page } = await signedIn(browser, province_viewer, DESKTOP);
  await page.goto(url(`/province?month=${meeting_month}`));
  await Promise.all([
    page.waitForURL((u) => u.pathname === `/communes/${other.id}`),
    page.locator('table.rollup').getByRole('link', { name: other.name }).click(),
  ]);
  assert.equal(new URL(page.url()).searchParams.get('month'), meeting_month, 'the same month');
  assert.match(await page.locator('h1').innerText(), /Tổng quan/);
  const c = `/communes/${other.id}`;
  const cell = other.cells.find((x) => x.meeting_id);
  for (const path of ['', '/cells', `/cells/${cell.id}`, `/meetings/${cell.meeting_id}`, '/cadres', '/petitions', '/guidance', '/people']) {
    const response = await page.goto(url(c + path));
    assert.equal(response.status(), 200, `${path || '/'} is readable`);
    assert.equal(await page.locator('main form[method="post" i]').count(), 0, `${path || '/'} shows no action form`);
  }
  for (const path of ['/accounts', '/rule-settings']) {
    const response = await page.goto(url(c + path));
    assert.equal(response.status(), 403, `${path} is for the commune's admins`);
  }
  await page.goto(url(c));
  const csrf = await page.locator('form[action="/logout"] input[name="csrf"]').inputValue();
  const petition = other.cells.flatMap((x) => x.petitions)[0];
  const posts = [
    [`${c}/petitions/${petition?.id ?? 'x'}/respond`, { csrf, status: 'answered', text: 'Trả lời thử' }],
    [`${c}/people/${'x'}/codes`, { csrf }],
    [`${c}/rule-settings`, { csrf }],
    [`${c}/accounts`, { csrf, username: 'thu', display_name: 'Thử', password: 'mat-khau-thu-123', role: 'commune_viewer' }],
  ];
  for (const [path, form] of posts) {
    const response = await page.request.post(url(path), { form, maxRedirects: 0 });
    assert.ok([403, 404, 405].includes(response.status()), `POST ${path}: ${response.status()}`);
    assert.notEqual(response.status(), 404, `POST ${path} is refused, not missing`);
  }
  const guidance = await page.request.post(url(`${c}/guidance`), {
    multipart: { csrf, title: 'Thử', body: 'Thử', kind: 'monthly_guidance', period: meeting_month },
    maxRedirects: 0,
  });
  assert.equal(guidance.status(), 403, 'POST guidance answers 403');
  const province = await page.request.post(url('/province'), { form: { csrf }, maxRedirects: 0 });
  assert.ok(province.status() >= 400, `POST /province: ${province.status()}`);
  // And the petition is as it was.
  if (petition) {
    await page.goto(url(`${c}/petitions`));
    assert.ok(!(await mainText(page)).includes('Trả lời thử'));
  }
  await ctx.close();
});

test('province: the monthly XLSX downloads with one row per commune and the same figures', async () => {
  const { province_viewer, meeting_month } = await ids();
  const e = await expected();
  const { ctx, page } = await signedIn(browser, province_viewer, DESKTOP);
  await page.goto(url(`/province?month=${meeting_month}`));
  const file = await download(page, () => page.locator('a[href*="/province/reports/"]').click());
  assert.match(file.name, /\.xlsx$/);
  const sheet = xlsxSheets(file.bytes)['Các xã'];
  assert.ok(sheet, 'the sheet "Các xã"');
  const [y, m] = meeting_month.split('-');
  assert.match(norm(sheet[0][0]), new RegExp(`tháng ${m}/${y} – ${e.province}`));
  // The title, then the column headers (the blank row between has no cells).
  const headerAt = sheet.findIndex((r) => norm(r?.[0]) === 'Xã');
  assert.ok(headerAt > 0, 'the column headers under the title');
  const header = sheet[headerAt].map(norm);
  assert.equal(header[0], 'Xã');
  const col = (name) => {
    const i = header.indexOf(name);
    assert.ok(i >= 0, `column ${name} in ${header}`);
    return i;
  };
  const check = (row, c, what) => {
    for (const [name, value] of [
      ['Số chi bộ', c.cells], ['Đã họp', c.met], ['Chưa họp', c.not_met], ['Quá hạn', c.overdue],
      ['Có mặt', c.present], ['Phải dự', c.expected],
      ['Tốt', c.grades['Tốt'] ?? 0], ['Khá', c.grades['Khá'] ?? 0], ['Trung bình', c.grades['Trung bình'] ?? 0],
      ['Kém', c.grades['Kém'] ?? 0], ['Chưa chấm', c.ungraded],
      ['Cán bộ phải dự', c.cadre_visits_required], ['Cán bộ đã dự (xác minh)', c.cadre_visits_done],
      ['Check-in cần xem xét', c.check_ins_needing_review],
      ['Kiến nghị đang mở', c.open_petitions], ['Mở quá 30 ngày', c.long_open_petitions],
    ]) {
      assert.equal(row[col(name)], value, `${what}: ${name}`);
    }
  };
  const body = sheet.slice(headerAt + 1).filter((r) => r && r[0]);
  assert.equal(body.length, e.communes.length + 1, 'one row per commune, then the province');
  for (const c of e.communes) {
    const row = body.find((r) => r[0] === c.name);
    assert.ok(row, `${c.name} has its row`);
    check(row, c, c.name);
  }
  const total = body[body.length - 1];
  assert.equal(total[0], `Toàn tỉnh ${e.province}`);
  check(total, e.totals, 'the province');
  await ctx.close();
});

test('province: screenshots of the rollup and a drilled-down commune at 1366×768 and 390×844', async () => {
  const { province_viewer, other, meeting_month } = await ids();
  for (const viewport of [DESKTOP, PHONE]) {
    const { ctx, page } = await signedIn(browser, province_viewer, viewport);
    const response = await page.goto(url(`/province?month=${meeting_month}`));
    assert.equal(response.status(), 200);
    // The page never scrolls sideways; the wide table scrolls in its own box.
    const by = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(by <= 1, `the rollup is ${by}px wider than ${viewport.width}px`);
    await screenshot(page, 'province-rollup', viewport);
    await page.goto(url(`/communes/${other.id}?month=${meeting_month}`));
    await screenshot(page, 'province-commune', viewport);
    await ctx.close();
  }
});
