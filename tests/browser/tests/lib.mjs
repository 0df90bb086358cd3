// Shared helpers of the browser tests: the browser, signing in, the fixture's control API,
// screenshots and reading the downloaded Office files.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, strFromU8 } from 'fflate';

export const DASHBOARD = process.env.CHIBO_DASHBOARD_URL;
export const CONTROL = process.env.CHIBO_CONTROL_URL;
if (!DASHBOARD || !CONTROL) {
  throw new Error('run the browser tests through tests/browser/run.mjs (it starts the fixture)');
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR
  ? (process.env.CARGO_TARGET_DIR.startsWith('/') ? process.env.CARGO_TARGET_DIR : join(ROOT, process.env.CARGO_TARGET_DIR))
  : join(ROOT, 'target');
export const OUTPUT = join(TARGET, 'browser', 'test-output');
export const SCREENSHOTS = join(OUTPUT, 'screenshots');
export const DOWNLOADS = join(OUTPUT, 'downloads');

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/// Debian's Chromium, headless, loopback only, with a fresh profile.
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHIBO_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
      // No --user-data-dir: Playwright gives each launch a fresh temporary profile.
    ],
  });
}

/// A fresh browser context (its own cookies) at a viewport, in Vietnamese.
export async function context(browser, viewport = DESKTOP) {
  return browser.newContext({
    viewport,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    acceptDownloads: true,
  });
}

let idsCache;
/// What the fixture seeded: accounts, communes, meetings, phones.
export async function ids() {
  idsCache ??= await control('GET', '/ids');
  return idsCache;
}

/// A call to the fixture's control API; throws on a non-2xx answer.
export async function control(method, path, body) {
  const response = await fetch(CONTROL + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export const url = (path) => DASHBOARD + path;

/// The password of one of the seeded accounts (the demo's own have random ones).
export async function passwordOf(username) {
  const account = (await ids()).accounts[username];
  if (!account) throw new Error(`the fixture has no account ${username}`);
  return account.password;
}

/// Signs `username` in through the form and waits for the page after it.
export async function signIn(page, username, next = '/') {
  const password = await passwordOf(username);
  await page.goto(url(`/login?next=${encodeURIComponent(next)}`));
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
}

/// A signed-in page of a fresh context.
export async function signedIn(browser, username, viewport = DESKTOP) {
  const ctx = await context(browser, viewport);
  const page = await ctx.newPage();
  await signIn(page, username);
  return { ctx, page };
}

/// A full-page screenshot named page-viewport.png.
export async function screenshot(page, name, viewport) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Lazy images below the fold would be blank in a full-page capture: load them all.
  await page.evaluate(async () => {
    const images = [...document.images];
    for (const img of images) img.loading = 'eager';
    await Promise.all(images.map((img) => (img.complete ? null : new Promise((r) => { img.onload = r; img.onerror = r; }))));
  });
  const size = `${viewport.width}x${viewport.height}`;
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
}

/// Clicks `trigger` and saves the file the browser downloads; returns its bytes and name.
export async function download(page, trigger) {
  mkdirSync(DOWNLOADS, { recursive: true });
  const [file] = await Promise.all([page.waitForEvent('download'), trigger()]);
  const path = join(DOWNLOADS, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

/// The entries of a zip (DOCX, XLSX) as text.
export function unzipText(bytes) {
  const files = unzipSync(new Uint8Array(bytes));
  const out = {};
  for (const [name, data] of Object.entries(files)) out[name] = strFromU8(data);
  return out;
}

const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function xmlText(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return entities[e] ?? m;
  });
}

/// A DOCX's body text, one string per paragraph.
export function docxParagraphs(bytes) {
  const xml = unzipText(bytes)['word/document.xml'];
  if (!xml) throw new Error('no word/document.xml in the DOCX');
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    xmlText([...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('')),
  );
}

/// An XLSX's sheets by name, each a list of rows of cell values (strings or numbers).
export function xlsxSheets(bytes) {
  const files = unzipText(bytes);
  const shared = [...(files['xl/sharedStrings.xml'] ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((si) =>
    xmlText([...si[1].matchAll(/<t(?: [^>]*)?>([^<]*)<\/t>/g)].map((t) => t[1]).join('')),
  );
  const workbook = files['xl/workbook.xml'];
  const rels = files['xl/_rels/workbook.xml.rels'];
  const target = {};
  for (const r of rels.matchAll(/<Relationship [^>]*>/g)) {
    const id = /Id="([^"]+)"/.exec(r[0])[1];
    target[id] = /Target="([^"]+)"/.exec(r[0])[1].replace(/^\/?(xl\/)?/, 'xl/');
  }
  const sheets = {};
  for (const s of workbook.matchAll(/<sheet [^>]*>/g)) {
    const name = xmlText(/name="([^"]+)"/.exec(s[0])[1]);
    const rid = /r:id="([^"]+)"/.exec(s[0])[1];
    const xml = files[target[rid]];
    const rows = [];
    for (const row of xml.matchAll(/<row [^>]*>([\s\S]*?)<\/row>/g)) {
      const cells = [];
      for (const c of row[1].matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const ref = /r="([A-Z]+)\d+"/.exec(c[1])[1];
        const col = [...ref].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
        const type = /t="([^"]+)"/.exec(c[1])?.[1];
        const v = /<v>([^<]*)<\/v>/.exec(c[2] ?? '')?.[1];
        let value = null;
        if (type === 's') value = shared[Number(v)];
        else if (type === 'inlineStr') value = xmlText([...(c[2] ?? '').matchAll(/<t(?: [^>]*)?>([^<]*)<\/t>/g)].map((t) => t[1]).join(''));
        else if (type === 'str') value = xmlText(v ?? '');
        else if (type === 'b') value = v === '1';
        else if (v !== undefined) value = Number(v);
        cells[col] = value;
      }
      rows.push(cells);
    }
    sheets[name] = rows;
  }
  return sheets;
}

/// The visible text of the page's main content, whitespace collapsed.
export async function mainText(page) {
  const main = page.locator('main');
  const text = (await main.count()) ? await main.innerText() : await page.locator('body').innerText();
  return text.replace(/\s+/g, ' ');
}
