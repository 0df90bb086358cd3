// A meeting's page: the record as minutes, with its photos as thumbnails that open at
// full size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, DESKTOP } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('meeting: the photos show as thumbnails that load, and a click opens the full-size photo', async () => {
  const { admin, main } = await ids();
  const cell = main.cells.find((c) => c.meeting_id && c.photos.length);
  const { ctx, page } = await signedIn(browser, admin, DESKTOP);
  await page.goto(url(`/communes/${main.id}/meetings/${cell.meeting_id}`));
  assert.match(await page.locator('main').innerText(), new RegExp(cell.name));

  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Ảnh buổi họp' }) });
  const thumbs = section.locator('img');
  assert.equal(await thumbs.count(), cell.photos.length, 'every photo of the meeting');
  for (let i = 0; i < cell.photos.length; i += 1) {
    const img = thumbs.nth(i);
    await img.scrollIntoViewIfNeeded();
    await img.evaluate((el) => (el.complete ? null : new Promise((r) => { el.onload = r; el.onerror = r; })));
    const size = await img.evaluate((el) => ({ w: el.naturalWidth, h: el.naturalHeight }));
    assert.ok(size.w > 0 && size.h > 0, `thumbnail ${i} decoded (${size.w}×${size.h})`);
  }

  const thumbWidth = await thumbs.first().evaluate((el) => el.naturalWidth);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    thumbs.first().click(),
  ]);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^image\//);
  const full = await page.evaluate(() => {
    const img = document.querySelector('img');
    return img ? { w: img.naturalWidth, h: img.naturalHeight } : null;
  });
  assert.ok(full && full.w > thumbWidth, `the full photo (${full?.w}px) is larger than its thumbnail (${thumbWidth}px)`);
  await ctx.close();
});
