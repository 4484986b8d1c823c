// The UI when there is nothing to show or nobody answers: an empty store says what to do (start an
// agent), a stopped server shows the banner — never a blank page. Real server, real chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openSession, screenshot, signIn, startWebServer, type Session, type WebServer } from './helpers/browser.js';

let server: WebServer;
let browser: Browser;
let s: Session;

beforeAll(async () => {
  server = await startWebServer('sm-web-empty');
  browser = await launchBrowser();
  s = await openSession(browser);
  await signIn(s.page, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('web UI without data', () => {
  it('an empty store says there is no data yet and how to start an agent', async () => {
    await s.page.goto(`${server.url}/map`);
    const empty = s.page.getByTestId('empty-store');
    await empty.waitFor();
    const text = (await empty.textContent())!;
    expect(text).toContain('No data yet');
    expect(text).toContain('surfacemap replay');
    expect(text).toContain('surfacemap agent');
    expect(text).toContain(`SURFACEMAP_COLLECTOR=${server.url}`);
    await screenshot(s.page, 'empty-store');
    await s.page.getByRole('link', { name: 'Flows' }).click();
    await s.page.getByTestId('empty-store').waitFor();
    expect(s.errors).toEqual([]);
  });

  it('a stopped server shows the "not reachable" banner with what to do, not a blank page', async () => {
    await server.close();
    await s.page.getByRole('link', { name: 'Inventory' }).click();
    const banner = s.page.getByTestId('server-down');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/not reachable.*surfacemap start/s);
    await s.page.getByRole('alert').filter({ hasText: 'The server is not reachable' }).first().waitFor();
    // The navigation and the page header are still there.
    expect(await s.page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    await screenshot(s.page, 'server-down');
  });
});
