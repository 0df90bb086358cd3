// Every page at the office PC's 1366×768 and at a phone's 390×844, full page, with the
// seeded data, into target/browser/test-output/screenshots (page-viewport.png). Each page
// must answer 200 and be in Vietnamese. (Whether pages fit a phone's width is
// 10-phone-layout.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, screenshot, DESKTOP, PHONE } from './lib.mjs';

let browser;
const sessions = new Map();
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function pageAs(user, viewport) {
  const key = `${user}-${viewport.width}`;
  if (!sessions.has(key)) sessions.set(key, await signedIn(browser, user, viewport));
  return sessions.get(key).page;
}

async function pages() {
  const { main, meeting_month } = await ids();
  const c = `/communes/${main.id}`;
  const cell = main.cells.find((x) => x.meeting_id);
  return [
    ['overview', c],
    ['overview-last-month', `${c}?month=${meeting_month}`],
    ['cells', `${c}/cells`],
    ['cell', `${c}/cells/${cell.id}`],
    ['meeting', `${c}/meetings/${cell.meeting_id}`],
    ['cadres', `${c}/cadres`],
    // The inbox pages its year of petitions, newest first.
    ['petitions', `${c}/petitions`],
    ['guidance', `${c}/guidance`],
    ['people', `${c}/people`],
    ['accounts', `${c}/accounts`],
    ['rule-settings', `${c}/rule-settings`],
    ['password', '/account/password'],
  ];
}

const list = await (async () => {
  try {
    return await pages();
  } catch {
    return [];
  }
})();

for (const [name, path] of list) {
  test(`screenshots: ${name} at 1366×768 and 390×844`, async () => {
    const { admin } = await ids();
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await pageAs(admin, viewport);
      const response = await page.goto(url(path));
      assert.equal(response.status(), 200, `${path} at ${viewport.width}px`);
      assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
      assert.ok(await page.locator('main h1, h1').count(), 'the page has a heading');
      await screenshot(page, name, viewport);
    }
  });
}

test('screenshots: the province viewer\'s list of communes, and a page that does not exist', async () => {
  const { province_viewer } = await ids();
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await pageAs(province_viewer, viewport);
    const response = await page.goto(url('/'));
    assert.equal(response.status(), 200);
    await screenshot(page, 'province', viewport);
    const missing = await page.goto(url('/communes/khong-co-xa-nay'));
    assert.equal(missing.status(), 404);
    await screenshot(page, 'not-found', viewport);
  }
});

test('screenshots: an enrolment code and the confirmation before revoking a device', async () => {
  const { admin, main } = await ids();
  for (const viewport of [DESKTOP, PHONE]) {
    const page = await pageAs(admin, viewport);
    await page.goto(url(`/communes/${main.id}/people`));
    const issue = page.locator('form[action$="/codes"]').first();
    await Promise.all([page.waitForNavigation(), issue.getByRole('button').click()]);
    assert.match(await page.locator('main').innerText(), /Mã đăng ký/);
    await screenshot(page, 'people-code', viewport);

    await page.goto(url(`/communes/${main.id}/people`));
    const revoke = page.locator('form[action$="/revoke"]').first();
    await Promise.all([page.waitForNavigation(), revoke.getByRole('button').click()]);
    // Only the first step: the page asks again and names the phone.
    assert.ok(await page.locator('main').getByRole('button', { name: /Thu hồi/ }).count());
    await screenshot(page, 'people-revoke', viewport);
  }
});
