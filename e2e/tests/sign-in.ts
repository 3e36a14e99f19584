import { expect, type Page } from '@playwright/test';

/** Signs in as the admin the global setup created, through the login form. */
export async function signIn(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(process.env.BERTH_E2E_USER!);
  await page.getByLabel('Password').fill(process.env.BERTH_E2E_PASSWORD!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
}
