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
  assert.match(mText, new RegExp(cell.name.replace(/^Chi bộ /, ''), 'i'), 'the cell');
  assert.match(mText, new RegExp(`ĐẢNG BỘ XÃ ${main.name}`, 'i'), 'the superior committee');
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
  assert.ok(names.length >= 2, `two sheets at least: ${names}`);
  const rows = sheets[names[0]];
  for (const cell of expected.per_cell) {
    const row = rows.find((r) => r.some((v) => norm(v) === cell.cell_name));
    assert.ok(row, `a row for ${cell.cell_name}`);
    const values = row.map(norm);
    if (cell.met) {
      assert.ok(values.includes(cell.date) || row.some((v) => typeof v === 'number' && v > 40000), `${cell.cell_name}: the date ${cell.date}`);
      assert.ok(row.includes(cell.present) || values.includes(String(cell.present)) || values.some((v) => v.startsWith(`${cell.present}/`)), `${cell.cell_name}: ${cell.present} present in ${values}`);
      assert.ok(values.some((v) => v === cell.grade), `${cell.cell_name}: grade ${cell.grade} in ${values}`);
    } else {
      assert.ok(!values.includes(cell.grade ?? '\u0000'), `${cell.cell_name} did not meet`);
    }
  }
  const cadreSheet = names.slice(1).map((n) => sheets[n]).find((s) => expected.cadres.every((c) => s.some((r) => r.some((v) => norm(v) === c.name))));
  assert.ok(cadreSheet, 'a sheet lists every cadre');
  await ctx.close();
});
