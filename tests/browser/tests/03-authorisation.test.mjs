// Authorisation: a commune viewer is kept out of another commune's pages and files (404,
// as if they did not exist), sees no action forms and is refused a posted one (403); a
// signed-out visitor is sent to the sign-in page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, context, signedIn, ids, passwordOf, url, DESKTOP } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/// The other commune's URLs a Xuân Hòa viewer must not reach.
async function otherCommuneUrls() {
  const { other, meeting_month } = await ids();
  const cell = other.cells.find((c) => c.meeting_id && c.photos.length);
  const m = `/communes/${other.id}`;
  return [
    m,
    `${m}/cells`,
    `${m}/cells/${cell.id}`,
    `${m}/meetings/${cell.meeting_id}`,
    `${m}/meetings/${cell.meeting_id}/minutes.docx`,
    `${m}/meetings/${cell.meeting_id}/resolution.docx`,
    `${m}/photos/${cell.photos[0]}`,
    `${m}/photos/${cell.photos[0]}/thumb`,
    `${m}/reports/${meeting_month}.xlsx`,
    `${m}/petitions`,
    `${m}/people`,
  ];
}

test("authorisation: a commune viewer gets 404 for the other commune's overview, meeting, photo, DOCX and XLSX", async () => {
  const { viewer, main, other } = await ids();
  const { ctx, page } = await signedIn(browser, viewer, DESKTOP);
  for (const path of await otherCommuneUrls()) {
    const response = await page.request.get(url(path), { maxRedirects: 0 });
    assert.equal(response.status(), 404, `${path} answers 404`);
    const body = await response.text();
    assert.ok(!body.includes(other.name), `${path} does not name the other commune`);
  }
  // The other commune's meeting and photo under the viewer's own commune: still 404.
  const cell = other.cells.find((c) => c.meeting_id && c.photos.length);
  for (const path of [
    `/communes/${main.id}/meetings/${cell.meeting_id}`,
    `/communes/${main.id}/photos/${cell.photos[0]}`,
    `/communes/${main.id}/meetings/${cell.meeting_id}/minutes.docx`,
  ]) {
    const response = await page.request.get(url(path), { maxRedirects: 0 });
    assert.equal(response.status(), 404, `${path} answers 404`);
  }
  // The page itself says so in Vietnamese.
  const response = await page.goto(url(`/communes/${other.id}`));
  assert.equal(response.status(), 404);
  assert.match(await page.locator('body').innerText(), /Không tìm thấy|không tồn tại/i);
  await ctx.close();
});

test('authorisation: a commune viewer sees no action forms, and a posted action is refused with 403', async () => {
  const { viewer, main } = await ids();
  const { ctx, page } = await signedIn(browser, viewer, DESKTOP);
  const commune = `/communes/${main.id}`;
  for (const path of ['/petitions', '/guidance', '/people', '/cadres']) {
    const response = await page.goto(url(commune + path));
    assert.equal(response.status(), 200, `${path} is readable`);
    const actions = await page.locator('main form[method="post" i]').count();
    assert.equal(actions, 0, `${path} shows the viewer no action forms`);
  }
  const csrf = await page.locator('form[action="/logout"] input[name="csrf"]').inputValue();
  const petition = main.cells.flatMap((c) => c.petitions).find((p) => p.status === 'Raised');
  const person = main.unenrolled_person;
  const posts = [
    [`${commune}/petitions/${petition.id}/respond`, { csrf, status: 'answered', text: 'Trả lời thử' }],
    [`${commune}/people/${person.id}/codes`, { csrf }],
  ];
  for (const [path, form] of posts) {
    const response = await page.request.post(url(path), { form, maxRedirects: 0 });
    assert.equal(response.status(), 403, `POST ${path} answers 403`);
  }
  const guidance = await page.request.post(url(`${commune}/guidance`), {
    multipart: { csrf, title: 'Thử', body: 'Thử', kind: 'monthly_guidance', period: '2026-11' },
    maxRedirects: 0,
  });
  assert.equal(guidance.status(), 403, 'POST guidance answers 403');
  await ctx.close();
});

test('authorisation: a signed-out visitor is redirected to the sign-in page, and back after signing in', async () => {
  const { main, admin } = await ids();
  const password = await passwordOf(admin);
  const cell = main.cells.find((c) => c.meeting_id && c.photos.length);
  const ctx = await context(browser, DESKTOP);
  const page = await ctx.newPage();
  for (const path of [
    `/communes/${main.id}`,
    `/communes/${main.id}/petitions`,
    `/communes/${main.id}/photos/${cell.photos[0]}`,
    `/communes/${main.id}/meetings/${cell.meeting_id}/minutes.docx`,
  ]) {
    const response = await page.request.get(url(path), { maxRedirects: 0 });
    assert.ok([302, 303, 307].includes(response.status()), `${path}: ${response.status()}`);
    const location = new URL(response.headers().location, url('/'));
    assert.equal(location.pathname, '/login', `${path} goes to the sign-in page`);
  }
  const target = `/communes/${main.id}/meetings/${cell.meeting_id}`;
  await page.goto(url(target));
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.getByLabel('Tên đăng nhập').fill(admin);
  await page.getByLabel('Mật khẩu').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname === target),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
  await ctx.close();
});
