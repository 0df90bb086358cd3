// The documents' heading names the superior committee, and the overview links the month's
// XLSX report, which opens with the figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, control, download, docxParagraphs, xlsxSheets, DESKTOP } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const norm = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

test("exports: the month's XLSX has a row per cell with the records' figures, and a sheet of cadre compliance", async () => {
  const { admin, main, meeting_month } = await ids();
  const expected = await control('GET', `/expected/overview?month=${meeting_month}`);
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}?month=${meeting_month}`));
  const link = page.locator(`a[href$="/reports/${meeting_month}.xlsx"]`).first();
  assert.ok(await link.count(), "the month's overview links its XLSX report");
  const report = await download(page, () => link.click());
  assert.match(report.name, /\.xlsx$/);
  const sheets = xlsxSheets(report.bytes);
  const names = Object.keys(sheets);
  assert.ok(names.length >= 2, `a sheet of cells and one of cadres: ${names}`);

  // The cells sheet: one row per cell under a header row, read by the header's labels.
  const table = (rows, first) => {
    const at = rows.findIndex((r) => norm(r[0]) === first);
    assert.ok(at >= 0, `a header row starting "${first}"`);
    const header = rows[at].map(norm);
    const col = (label) => {
      const i = header.findIndex((h) => h.startsWith(label));
      assert.ok(i >= 0, `a column "${label}" in ${header.join(' | ')}`);
      return i;
    };
    return { col, rows: rows.slice(at + 1).filter((r) => norm(r[0])) };
  };
  const cells = table(sheets[names[0]], 'Chi bộ');
  assert.equal(cells.rows.length, expected.cells, 'one row per cell');
  const [met, date, duration, present, due, grade, quality] = ['Đã họp', 'Ngày họp', 'Thời lượng', 'Có mặt', 'Phải dự', 'Xếp loại', 'Điểm chất lượng'].map(cells.col);
  for (const cell of expected.per_cell) {
    const row = cells.rows.find((r) => norm(r[0]) === cell.cell_name);
    assert.ok(row, `a row for ${cell.cell_name}`);
    assert.equal(norm(row[met]), cell.met ? 'Có' : 'Không', `${cell.cell_name}: met`);
    if (cell.met) {
      assert.equal(norm(row[date]), cell.date, `${cell.cell_name}: date`);
      assert.equal(row[duration], cell.duration_minutes, `${cell.cell_name}: duration`);
      assert.equal(row[present], cell.present, `${cell.cell_name}: present`);
      assert.equal(row[due], cell.expected, `${cell.cell_name}: expected`);
      assert.equal(row[quality], cell.quality_total, `${cell.cell_name}: quality score`);
      assert.equal(norm(row[grade]), cell.grade, `${cell.cell_name}: grade`);
    }
  }

  // The cadres sheet: each cadre's visits required, verified and waiting for review.
  const cadres = table(sheets[names[1]], 'Cán bộ');
  const [required, done, review] = ['Yêu cầu trong tháng', 'Đã dự', 'Chờ xem xét'].map(cadres.col);
  const left = [...cadres.rows];
  for (const cadre of expected.cadres) {
    const i = left.findIndex((r) => norm(r[0]) === cadre.name && r[required] === cadre.required && r[done] === cadre.done && r[review] === cadre.needs_review);
    assert.ok(i >= 0, `${cadre.name}: required ${cadre.required}, done ${cadre.done}, to review ${cadre.needs_review}`);
    left.splice(i, 1);
  }
  assert.equal(left.length, 0, 'no other cadres');
  await ctx.close();
});
