// Office accounts: the commune admin gives a clerk a read-only account through the menu
// and the form, the clerk signs in with it and has no accounts page; locking the account
// signs the clerk out at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, context, signedIn, ids, url, DESKTOP } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const CLERK = 'thuky.moi';
const CLERK_PASSWORD = 'mat-khau-thu-ky-moi';

test('accounts: an admin creates a read-only account, its holder signs in, a lock signs them out', async () => {
  const { admin, main } = await ids();
  const office = await signedIn(browser, admin, DESKTOP);
  const page = office.page;
  await page.goto(url(`/communes/${main.id}`));
  await Promise.all([
    page.waitForURL(/\/accounts$/),
    page.getByRole('navigation', { name: 'Chức năng' }).getByRole('link', { name: 'Tài khoản văn phòng' }).click(),
  ]);
  await page.getByLabel('Tên đăng nhập', { exact: true }).fill(CLERK);
  await page.getByLabel('Họ và tên').fill('Lò Thị Thu');
  await page.getByLabel('Quyền').selectOption({ label: 'Chỉ xem' });
  await page.getByLabel('Mật khẩu ban đầu').fill(CLERK_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Tạo tài khoản' }).click()]);
  assert.match(await page.getByRole('status').innerText(), new RegExp(`Đã tạo tài khoản ${CLERK}`));
  const row = page.locator('tbody tr', { hasText: CLERK });
  assert.match(await row.innerText(), /Lò Thị Thu[\s\S]*Chỉ xem[\s\S]*Đang dùng/);

  // The clerk signs in with what the admin handed over, by the keyboard.
  const clerk = await context(browser, DESKTOP);
  const clerkPage = await clerk.newPage();
  await clerkPage.goto(url('/login'));
  await clerkPage.getByLabel('Tên đăng nhập').fill(CLERK);
  await clerkPage.getByLabel('Mật khẩu').fill(CLERK_PASSWORD);
  await Promise.all([
    clerkPage.waitForURL((u) => !u.pathname.startsWith('/login')),
    clerkPage.getByLabel('Mật khẩu').press('Enter'),
  ]);
  assert.equal(new URL(clerkPage.url()).pathname, `/communes/${main.id}`);
  const menu = await clerkPage.getByRole('navigation', { name: 'Chức năng' }).innerText();
  assert.match(menu, /Tổng quan/);
  assert.doesNotMatch(menu, /Tài khoản văn phòng/, 'a reader has no accounts page');
  const refused = await clerkPage.goto(url(`/communes/${main.id}/accounts`));
  assert.equal(refused.status(), 403);

  // The admin locks the account; the clerk's next page is the sign-in form.
  await Promise.all([
    page.waitForNavigation(),
    row.getByRole('button', { name: `Khóa tài khoản ${CLERK}` }).click(),
  ]);
  assert.match(await page.getByRole('status').innerText(), new RegExp(`Đã khóa tài khoản ${CLERK}`));
  assert.match(await page.locator('tbody tr', { hasText: CLERK }).innerText(), /Đã khóa/);
  await clerkPage.goto(url(`/communes/${main.id}`));
  assert.equal(new URL(clerkPage.url()).pathname, '/login');
  await clerk.close();
  await office.ctx.close();
});
