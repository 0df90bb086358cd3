// On a 390×844 phone no page is wider than the screen: wide tables scroll inside their
// own box, the page itself never scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, ids, url, PHONE } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('phone layout: no page scrolls sideways at 390×844', async () => {
  const { admin, main } = await ids();
  const c = `/communes/${main.id}`;
  const cell = main.cells.find((x) => x.meeting_id);
  const { ctx, page } = await signedIn(browser, admin, PHONE);
  const wide = [];
  for (const path of [c, `${c}/cells`, `${c}/cells/${cell.id}`, `${c}/meetings/${cell.meeting_id}`, `${c}/cadres`, `${c}/petitions`, `${c}/guidance`, `${c}/people`]) {
    await page.goto(url(path));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 1) {
      const culprit = await page.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        const el = [...document.querySelectorAll('main *')].find((e) => e.getBoundingClientRect().right > limit + 1 && !e.closest('.table-wrap'));
        return el ? `<${el.tagName.toLowerCase()} class="${el.className}">` : '?';
      });
      wide.push(`${path.replace(c, '') || '/'} by ${overflow}px (${culprit})`);
    }
  }
  assert.deepEqual(wide, [], `pages wider than the phone: ${wide.join('; ')}`);
  await ctx.close();
});
