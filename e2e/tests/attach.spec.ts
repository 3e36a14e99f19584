import { expect, test, type Page } from '@playwright/test';
import { createContainer, HOST, pullTestImage, testImage, usesStackHost } from './fleet.ts';
import { signIn } from './sign-in.ts';

/** run -dit … sh from the run form, attached to from the Terminal tab */
const SHELL = 'e2e-attach';
/** run -it without -d from the run form: the page opens attached */
const FOREGROUND = 'e2e-attach-fg';
/** no -i: its output watched, the keyboard not connected */
const TICKER = 'e2e-attach-ro';
/** the e2e stack's agent: a bridge of its own named after the run, and IPv4 forwarding left off (e2e/stack.ts) */
const STACK_BRIDGE = `bte${Number(process.env.BERTH_E2E_RUN) % 100000}`;

/** Fills the run form for `sh` with -i and -t, detached or not, and runs it. */
async function runShell(page: Page, name: string, o: { detached: boolean; screenshot?: string }): Promise<void> {
  await page.goto(`/hosts/${HOST}/run?image=${encodeURIComponent(testImage)}`);
  const form = page.getByRole('form', { name: 'Run a container' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Command', { exact: true }).fill('sh');
  await form.getByLabel('Interactive (-i)').check();
  await form.getByLabel('Terminal (-t)').check();
  await expect(form.getByText('Interactive with a terminal (-it)')).toBeVisible();
  if (!o.detached) await form.getByLabel('Detached (-d)').uncheck();
  if (o.screenshot) await page.screenshot({ path: o.screenshot, fullPage: true });
  await form.getByRole('button', { name: 'Run' }).click();
  await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/containers/[0-9a-f]{12,}`), { timeout: 60_000 });
  await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
}

/** Types a line into the xterm.js terminal, which reads keys from its hidden textarea. */
async function typeLine(page: Page, name: string, line: string): Promise<void> {
  await page.getByLabel(`Terminal output of ${name}`).click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** The rows of the terminal's screen holding exactly `text` (textContent runs the rows together). */
const screenRow = (page: Page, name: string, text: string) =>
  page.getByLabel(`Terminal output of ${name}`).locator('.xterm-rows > div').filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) });

test.describe('attach to a container\'s main process, docker stats I/O and host networking facts on a real agent', () => {
  // skipped without the test registry; what these tests make is removed before and after them
  usesStackHost({ containers: [SHELL, FOREGROUND, TICKER], images: [testImage] });

  test('run -dit sh from the form, attach and type, detach and find it running; stats NET I/O and BLOCK I/O', async ({ page }) => {
    test.setTimeout(240_000);
    await signIn(page);
    await pullTestImage(page);

    await test.step('run sh with Interactive (-i) and Terminal (-t) from the run form', async () => {
      await runShell(page, SHELL, { detached: true, screenshot: 'e2e/test-results/run-form-interactive.png' });
      await expect(page.getByLabel('Container state')).toHaveText('running');
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
      const inspect = await page.evaluate(async ({ host, id }) => {
        const input = encodeURIComponent(JSON.stringify({ json: { host, id } }));
        const r = await fetch(`/api/trpc/containers.inspect?input=${input}`);
        return ((await r.json()) as { result: { data: { json: { Config: { Tty: boolean; OpenStdin: boolean } } } } }).result.data.json.Config;
      }, { host: HOST, id });
      expect(inspect).toMatchObject({ Tty: true, OpenStdin: true });
    });

    await test.step('the stats panel shows NET I/O and BLOCK I/O as docker stats words them', async () => {
      const stats = page.getByLabel('Container stats');
      await expect(stats.getByRole('term')).toHaveText(['CPU', 'Memory', 'PIDs', 'NET I/O', 'BLOCK I/O']);
      const io = /^\d+(\.\d+)?[kMGTP]?B \/ \d+(\.\d+)?[kMGTP]?B$/;
      const cell = (term: string) => stats.locator('div').filter({ has: page.getByRole('term').filter({ hasText: term }) }).getByRole('definition');
      await expect(cell('NET I/O')).toHaveText(io);
      await expect(cell('BLOCK I/O')).toHaveText(io);
      await expect(cell('PIDs')).toHaveText(/^\d+$/);
    });

    const terminal = page.getByRole('form', { name: `Terminal of ${SHELL}` });
    const region = page.getByRole('region', { name: 'Terminal' });
    await test.step('attach from the Terminal tab and type into the shell', async () => {
      await page.getByRole('tab', { name: 'Terminal' }).click();
      await terminal.getByRole('radio', { name: 'Attach' }).check();
      await expect(terminal.getByLabel('Command')).toHaveCount(0); // the main process runs already: nothing to type here
      await expect(terminal.getByText('detaching leaves the container running')).toBeVisible();
      await terminal.getByRole('button', { name: 'Attach', exact: true }).click();
      await expect(terminal.getByText(`attached to ${SHELL} · keystrokes go to its main process`)).toBeVisible();
      await expect(terminal.getByRole('radio', { name: 'Exec' })).toBeDisabled();
      await expect(region.getByText('Input is not connected')).toHaveCount(0);
      await typeLine(page, SHELL, 'echo attach-$((2+3))');
      await expect(screenRow(page, SHELL, 'attach-5')).toHaveCount(1, { timeout: 15_000 });
      await page.screenshot({ path: 'e2e/test-results/attach.png', fullPage: true });

      // the container's terminal follows the panel, as exec's does: narrower window, fewer columns
      const screen = page.getByLabel(`Terminal output of ${SHELL}`).locator('.xterm-rows');
      const sizes = async () => (await screen.locator(':scope > div').allTextContents()).map((t) => t.trim()).filter((t) => /^\d+ \d+$/.test(t));
      await typeLine(page, SHELL, 'stty size');
      await expect.poll(async () => (await sizes()).length).toBe(1);
      const wide = Number((await sizes())[0]!.split(' ')[1]);
      await page.setViewportSize({ width: 800, height: 720 });
      await page.waitForTimeout(300);
      await typeLine(page, SHELL, 'clear; stty size');
      await expect.poll(async () => Number((await sizes()).at(-1)?.split(' ')[1] ?? wide)).toBeLessThan(wide);
      await page.setViewportSize({ width: 1280, height: 720 });
    });

    await test.step('detach: the container keeps running, and the same shell takes a second attach', async () => {
      await terminal.getByRole('button', { name: 'Detach' }).click();
      await expect(region.getByRole('status')).toHaveText(`Detached: ${SHELL} keeps running.`);
      await page.getByRole('tab', { name: 'Logs' }).click();
      await page.waitForTimeout(1000);
      await expect(page.getByLabel('Container state')).toHaveText('running');
      await page.reload();
      await expect(page.getByLabel('Container state')).toHaveText('running');
      await page.getByRole('tab', { name: 'Terminal' }).click();
      await terminal.getByRole('radio', { name: 'Attach' }).check();
      await terminal.getByRole('button', { name: 'Attach', exact: true }).click();
      await expect(terminal.getByText(`attached to ${SHELL}`)).toBeVisible();
      // the same sh: a variable set by the first line is there for the second
      await typeLine(page, SHELL, 'N=7; echo again-$((N*6))');
      await expect(screenRow(page, SHELL, 'again-42')).toHaveCount(1, { timeout: 15_000 });
      await terminal.getByRole('button', { name: 'Detach' }).click();
      await expect(region.getByRole('status')).toHaveText(`Detached: ${SHELL} keeps running.`);
      await page.getByRole('link', { name: 'Containers', exact: true }).first().click();
      const row = page.getByRole('table', { name: 'Containers' }).getByRole('row').filter({ has: page.getByRole('link', { name: SHELL, exact: true }) });
      await expect(row.getByText('running', { exact: true })).toBeVisible();
    });
  });

  test('a container without -i is attached read-only; run -it without -d opens attached, and its exit is shown', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page);
    await pullTestImage(page); // already there after the test above; pulled again when this one runs alone
    const ticker = await createContainer({ image: testImage, name: TICKER, cmd: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 1; done'] }, { start: true });

    await test.step('attach to its output: the keyboard is not connected, and the note says why', async () => {
      await page.goto(`/hosts/${HOST}/containers/${ticker}#terminal`);
      const terminal = page.getByRole('form', { name: `Terminal of ${TICKER}` });
      await terminal.getByRole('radio', { name: 'Attach' }).check();
      await terminal.getByRole('button', { name: 'Attach', exact: true }).click();
      await expect(terminal.getByText(`attached to ${TICKER}, read-only`)).toBeVisible();
      // the page brings the session's screen into view: off screen xterm paints nothing, whatever arrives
      await expect(page.getByLabel(`Terminal output of ${TICKER}`)).toBeInViewport();
      const region = page.getByRole('region', { name: 'Terminal' });
      await expect(region.getByText(`Input is not connected: ${TICKER} was not created with -i`)).toBeVisible();
      await expect(page.getByLabel(`Terminal output of ${TICKER}`)).toHaveAccessibleDescription(/Input is not connected/);
      // lines as they come, each at the start of its row (no terminal: \n becomes \r\n here)
      await expect(screenRow(page, TICKER, 'tick-\\d+').nth(1)).toBeVisible({ timeout: 15_000 });
      await page.screenshot({ path: 'e2e/test-results/attach-read-only.png', fullPage: true });
      await terminal.getByRole('button', { name: 'Detach' }).click();
      await expect(region.getByRole('status')).toHaveText(`Detached: ${TICKER} keeps running.`);
      await expect(page.getByLabel('Container state')).toHaveText('running');
    });

    await test.step('run -it without -d: the page opens attached; exit ends the container, and the terminal says so', async () => {
      await runShell(page, FOREGROUND, { detached: false });
      await expect(page).toHaveURL(/\?attach=1#terminal$/);
      const terminal = page.getByRole('form', { name: `Terminal of ${FOREGROUND}` });
      await expect(terminal.getByText(`attached to ${FOREGROUND} · keystrokes go to its main process`)).toBeVisible({ timeout: 15_000 });
      await typeLine(page, FOREGROUND, 'echo fg-$((3*3))');
      await expect(screenRow(page, FOREGROUND, 'fg-9')).toHaveCount(1, { timeout: 15_000 });
      await typeLine(page, FOREGROUND, 'exit 3');
      await expect(page.getByRole('region', { name: 'Terminal' }).getByRole('alert')).toHaveText(`The main process of ${FOREGROUND} exited with code 3: the container stopped with it.`, { timeout: 15_000 });
      await expect(page.getByLabel('Container state')).toHaveText('exited', { timeout: 15_000 });
      // the terminal stays, with the session's end, and offers nothing more until it is started again
      await expect(terminal.getByRole('button', { name: 'Attach again' })).toBeDisabled();
      await expect(terminal.getByText(`${FOREGROUND} is not running`)).toBeVisible();
      await expect(screenRow(page, FOREGROUND, 'fg-9')).toHaveCount(1);
      await page.screenshot({ path: 'e2e/test-results/attach-exited.png', fullPage: true });
    });
  });

  test('the host page says whether IPv4 forwarding is on and names the default bridge', async ({ page }) => {
    await signIn(page);
    await page.goto(`/hosts/${HOST}`);
    const facts = page.getByLabel('Host facts');
    await expect(facts).toBeVisible({ timeout: 30_000 });
    const fact = (term: string) => facts.getByRole('term').filter({ hasText: new RegExp(`^${term}$`) });
    const value = (term: string) => fact(term).locator('xpath=following-sibling::dd[1]');
    await expect(fact('Default Bridge')).toBeVisible();
    await expect(value('Default Bridge')).toHaveText(new RegExp(`^${STACK_BRIDGE} \\d+\\.\\d+\\.\\d+\\.\\d+/\\d+ \\(gateway \\d+\\.\\d+\\.\\d+\\.\\d+\\)$`));
    await expect(fact('IPv4 Forwarding')).toBeVisible();
    await expect(value('IPv4 Forwarding')).toContainText('off');
    await expect(value('IPv4 Forwarding')).toContainText('containers cannot reach beyond the host');
    await expect(value('IPv4 Forwarding')).toContainText('Warning:'); // said to screen readers, shown as ⚠
    await value('IPv4 Forwarding').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'e2e/test-results/host-networking-facts.png', fullPage: true });
  });
});
