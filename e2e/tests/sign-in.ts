import { expect, type Page } from '@playwright/test';

/** Signs in as the admin the global setup created (or as its viewer), through the login form. */
export async function signIn(page: Page, as: 'admin' | 'viewer' = 'admin'): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(as === 'admin' ? process.env.BERTH_E2E_USER! : process.env.BERTH_E2E_VIEWER!);
  await page.getByLabel('Password').fill(as === 'admin' ? process.env.BERTH_E2E_PASSWORD! : process.env.BERTH_E2E_VIEWER_PASSWORD!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
}
