// The petitions inbox: the office answers a petition, the cell's phone syncs through the
// real core and shows the answer.
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

test("petitions: the office answers one in the inbox, the cell secretary's phone syncs and shows the answer", async () => {
  const { admin, main } = await ids();
  const cell = main.cells.find((c) => c.petitions.some((p) => p.status === 'Raised'));
  const petition = cell.petitions.find((p) => p.status === 'Raised');
  const answer = `Xã đã duyệt kinh phí sửa đường nước cho ${cell.name}; thi công trong tháng tới.`;

  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  // The clerk finds it through the inbox's own filters: the cell, then "raised".
  await page.goto(url(`/communes/${main.id}/petitions`));
  await page.getByLabel('Chi bộ', { exact: true }).selectOption(cell.id);
  await page.getByLabel('Trạng thái', { exact: true }).selectOption('raised');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Lọc', exact: true }).click()]);
  const form = page.locator(`form[action$="/petitions/${petition.id}/respond"]`).first();
  await form.scrollIntoViewIfNeeded();
  await form.locator('textarea').first().fill(answer);
  // The form offers one button per move the petition may make; "answer" is one of them.
  await Promise.all([
    page.waitForNavigation(),
    form.getByRole('button', { name: /^Trả lời/ }).click(),
  ]);
  // Back on the same filtered inbox; answered, it has left "raised": the cell's list shows it.
  assert.match(page.url(), new RegExp(`cell=${cell.id}`), 'the answer returns to the filtered inbox');
  await page.goto(url(`/communes/${main.id}/petitions?cell=${encodeURIComponent(cell.id)}&status=answered`));
  assert.match(await page.locator('main').innerText(), new RegExp(answer.slice(0, 30)), 'the inbox shows the answer');
  await ctx.close();

  const phone = await control('POST', `/phones/${cell.phone}/sync`);
  assert.equal(phone.status, 'ok', phone.error);
  const onPhone = phone.petitions.find((p) => p.id === petition.id);
  assert.ok(onPhone, 'the phone holds the petition');
  assert.equal(onPhone.status, 'Answered');
  assert.ok(onPhone.responses.some((r) => r.text === answer), `the phone shows the answer: ${JSON.stringify(onPhone.responses)}`);
});
