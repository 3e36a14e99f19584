import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { signIn } from './sign-in.ts';

const user = process.env.BERTH_E2E_USER!;

test('an anonymous visitor is sent to the sign-in page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: /sign in to berth/i })).toBeVisible();
});

test('a wrong password is refused with a clear message and no session', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /./ })).toHaveText('wrong username or password');
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});

test('the admin signs in and sees the local host online with its runtime', async ({ page }) => {
  await signIn(page);
  const row = page.getByRole('table', { name: 'Hosts' }).getByRole('row', { name: /local/ });
  await expect(row.getByText('online')).toBeVisible();
  await expect(row).toContainText(/runc|crun/);
  await expect(row).toContainText('Debian');
  // live figures from the agent's heartbeats
  await expect(row.getByRole('meter', { name: 'local memory' })).toBeVisible();
  await expect(row.getByRole('meter', { name: 'local disk' })).toHaveAttribute('aria-valuenow', /^\d+$/);
  await page.screenshot({ path: 'e2e/screenshots/fleet.png', fullPage: true });

  await page.getByRole('link', { name: 'Audit log' }).click();
  const audit = page.getByRole('table', { name: 'Audit log' });
  await expect(audit).toContainText('host.enroll');
  await expect(audit).toContainText('auth.login');
  // filtered on the server by an action prefix and a user, and the same selection as CSV
  const filters = page.getByRole('search', { name: 'Filter the audit log' });
  await filters.getByLabel('Action').fill('auth.');
  await filters.getByLabel('User').fill(user);
  await expect(audit).not.toContainText('host.enroll');
  await expect(audit.getByRole('row').filter({ hasText: 'auth.login' }).first()).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/audit.png', fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^berth-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const records = csv.split('\r\n').filter(Boolean);
  expect(records[0]).toBe('id,at,actor,source,remote_addr,action,host,object_type,object_id,outcome,error,params');
  expect(records.length).toBeGreaterThan(1);
  expect(records.slice(1).every((r) => r.split(',')[5]!.startsWith('auth.') && r.split(',')[2] === user)).toBe(true);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
});
