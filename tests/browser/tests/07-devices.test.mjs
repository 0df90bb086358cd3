// People and devices: the office issues an enrolment code (QR and short code); a new
// phone enrols with the short code; the office revokes it and its next sync is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, control, DESKTOP } from './lib.mjs';

let browser;
let enrolled = null;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('devices: an enrolment code issued in the dashboard enrols a simulated phone with its short code', async () => {
  const { admin, main } = await ids();
  const person = main.unenrolled_person;
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}/people`));
  const form = page.locator(`form[action$="/people/${person.id}/codes"]`).first();
  await form.scrollIntoViewIfNeeded();
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"], input[type="submit"]').first().click()]);
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(person.full_name));
  // The QR image is there and drawn.
  const qr = page.locator('main img[alt*="QR" i], main svg[aria-label*="QR" i], main img[src^="data:image"]').first();
  assert.ok(await qr.count(), 'a QR image is shown');
  // The short code: twelve letters and digits, maybe grouped in fours.
  const code = /\b([A-Z0-9]{4}[- ]?[A-Z0-9]{4}[- ]?[A-Z0-9]{4})\b/.exec(text)?.[1];
  assert.ok(code, `a short code is shown: ${text.slice(0, 400)}`);
  await ctx.close();

  const phone = await control('POST', '/phones/enroll', { name: 'may-moi-giang-thi-my', code });
  assert.equal(phone.status, 'ok', phone.error);
  assert.ok(phone.synced, `the new phone syncs: ${phone.error}`);
  assert.ok(phone.cells.includes(main.cells[0].id), 'the new phone holds its cell');
  enrolled = 'may-moi-giang-thi-my';
});

test('devices: the office revokes that phone and its next sync is refused as revoked', async () => {
  assert.ok(enrolled, 'needs the phone enrolled by the test before');
  const { admin, main } = await ids();
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto(url(`/communes/${main.id}/people`));
  const row = page.locator('tr, li', { hasText: enrolled }).filter({ has: page.locator('form[action*="/devices/"]') }).last();
  assert.ok(await row.count(), 'the device is listed with a revoke button');
  const form = row.locator('form[action*="/devices/"][action$="/revoke"]');
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"], input[type="submit"]').first().click()]);
  // The office confirms, on a page that names the device.
  assert.match(await page.locator('main').innerText(), new RegExp(enrolled));
  await Promise.all([
    page.waitForNavigation(),
    page.locator('main').getByRole('button', { name: /Thu hồi/ }).click(),
  ]);
  await page.goto(url(`/communes/${main.id}/people`));
  const after = page.locator('tr, li', { hasText: enrolled }).last();
  assert.match(await after.innerText(), /thu hồi/i, 'the list shows the device revoked');
  await ctx.close();

  const phone = await control('POST', `/phones/${enrolled}/sync`);
  assert.equal(phone.status, 'unauthorized', JSON.stringify(phone));
  assert.match(phone.error, /thu hồi/);
});
