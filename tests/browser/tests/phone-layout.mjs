// The phone-layout check shared by tests/10-phone-layout.test.mjs and its pending part:
// on a 390×844 phone a page is never wider than the screen (wide tables scroll inside
// their own box). Each test file that imports it gets its own browser.
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

/// How far `path` is wider than the phone's screen, and the widest element outside a
/// scrolling table box.
async function overflow(page, path) {
  await page.goto(url(path));
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const by = document.documentElement.scrollWidth - limit;
    const el = [...document.querySelectorAll('main *')].find((e) => e.getBoundingClientRect().right > limit + 1 && !e.closest('.table-wrap'));
    return { by, culprit: el ? `<${el.tagName.toLowerCase()} class="${el.className}">` : '' };
  });
}

export const PAGES = {
  overview: (c) => c,
  cells: (c) => `${c}/cells`,
  cell: (c, cell) => `${c}/cells/${cell.id}`,
  meeting: (c, cell) => `${c}/meetings/${cell.meeting_id}`,
  cadres: (c) => `${c}/cadres`,
  petitions: (c) => `${c}/petitions`,
  guidance: (c) => `${c}/guidance`,
  people: (c) => `${c}/people`,
  accounts: (c) => `${c}/accounts`,
  'rule-settings': (c) => `${c}/rule-settings`,
  password: () => '/account/password',
};

/// Registers one test per page name: the page never scrolls sideways on the phone.
export function fitsThePhone(names) {
  for (const name of names) {
    test(`phone layout: the ${name} page does not scroll sideways at 390×844`, async () => {
      const { admin, main } = await ids();
      const cell = main.cells.find((x) => x.meeting_id);
      const { ctx, page } = await signedIn(browser, admin, PHONE);
      const { by, culprit } = await overflow(page, PAGES[name](`/communes/${main.id}`, cell));
      assert.ok(by <= 1, `${name} is ${by}px wider than the phone (${culprit})`);
      await ctx.close();
    });
  }
}

