import { expect, test } from '@playwright/test';
import { createContainer, pullTestImage, testImage, usesStackHost } from './fleet.ts';
import { signIn } from './sign-in.ts';

const BULK = ['e2e-bulk-1', 'e2e-bulk-2'];

test('the command palette and the keyboard shortcuts', async ({ page }) => {
  await signIn(page);

  await test.step('Ctrl+K, "aud", Enter: the audit log; focus comes back after Esc', async () => {
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    const box = palette.getByRole('combobox');
    // the shortcuts listen once the shell has the session: a key pressed while it still says
    // "Loading…" goes nowhere, as for a user, so wait for it, and press again if that was close
    await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
    await expect(async () => {
      if (!(await palette.isVisible())) await page.keyboard.press('Control+k');
      await expect(box).toBeFocused({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await box.fill('aud');
    await expect(palette.getByRole('option', { selected: true })).toContainText('Audit log');
    await page.screenshot({ path: 'e2e/screenshots/palette.png', fullPage: true });
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/audit$/);
    await expect(palette).toHaveCount(0);
    // arrows move the choice; Esc closes without going anywhere
    await page.keyboard.press('Control+k');
    await box.fill('ho');
    await page.keyboard.press('ArrowDown');
    await expect(palette.getByRole('option', { selected: true })).not.toContainText('Hosts');
    await page.keyboard.press('Escape');
    await expect(palette).toHaveCount(0);
    await expect(page).toHaveURL(/\/audit$/);
  });

  await test.step('g c: the containers; / finds its search box, where g c is text', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await expect(page).toHaveURL(/\/containers$/);
    await expect(page.getByRole('heading', { name: 'Containers' })).toBeVisible();
    await page.keyboard.press('/');
    const search = page.getByLabel('Search containers');
    await expect(search).toBeFocused();
    await page.keyboard.type('gc');
    await expect(search).toHaveValue('gc');
    await expect(page).toHaveURL(/\/containers\?q=gc$/);
    await search.fill('');
    await search.blur();
  });

  await test.step('?: the list of shortcuts; g a from there goes to the audit log', async () => {
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(help).toContainText('Go to Containers');
    await expect(help).toContainText('g c');
    await page.keyboard.press('Escape');
    await expect(help).toHaveCount(0);
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await expect(page).toHaveURL(/\/audit$/);
  });

  await test.step('an action opens its page with its form focused', async () => {
    await page.keyboard.press('Control+k');
    await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox').fill('pull');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/images$/);
    await expect(page.getByRole('form', { name: 'Pull an image' }).locator(':focus')).toHaveCount(1);
  });
});

test.describe('bulk actions on the containers table', () => {
  usesStackHost({ containers: BULK });

  test('select two containers, stop both after one confirmation, then remove both', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page);
    await pullTestImage(page);
    // exits at once on SIGTERM, so that the stop does not wait for the kill
    for (const name of BULK) await createContainer({ image: testImage, name, cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1000 & wait'] }, { start: true });

    await page.goto('/containers?q=e2e-bulk');
    const table = page.getByRole('table', { name: 'Containers' });
    const rows = table.getByRole('row').filter({ hasText: 'e2e-bulk-' });
    await expect(rows.filter({ hasText: 'running' })).toHaveCount(2);

    await test.step('select with a click and a shift-click; one question names both', async () => {
      await table.getByLabel(`Select ${BULK[1]} on local`).click();
      await table.getByLabel(`Select ${BULK[0]} on local`).click({ modifiers: ['Shift'] });
      const bar = page.getByRole('toolbar', { name: 'Selected containers' });
      await expect(bar).toContainText('2 selected');
      await bar.getByRole('button', { name: 'Stop selected' }).click();
      const confirm = bar.getByRole('group', { name: 'Confirm stop' });
      await expect(confirm).toContainText(/^Stop 2 containers: e2e-bulk-[12], e2e-bulk-[12]\?/);
      await page.screenshot({ path: 'e2e/screenshots/containers-bulk.png', fullPage: true });
      await confirm.getByRole('button', { name: 'Confirm stop' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Stopped 2 containers.' })).toBeVisible({ timeout: 45_000 });
      await expect(rows.filter({ hasText: 'exited' })).toHaveCount(2, { timeout: 30_000 });
    });

    await test.step('select all on the page and remove: the question says nothing runs', async () => {
      await table.getByLabel('Select all on this page').check();
      const bar = page.getByRole('toolbar', { name: 'Selected containers' });
      await bar.getByRole('button', { name: 'Remove selected' }).click();
      const confirm = bar.getByRole('group', { name: 'Confirm remove' });
      await expect(confirm).toContainText(/^Remove 2 containers: e2e-bulk-[12], e2e-bulk-[12]\?Confirm remove/);
      await confirm.getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Removed 2 containers.' })).toBeVisible({ timeout: 45_000 });
      await expect(rows).toHaveCount(0, { timeout: 30_000 });
    });
  });
});
