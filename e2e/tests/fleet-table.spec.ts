import { expect, test } from '@playwright/test';
import { createContainer, pullTestImage, testImage, usesStackHost } from './fleet.ts';
import { signIn } from './sign-in.ts';

// More containers than a short window shows, so that most rows of the page are out of view; the
// first half with names that wrap to several lines, so that reversing the order puts shorter
// rows in the window and pulls the rows below them up into it.
const NAMES = Array.from({ length: 36 }, (_, i) => `e2e-page-${String(i).padStart(2, '0')}${i < 18 ? '-with-a-name-long-enough-to-wrap'.repeat(3) : ''}`);

/**
 * In the page: from now on, every time the table's DOM changes while it names `view`, the names
 * the rows in the window show, and whether the table is still busy. A string: this file is not
 * compiled for the DOM.
 */
const RECORD = `(view) => {
  const section = document.querySelector('section[aria-label="Containers"]');
  const seen = (window.__seen = []);
  const obs = new MutationObserver(() => {
    if (section.dataset.view !== view) return;
    const rows = Array.from(section.querySelectorAll('tbody tr[data-row]'));
    const inWindow = rows.map((tr, i) => ({ i, r: tr.getBoundingClientRect(), name: tr.children[2].textContent }))
      .filter((x) => x.r.bottom > 0 && x.r.top < window.innerHeight).map((x) => [x.i, x.name]);
    seen.push({ busy: section.querySelector('table').getAttribute('aria-busy') === 'true', inWindow });
  });
  obs.observe(section, { subtree: true, childList: true, characterData: true, attributes: true });
}`;

test.describe('the fleet containers table', () => {
  usesStackHost({ containers: NAMES });

  test('a new view shows in every row, and the rows in the window never show the view before', async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: 1280, height: 560 });
    await signIn(page);
    await pullTestImage(page);
    for (const name of NAMES) await createContainer({ image: testImage, name, cmd: ['true'] }, { start: false });

    const table = page.getByRole('table', { name: 'Containers' });
    const names = () => table.locator('tbody tr[data-row] > :nth-child(3)').allTextContents();
    await page.goto('/containers?q=e2e-page-&sort=name');
    // the hosts' inventories reach the table a moment after the containers are made
    await expect.poll(names, { timeout: 30_000 }).toEqual(NAMES);

    // name, descending: every row of the page shows another container
    const reversed = [...NAMES].reverse();
    await page.evaluate(`(${RECORD})(${JSON.stringify('q=e2e-page-&sort=name&order=desc')})`);
    await table.getByRole('button', { name: 'Name', exact: true }).click();
    await expect(page).toHaveURL(/order=desc/);
    await expect(table).not.toHaveAttribute('aria-busy', 'true');
    expect(await names()).toEqual(reversed);

    // at every change of the DOM under the new view, what the window showed was the new view's
    const seen = (await page.evaluate('window.__seen')) as { busy: boolean; inWindow: [number, string][] }[];
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) for (const [i, name] of s.inWindow) expect(name, `row ${i} in the window${s.busy ? ' while the rest of the table was still filling' : ''}`).toBe(reversed[i]);
    // and the window had rows in it (the check above was not vacuous)
    expect(seen.some((s) => s.inWindow.length >= 3)).toBe(true);
  });
});
