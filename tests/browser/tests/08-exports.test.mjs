// Official documents and the monthly report: the DOCX minutes and resolution of a meeting
// and the commune's XLSX, downloaded through the browser and read back.
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

test("exports: the meeting's minutes and resolution download as DOCX in the Party's format, with the record's figures", async () => {
  const { admin, main, meeting_month } = await ids();
  const expected = await control('GET', `/expected/overview?month=${meeting_month}`);
  const index = main.cells.findIndex((c) => c.meeting_id);
  const cell = main.cells[index];
  const figures = expected.per_cell.find((c) => c.cell_id === cell.id);
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}/meetings/${cell.meeting_id}`));

  const minutes = await download(page, () => page.locator('a[href$="/minutes.docx"]').first().click());
  assert.match(minutes.name, /\.docx$/);
  const m = docxParagraphs(minutes.bytes).map(norm).filter(Boolean);
  const mText = m.join('\n');
  assert.ok(m.includes('ĐẢNG CỘNG SẢN VIỆT NAM') || /ĐẢNG CỘNG SẢN VIỆT NAM/.test(mText), 'the Party heading');
  assert.match(mText, /BIÊN BẢN/);
  const upper = mText.toLocaleUpperCase('vi');
  assert.ok(upper.includes(cell.name.toLocaleUpperCase('vi')), `the cell, ${cell.name}`);
  assert.ok(upper.includes(`ĐẢNG BỘ XÃ ${main.name.toLocaleUpperCase('vi')}`), `the superior committee, "ĐẢNG BỘ XÃ ${main.name}", at the top left`);
  assert.match(mText, new RegExp(`\\b${figures.present}\\b`), `present: ${figures.present}`);
  assert.match(mText, new RegExp(figures.date.slice(0, 2)), 'the day of the meeting');
  assert.match(mText, /chủ trì/i, 'the chair');
  assert.match(mText, /thư ký/i, 'the minute-taker');

  const resolution = await download(page, () => page.locator('a[href$="/resolution.docx"]').first().click());
  const r = docxParagraphs(resolution.bytes).map(norm).filter(Boolean).join('\n');
  assert.match(r, /ĐẢNG CỘNG SẢN VIỆT NAM/);
  assert.match(r, /NGHỊ QUYẾT/);
  assert.match(r, /Số\s*\S*-NQ\/CB/, 'the number "Số …-NQ/CB"');
  assert.match(r, /T\/M CHI (ỦY|BỘ)/, 'the signature block');
  assert.match(r, /BÍ THƯ/);
  assert.match(r, new RegExp(`\\b${figures.present}\\b`), `present: ${figures.present}`);
  await ctx.close();
});

test("exports: the month's XLSX has a row per cell with the records' figures, and a sheet of cadre compliance", async () => {
  const { admin, main, meeting_month } = await ids();
  const expected = await control('GET', `/expected/overview?month=${meeting_month}`);
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}?month=${meeting_month}`));
  const report = await download(page, () => page.locator(`a[href$="/reports/${meeting_month}.xlsx"]`).first().click());
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
