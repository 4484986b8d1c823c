// Browser tests of the web UI: the real server (in-process, listening on 127.0.0.1:0) with the built UI
// from dist/web, the demo captures shipped through the agent's path to its ingest route, and Debian's
// chromium driven by playwright-core. Screenshots go to test-output/screenshots/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { DEMO_CAPTURES } from '../../cli/commands/start.js';
import { everythingAcknowledged, shipReplay } from '../../agent/ship/ship-replay.js';
import type { FlowRecord } from '../../common/flow-record.js';
import { AGENT_TOKEN, API_TOKEN, buildTestApp, type TestApp } from './server-app.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const VIEWPORT = { width: 1440, height: 900 };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = join(ROOT, 'fixtures');
export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');
const WEB_DIST = join(ROOT, 'dist', 'web');
const WEB_SRC = join(ROOT, 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The tests drive the built UI: fail loudly (not skip) when it is missing or older than its sources. */
export function assertWebBuilt(): void {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run build\` first`);
  if (newestMtime(WEB_SRC) > statSync(index).mtimeMs) {
    throw new Error(`dist/web is older than web/: run \`npm run build\` (or \`npx vite build --config web/vite.config.ts\`) first`);
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface WebServer {
  t: TestApp;
  url: string;
  close(): Promise<void>;
}

/** The real app listening on 127.0.0.1 (any free port), with the given environment (e.g. SURFACEMAP_INTENT). */
export async function startWebServer(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<WebServer> {
  assertWebBuilt();
  const t = await buildTestApp(prefix, env);
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  let closed = false;
  return {
    t,
    url: url.replace('localhost', '127.0.0.1'),
    async close() {
      if (closed) return;
      closed = true;
      await t.close();
    },
  };
}

/** The demo captures (`surfacemap start --demo`'s list) through the agent's shipping path into ingest. */
export async function loadDemo(url: string): Promise<number> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'sm-web-spool-'));
  try {
    const res = await shipReplay(
      DEMO_CAPTURES.map((f) => join(FIXTURES, f)),
      {
        detect: true,
        collector: url,
        token: AGENT_TOKEN,
        agent: 'demo',
        spoolDir,
        spoolMaxBytes: 64 * 1024 * 1024,
        maxWaitS: 60,
        log: () => {},
        info: () => {},
      },
    );
    if (!everythingAcknowledged(res)) throw new Error(`the demo was not stored: ${JSON.stringify(res.outcome)}`);
    return res.sender.ackedRecords;
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

/** One batch of records through POST /api/v1/ingest with the agent token. */
export async function ingest(url: string, records: FlowRecord[], agent = 'web-test'): Promise<void> {
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${AGENT_TOKEN}` },
    body: JSON.stringify({ batch_id: `web-${Date.now()}-${records.length}`, agent, sent_at: new Date().toISOString(), records }),
  });
  if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}

/** GET an API path with the API token (what the tests compare the page with). */
export async function apiGet<T>(url: string, path: string, query: Record<string, string | number | boolean> = {}): Promise<T> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await fetch(`${url}${path}${qs ? `?${qs}` : ''}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested (documents, scripts, API calls, blobs). */
  requests: Request[];
  /** Console errors and uncaught page errors (a CSP violation shows up here). */
  errors: string[];
}

export async function openSession(browser: Browser): Promise<Session> {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const requests: Request[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, requests, errors };
}

/** Loads the app and signs in with the API token through the login form. */
export async function signIn(page: Page, url: string, token = API_TOKEN): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Every request answered (the sidebar's store summary too), so the picture is the settled page.
  await page.waitForLoadState('networkidle');
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** Whole hours around the store's data: the custom range the tests put in the URL. */
export function hourRange(firstSeen: string, lastSeen: string): { from: string; to: string } {
  const H = 3_600_000;
  return {
    from: new Date(Math.floor(Date.parse(firstSeen) / H) * H).toISOString(),
    to: new Date((Math.floor(Date.parse(lastSeen) / H) + 1) * H).toISOString(),
  };
}
