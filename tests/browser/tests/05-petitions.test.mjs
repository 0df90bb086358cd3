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
  await page.goto(url(`/communes/${main.id}/petitions`));
  const form = page.locator(`form[action$="/petitions/${petition.id}/respond"]`).first();
  await form.scrollIntoViewIfNeeded();
  await form.locator('textarea').first().fill(answer);
  // The form offers one button per move the petition may make; "answer" is one of them.
  await Promise.all([
    page.waitForNavigation(),
    form.getByRole('button', { name: /^Trả lời/ }).click(),
  ]);
  await page.goto(url(`/communes/${main.id}/petitions`));
  assert.match(await page.locator('main').innerText(), new RegExp(answer.slice(0, 30)), 'the inbox shows the answer');
  await ctx.close();

  const phone = await control('POST', `/phones/${cell.phone}/sync`);
  assert.equal(phone.status, 'ok', phone.error);
  const onPhone = phone.petitions.find((p) => p.id === petition.id);
  assert.ok(onPhone, 'the phone holds the petition');
  assert.equal(onPhone.status, 'Answered');
  assert.ok(onPhone.responses.some((r) => r.text === answer), `the phone shows the answer: ${JSON.stringify(onPhone.responses)}`);
});
