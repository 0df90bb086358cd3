// Official documents: the DOCX minutes and resolution of a meeting, downloaded through the
// browser and read back. (The monthly XLSX is in 08-exports-more.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, control, download, docxParagraphs, DESKTOP } from './lib.mjs';

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

test("exports: the minutes' heading names the superior committee, ĐẢNG BỘ XÃ …, at the top left", async () => {
  const { admin, main } = await ids();
  const cell = main.cells.find((c) => c.meeting_id);
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}/meetings/${cell.meeting_id}`));
  for (const kind of ['minutes', 'resolution']) {
    const file = await download(page, () => page.locator(`a[href$="/${kind}.docx"]`).first().click());
    const [first, second] = docxParagraphs(file.bytes).map(norm).filter(Boolean);
    assert.equal(first, `ĐẢNG BỘ XÃ ${main.name.toLocaleUpperCase('vi')}`, `${kind}: the superior committee first`);
    assert.equal(second, cell.name.toLocaleUpperCase('vi'), `${kind}: then the cell`);
  }
  await ctx.close();
});
