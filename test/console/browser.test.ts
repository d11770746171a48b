/**
 * The admin console in a real browser (Debian's Chromium through playwright-core) on the Express,
 * Fastify and Hono mounts: the whole life of a key as an admin clicks and types it, the refusals,
 * axe-core on every screen, 360 px and 1440 px, light and dark. Screenshots of each step go to
 * test-results/console/<framework>/NN-step.png for a reviewer to look at.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import axeCore from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyring } from 'keysmith';
import { FRAMEWORKS, newKeyring, type ConsoleApp } from './servers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** axe-core's own script, injected into each page. */
const AXE = axeCore.source;
const SHOTS = join('test-results', 'console');
const DAY = 86_400_000;

let browser: Browser;
beforeAll(async () => {
  // One browser for the file; each test gets its own context (cookies, storage).
  browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

interface Axe {
  run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[] }>;
}

/** A page of the console, signed in by cookie, that records CSP violations and page errors. */
async function openConsole(app: ConsoleApp, session: string, viewport = { width: 1440, height: 900 }) {
  const context: BrowserContext = await browser.newContext({ viewport, colorScheme: 'light', permissions: ['clipboard-read', 'clipboard-write'] });
  if (session !== '') await context.addCookies([{ name: 'session', value: session, url: app.url, httpOnly: true, sameSite: 'Strict' }]);
  // Every CSP violation the page meets is recorded (the event is dispatched whatever the console shows).
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${app.url}/admin/console`);
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  return { context, page, problems };
}

/** The CSP violations the page has met so far. */
const cspViolations = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/** Runs axe-core on the page as it is (open shadow roots and the open dialog included): no serious or critical violation. */
async function axe(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = await page.evaluate(() => (window as unknown as { axe: Axe }).axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  expect(bad, `axe on ${screen}`).toEqual([]);
}

const shots = new Map<string, number>();

/** Screenshot of one step (test-results/console/<framework>/NN-step.png, numbered across the framework's tests) plus axe on it. */
function stepper(framework: string, page: Page) {
  const dir = join(SHOTS, framework);
  mkdirSync(dir, { recursive: true });
  return async (name: string) => {
    const n = (shots.get(framework) ?? 0) + 1;
    shots.set(framework, n);
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
    await axe(page, `${framework} ${name}`);
  };
}

const row = (page: Page, id: string): Locator => page.locator(`tr[data-key="${id}"]`);
const dialog = (page: Page): Locator => page.getByRole('dialog');

describe.each(FRAMEWORKS)('console in Chromium on $name', ({ name: framework, start }) => {
  let keyring: Keyring;
  let app: ConsoleApp;
  beforeAll(async () => {
    // This run's screenshots only: no stale step from an earlier run sits among them.
    rmSync(join(SHOTS, framework), { recursive: true, force: true });
    keyring = newKeyring();
    app = await start(keyring, { console: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('create (limited scopes, 7 days) → token shown once → verify → edit → pause → resume → rotate → revoke by name → refused', {
    timeout: 120_000,
  }, async () => {
    const { context, page, problems } = await openConsole(app, 'admin');
    const step = stepper(framework, page);
    try {
      await page.getByText('No API keys yet').waitFor();
      await step('empty');

      // Create: a name, two scopes of the vocabulary, 7 days.
      await page.getByRole('button', { name: 'New key' }).click();
      const create = dialog(page);
      await create.getByLabel('Name', { exact: true }).fill('ci-deploy');
      await create.getByLabel('docs:read').check();
      await create.getByLabel('billing:read').check();
      await create.getByLabel('Expires').selectOption({ label: '7 days' });
      await step('create-form');
      const before = Date.now();
      await create.getByRole('button', { name: 'Create key' }).click();

      // The token, once, with a warning; read it from the page.
      const tokenBox = page.locator('input[data-token]');
      await tokenBox.waitFor();
      await page.getByText('Copy this key now.').waitFor();
      const token = await tokenBox.inputValue();
      expect(token).toMatch(/^sk_test_[A-Za-z0-9]{16}_[A-Za-z0-9]{38}$/);
      await step('token-shown-once');
      // The copy button puts exactly the token on the clipboard.
      await dialog(page).getByRole('button', { name: 'Copy key' }).click();
      await page.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

      // Verified through the keyring: the scopes chosen, expiring in 7 days.
      const verified = await keyring.verify(token);
      expect(verified.valid).toBe(true);
      if (!verified.valid) return;
      const id = verified.key.id;
      expect([...verified.key.scopes].sort()).toEqual(['billing:read', 'docs:read']);
      expect(verified.key.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 7 * DAY - 1000);
      expect(verified.key.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 7 * DAY + 1000);

      // Done: the token leaves the page, and it was never stored or put in the URL.
      await dialog(page).getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => page.locator('input[data-token]').count()).toBe(0);
      const traces = await page.evaluate(
        (t) => ({
          dom: (document.querySelector('keysmith-console')?.shadowRoot?.innerHTML ?? '').includes(t) || document.documentElement.outerHTML.includes(t),
          storage: localStorage.length + sessionStorage.length,
          url: location.href.includes(t),
        }),
        token,
      );
      expect(traces).toEqual({ dom: false, storage: 0, url: false });

      // Listed with its scopes and an active badge.
      const listed = row(page, id);
      await listed.getByText('active', { exact: true }).waitFor();
      await expect.poll(() => listed.getByText('docs:read').count()).toBe(1);
      await step('listed');

      // Edit: add docs:write, drop billing:read, read-only MCP tools.
      await listed.getByRole('button', { name: 'Edit ci-deploy' }).click();
      const edit = dialog(page);
      await edit.getByLabel('docs:write').check();
      await edit.getByLabel('billing:read').uncheck();
      await edit.getByLabel('Read-only tools only').check();
      await step('edit-form');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText(/^Saved ci-deploy\./).waitFor();
      await row(page, id).getByText('docs:write').waitFor();
      const edited = await keyring.get('acme', id);
      expect([...(edited?.scopes ?? [])].sort()).toEqual(['docs:read', 'docs:write']);
      expect(edited?.mcp.readOnly).toBe(true);

      // Pause: the token stops working; resume: it works again.
      await row(page, id).getByRole('button', { name: 'Pause ci-deploy' }).click();
      await row(page, id).getByText('paused', { exact: true }).waitFor();
      await step('paused');
      expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'DISABLED' });
      await row(page, id).getByRole('button', { name: 'Resume ci-deploy' }).click();
      await row(page, id).getByText('active', { exact: true }).waitFor();
      await step('resumed');
      expect((await keyring.verify(token)).valid).toBe(true);

      // Rotate with no grace period: a new token, shown once; the old one is refused.
      await row(page, id).getByRole('button', { name: 'Rotate ci-deploy' }).click();
      await dialog(page).getByLabel('The old key keeps working for').selectOption({ label: 'Stop working at once' });
      await step('rotate-form');
      await dialog(page).getByRole('button', { name: 'Rotate key' }).click();
      await page.getByRole('heading', { name: 'Key rotated' }).waitFor();
      const rotated = await page.locator('input[data-token]').inputValue();
      expect(rotated).not.toBe(token);
      await step('rotated');
      await dialog(page).getByRole('button', { name: 'Done' }).click();
      const fresh = await keyring.verify(rotated);
      expect(fresh.valid).toBe(true);
      if (!fresh.valid) return;
      expect([...fresh.key.scopes].sort()).toEqual(['docs:read', 'docs:write']);
      expect((await keyring.verify(token)).valid).toBe(false);
      const newId = fresh.key.id;
      // The old key is marked as replaced and offers no second rotation.
      await row(page, id).getByText('Replaced by a rotation').waitFor();
      await expect.poll(() => row(page, id).getByRole('button', { name: 'Rotate ci-deploy' }).count()).toBe(0);

      // Revoke: the button stays disabled until the name is typed exactly.
      await row(page, newId).getByRole('button', { name: 'Revoke ci-deploy' }).click();
      const revoke = dialog(page);
      const confirm = revoke.getByLabel("Type the key's name to confirm: ci-deploy");
      const revokeButton = revoke.getByRole('button', { name: 'Revoke key' });
      await expect(revokeButton.isDisabled()).resolves.toBe(true);
      await confirm.fill('ci-deplo');
      await confirm.press('Enter');
      await expect(revokeButton.isDisabled()).resolves.toBe(true);
      await step('revoke-wrong-name');
      expect((await keyring.verify(rotated)).valid).toBe(true);
      await confirm.fill('ci-deploy');
      await expect(revokeButton.isEnabled()).resolves.toBe(true);
      await step('revoke-confirm');
      await revokeButton.click();
      await page.getByText(/^Revoked ci-deploy\./).waitFor();

      // The token is refused; the key is listed as revoked on demand.
      expect(await keyring.verify(rotated)).toMatchObject({ valid: false, code: 'REVOKED' });
      await expect.poll(() => row(page, newId).count()).toBe(0);
      await page.getByLabel('Show revoked keys').check();
      await row(page, newId).getByText('revoked', { exact: true }).waitFor();
      await expect.poll(() => row(page, newId).getByRole('button').count()).toBe(0);
      await step('revoked');
      expect(problems).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refusals: an actor without the right sees no edit controls; keyboard only; 360 px; dark scheme', { timeout: 120_000 }, async () => {
    // Signed out: the page says so and shows nothing else.
    const anonymous = await openConsole(app, '');
    try {
      await anonymous.page.getByText('You are not signed in.', { exact: false }).waitFor();
      await expect.poll(() => anonymous.page.getByRole('button').count()).toBe(0);
      await stepper(framework, anonymous.page)('signed-out');
    } finally {
      await anonymous.context.close();
    }

    const wide = await keyring.create({ tenantId: 'acme', name: 'writer', scopes: ['docs:write'] });
    const narrow = await keyring.create({ tenantId: 'acme', name: 'reader', scopes: ['docs:read'] });
    const viewer = await openConsole(app, 'viewer');
    try {
      const step = stepper(framework, viewer.page);
      await row(viewer.page, wide.key.id).waitFor();
      // The viewer holds docs:read only: the writer key shows no control at all, the reader key does.
      await expect.poll(() => row(viewer.page, wide.key.id).getByRole('button').count()).toBe(0);
      await row(viewer.page, narrow.key.id).getByRole('button', { name: 'Edit reader' }).waitFor();
      await step('no-edit-controls');
      expect(viewer.problems).toEqual([]);
      expect(await cspViolations(viewer.page)).toEqual([]);
    } finally {
      await viewer.context.close();
    }

    // Keyboard only: Tab to "New key", Enter opens the dialog with focus inside, Escape closes it.
    const admin = await openConsole(app, 'admin');
    try {
      const { page } = admin;
      let focused = '';
      for (let i = 0; i < 20 && focused !== 'New key'; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => {
          let el = document.activeElement;
          while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
          return el?.textContent ?? '';
        });
      }
      expect(focused).toBe('New key');
      // The focus is visible: an outline of at least 2 px.
      const outline = await page.evaluate(() => {
        const el = document.querySelector('keysmith-console')!.shadowRoot!.activeElement!;
        const style = getComputedStyle(el);
        return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
      });
      expect(outline.style).not.toBe('none');
      expect(outline.width).toBeGreaterThanOrEqual(2);
      await page.keyboard.press('Enter');
      await dialog(page).waitFor();
      await page.keyboard.type('by-keyboard');
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog(page).count()).toBe(0);
      expect(await keyring.list('acme', { search: 'by-keyboard' })).toMatchObject({ total: 0 });

      // The CSP is enforced, not just sent: a script injected into the page does not run, and the refusal is reported.
      const ran = await page.evaluate(async () => {
        const script = document.createElement('script');
        script.append('window.__injected = true');
        document.body.append(script);
        await new Promise((r) => setTimeout(r, 100));
        return (window as unknown as { __injected?: boolean }).__injected === true;
      });
      expect(ran).toBe(false);
      // Trusted Types refuses the script's text before script-src would refuse to run it.
      expect(await cspViolations(page)).toEqual([expect.stringMatching(/^(require-trusted-types-for|script-src-elem inline)/)]);
      admin.problems.length = 0;

      // Dark scheme.
      const step = stepper(framework, page);
      await page.emulateMedia({ colorScheme: 'dark' });
      await step('dark');
      expect(admin.problems).toEqual([]);
    } finally {
      await admin.context.close();
    }

    // 360 px: no horizontal scrolling, the list as cards, still no serious axe violation.
    const phone = await openConsole(app, 'admin', { width: 360, height: 780 });
    try {
      const step = stepper(framework, phone.page);
      await row(phone.page, wide.key.id).waitFor();
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await step('narrow');
      await phone.page.getByRole('button', { name: 'New key' }).click();
      await dialog(phone.page).waitFor();
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await step('narrow-create');
    } finally {
      await phone.context.close();
    }
  });

  it('a super-admin switches tenant, pages and searches', { timeout: 120_000 }, async () => {
    for (let i = 1; i <= 23; i++) await keyring.create({ tenantId: 'globex', name: `globex key ${String(i).padStart(2, '0')}`, scopes: ['docs:read'] });
    const { context, page, problems } = await openConsole(app, 'root');
    try {
      const step = stepper(framework, page);
      await page.getByText('No API keys yet').waitFor();
      await page.getByLabel('Tenant', { exact: true }).fill('globex');
      await page.getByRole('button', { name: 'Switch' }).click();
      await page.getByText('Page 1 of 2').waitFor();
      await expect.poll(() => page.locator('tbody tr').count()).toBe(20);
      await step('super-admin-tenant');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2 of 2').waitFor();
      await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
      await page.getByLabel('Search keys').fill('key 07');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
      await page.getByText('globex key 07').waitFor();
      await step('search');
      expect(problems).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('embedded: <keysmith-console> in an app page, signed in by a keys:manage key given as a header property', { timeout: 120_000 }, async () => {
    const manager = await keyring.create({ tenantId: 'initech', name: 'manager', scopes: ['keys:manage', 'docs:read'] });
    await keyring.create({ tenantId: 'initech', name: 'initech reader', scopes: ['docs:read'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/host`);
      // No credential yet: the element says so.
      await page.getByText('You are not signed in.', { exact: false }).waitFor();
      // The app hands it a header (kept in memory by the app), and it reloads.
      await page.evaluate((token) => {
        (document.querySelector('keysmith-console') as HTMLElement & { headers: unknown }).headers = () => ({ authorization: `Bearer ${token}` });
      }, manager.token);
      await page.getByText('initech reader').waitFor();
      // It creates keys through the header-authorized mount, as that key (and within its rights).
      await page.getByRole('button', { name: 'New key' }).click();
      await dialog(page).getByLabel('Name', { exact: true }).fill('embedded');
      await dialog(page).getByLabel('docs:read').check();
      await dialog(page).getByRole('button', { name: 'Create key' }).click();
      const token = await page.locator('input[data-token]').inputValue();
      const verified = await keyring.verify(token);
      expect(verified).toMatchObject({
        valid: true,
        key: { tenantId: 'initech', name: 'embedded', scopes: ['docs:read'], createdBy: `key:${manager.key.id}` },
      });
      await dialog(page).getByRole('button', { name: 'Done' }).click();
      await stepper(framework, page)('embedded');
    } finally {
      await context.close();
    }
  });
});
