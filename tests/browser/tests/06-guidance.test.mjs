// Guidance: the office publishes the month's guidance with an attachment; a cell's phone
// syncs and has it, with the attachment; the guidance page lists that cell as received.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { launch, signedIn, ids, url, control, DESKTOP, OUTPUT } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('guidance: published with an attachment, it reaches a phone and the page lists the cell as received', async () => {
  const { admin, main } = await ids();
  const cell = main.cells[0];
  const title = 'Chuyên đề quý: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh';
  const body = 'Các chi bộ tổ chức sinh hoạt chuyên đề, liên hệ việc bảo vệ rừng và giữ gìn bản sạch.';
  mkdirSync(OUTPUT, { recursive: true });
  const file = join(OUTPUT, 'huong-dan-chuyen-de.pdf');
  const bytes = Buffer.from('%PDF-1.4\n% Hướng dẫn sinh hoạt chuyên đề\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
  writeFileSync(file, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');

  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}/guidance`));
  const form = page.locator(`form[action$="/communes/${main.id}/guidance"]`).first();
  await form.getByLabel(/Tiêu đề/).fill(title);
  await form.getByLabel(/Nội dung/).fill(body);
  await form.locator('input[type="file"]').first().setInputFiles(file);
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"], input[type="submit"]').first().click()]);
  await page.goto(url(`/communes/${main.id}/guidance`));
  assert.match(await page.locator('main').innerText(), new RegExp(title.slice(0, 40)));

  const phone = await control('POST', `/phones/${cell.phone}/sync`);
  assert.equal(phone.status, 'ok', phone.error);
  const got = phone.guidance.find((g) => g.title === title);
  assert.ok(got, `the phone has the guidance: ${phone.guidance.map((g) => g.title).join(' | ')}`);
  assert.equal(got.body, body);
  assert.deepEqual(got.attachments.map((a) => a.sha256), [sha], 'with its attachment');

  // The office sees the cell among those that received it.
  await page.goto(url(`/communes/${main.id}/guidance`));
  const entry = page.locator('article, section, li, tr', { hasText: title }).last();
  const text = (await entry.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /đã nhận/i, `the guidance lists who received it: ${text.slice(0, 300)}`);
  assert.ok(text.includes(cell.name) || (await page.locator('main').innerText()).includes(cell.name), `${cell.name} is listed as received`);
  await ctx.close();
});
