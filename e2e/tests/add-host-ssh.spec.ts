import { expect, test } from '@playwright/test';
import { signIn } from './sign-in.ts';

// The SSH install itself (host key, upload, unit) is covered against a booted Debian by
// apps/gateway/src/ssh-add-api.int.test.ts; here: the page, its live checklist and its errors.

test('the admin opens "Add host over SSH" and sees the failing step and why, with the password gone', async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Add host over SSH' }).click();
  await expect(page).toHaveURL(/\/add-host$/);
  const form = page.getByRole('form', { name: 'Add host over SSH' });
  // the URL agents dial, derived from the dashboard's own address
  await expect(form.getByLabel('Control plane URL')).toHaveValue(new URL('/agent', page.url().replace(/^http/, 'ws')).toString());
  await expect(form.getByLabel('Allow plain ws://')).toBeChecked();
  await form.getByLabel('Address').fill('127.0.0.1');
  await expect(form.getByLabel('Host name')).toHaveValue('host-127-0-0-1');
  await form.getByLabel('Port').fill('1'); // nothing listens there
  await form.getByRole('textbox', { name: 'Password', exact: true }).fill('e2e-not-a-real-password');
  await form.getByRole('button', { name: 'Install the agent' }).click();

  const steps = page.getByRole('list', { name: 'Installation steps' });
  await expect(steps.getByRole('listitem').first()).toHaveAttribute('data-status', 'failed');
  await expect(steps).toContainText('[1/7]');
  await expect(page.getByRole('alert').filter({ hasText: 'refused the connection' })).toContainText('127.0.0.1:1');
  expect(page.url()).not.toContain('e2e-not-a-real-password');

  await page.getByRole('button', { name: 'Back to the form' }).click();
  await expect(form.getByRole('textbox', { name: 'Password', exact: true })).toHaveValue('');
  await expect(form.getByLabel('Address')).toHaveValue('127.0.0.1');
});

test('a viewer is not offered "Add host over SSH"', async ({ page }) => {
  await signIn(page, 'viewer');
  await expect(page.getByRole('table', { name: 'Hosts' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add host over SSH' })).toHaveCount(0);
  await page.goto('/add-host');
  await expect(page.getByText('Adding a host needs the admin role')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Add host over SSH' })).toHaveCount(0);
});
