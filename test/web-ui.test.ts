// The web UI in a real browser (Debian chromium via playwright-core) against the real server with the
// demo captures and the demo intent (fixtures/demo-intent.yaml): login, the map against GET
// /api/v1/edges, tagging a crown jewel into the YAML on disk, flows, inventory, zones, snapshots and
// exports. Screenshots of every page at 1440×900 go to test-output/screenshots/.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { replayFiles } from '../agent/replay.js';
import type { FlowRecord } from '../common/flow-record.js';
import { API_TOKEN } from './helpers/server-app.js';
import {
  FIXTURES,
  apiGet,
  hourRange,
  ingest,
  launchBrowser,
  loadDemo,
  openSession,
  screenshot,
  signIn,
  startWebServer,
  type Session,
  type WebServer,
} from './helpers/browser.js';

interface Edge {
  src: string;
  dst: string;
  dport: number;
  proto: string;
  crossing: boolean;
  src_jewel: string | null;
  dst_jewel: string | null;
}
interface Stats {
  totals: { flows: number; first_seen: string; last_seen: string };
}

let server: WebServer;
let browser: Browser;
let s: Session;
let intentDir: string;
let intentFile: string;
let range: { from: string; to: string };
let demoFlows: number;

const q = () => `range=custom&from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
const go = (page: Page, path: string, extra = '') => page.goto(`${server.url}${path}?${q()}${extra ? `&${extra}` : ''}`);

beforeAll(async () => {
  intentDir = mkdtempSync(join(tmpdir(), 'sm-web-intent-'));
  intentFile = join(intentDir, 'surfacemap.yaml');
  copyFileSync(join(FIXTURES, 'demo-intent.yaml'), intentFile);
  server = await startWebServer('sm-web-ui', { SURFACEMAP_INTENT: intentFile });
  demoFlows = await loadDemo(server.url);
  const stats = await apiGet<Stats>(server.url, '/api/v1/stats');
  range = hourRange(stats.totals.first_seen, stats.totals.last_seen);
  browser = await launchBrowser();
  s = await openSession(browser);
  await signIn(s.page, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (intentDir) rmSync(intentDir, { recursive: true, force: true });
});

async function simulate(rules: unknown[]): Promise<{ denied_flows: number }> {
  const res = await fetch(`${server.url}/api/v1/simulate?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
    body: JSON.stringify({ rules }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { denied_flows: number };
}

/** Node ids and link (src→dst) pairs drawn on the map. */
async function drawn(page: Page) {
  const nodes = await page.locator('svg.service-map [data-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')!));
  const links = await page
    .locator('svg.service-map [data-link]')
    .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-src')}→${e.getAttribute('data-dst')}`));
  return { nodes: nodes.sort(), links: links.sort() };
}

function expected(edges: Edge[]) {
  return {
    nodes: [...new Set(edges.flatMap((e) => [e.src, e.dst]))].sort(),
    links: [...new Set(edges.filter((e) => e.src !== e.dst).map((e) => `${e.src}→${e.dst}`))].sort(),
  };
}

async function waitForMap(page: Page, edges: number) {
  await page.locator('svg.service-map').waitFor();
  await page.getByTestId('map-summary').filter({ hasText: new RegExp(`^${edges} `) }).waitFor();
}

/** Clicks, and returns the file the page saves; fails at once with the page's message when it shows an error instead. */
async function download(page: Page, click: () => Promise<void>): Promise<{ d: Download; body: Buffer }> {
  const failed = page
    .getByRole('alert')
    .filter({ hasText: /could not be exported/ })
    .first()
    .waitFor({ timeout: 60_000 })
    .then(async () => {
      throw new Error(`no download: the page says ${await page.getByRole('alert').allTextContents()}`);
    });
  failed.catch(() => undefined);
  const d = await Promise.race([page.waitForEvent('download', { timeout: 60_000 }), failed, click().then(() => new Promise<never>(() => {}))]);
  return { d, body: readFileSync(await d.path()) };
}

describe('web UI', () => {
  it('serves the app with a strict CSP, no-store for index.html and immutable hashed assets', async () => {
    const res = await fetch(`${server.url}/map?zone=office`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${server.url}${js}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
    const api404 = await fetch(`${server.url}/api/v1/no-such-thing`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: 'Not Found' });
  });

  it('signs in with the token, sends it only as a header, never in a URL', async () => {
    const other = await openSession(browser);
    try {
      await other.page.goto(`${server.url}/`);
      await expect(other.page.getByLabel('API token').getAttribute('type')).resolves.toBe('password');
      await screenshot(other.page, 'login');
      // A wrong token: refused, with a message, and not kept.
      await other.page.getByLabel('API token').fill('not-the-right-token-000');
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await other.page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
      await signIn(other.page, server.url);
      await other.page.getByRole('link', { name: 'Flows' }).click();
      await other.page.getByTestId('flows-summary').waitFor();
      const urls = other.requests.map((r) => r.url());
      expect(urls.some((u) => u.includes('/api/v1/'))).toBe(true);
      for (const u of urls) {
        expect(u).not.toContain(API_TOKEN);
        expect(decodeURIComponent(u)).not.toContain(API_TOKEN);
      }
      const apiCalls = other.requests.filter((r) => new URL(r.url()).pathname.startsWith('/api/v1/'));
      const authed = await Promise.all(apiCalls.map((r) => r.allHeaders()));
      expect(authed.filter((h) => h.authorization === `Bearer ${API_TOKEN}`).length).toBeGreaterThan(0);
      // Sign out forgets it.
      await other.page.getByRole('button', { name: 'Sign out' }).click();
      await other.page.getByLabel('API token').waitFor();
      expect(await other.page.evaluate('sessionStorage.length')).toBe(0);
      // The one console error is the browser's own line for the refused token's 401.
      expect(other.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    } finally {
      await other.context.close();
    }
  });

  it('draws the nodes and only the boundary-crossing edges GET /api/v1/edges returns', async () => {
    const api = await apiGet<{ total: number; edges: Edge[] }>(server.url, '/api/v1/edges', { ...range, limit: 5000 });
    expect(api.edges.length).toBeGreaterThan(0);
    expect(api.edges.every((e) => e.crossing)).toBe(true);
    await go(s.page, '/map');
    await waitForMap(s.page, api.edges.length);
    expect(await drawn(s.page)).toEqual(expected(api.edges));
    // Crown jewels are a shape and a label, not only a colour.
    const jewel = s.page.locator('[data-node="192.0.2.120"]');
    await expect(jewel.getAttribute('data-jewel')).resolves.toBe('customer-db');
    await expect(jewel.textContent()).resolves.toContain('CROWN JEWEL · customer-db');
    // The legend names every line style.
    await expect(s.page.getByRole('region', { name: 'Legend' }).textContent()).resolves.toMatch(/dotted.*No authentication|No authentication.*dotted/s);
    await screenshot(s.page, 'map');
  });

  it('"Show all edges" draws every edge, and the URL keeps the view', async () => {
    const all = await apiGet<{ edges: Edge[] }>(server.url, '/api/v1/edges', { ...range, crossing: false, limit: 5000 });
    expect(all.edges.some((e) => !e.crossing)).toBe(true);
    await go(s.page, '/map');
    await s.page.getByRole('switch', { name: 'Show all edges' }).check();
    await waitForMap(s.page, all.edges.length);
    expect(new URL(s.page.url()).searchParams.get('all')).toBe('1');
    expect(await drawn(s.page)).toEqual(expected(all.edges));
    // A shared link opens the same view.
    const shared = await openSession(browser);
    try {
      await signIn(shared.page, server.url);
      await shared.page.goto(s.page.url());
      await waitForMap(shared.page, all.edges.length);
      await expect(shared.page.getByRole('switch', { name: 'Show all edges' }).isChecked()).resolves.toBe(true);
    } finally {
      await shared.context.close();
    }
    await screenshot(s.page, 'map-all-edges');
  });

  it('shows edge details on hover and opens the asset panel from the keyboard', async () => {
    await go(s.page, '/map');
    const api = await apiGet<{ edges: Edge[] }>(server.url, '/api/v1/edges', { ...range, limit: 5000 });
    await waitForMap(s.page, api.edges.length);
    // The middle of the link's curve, on screen (the curve's bounding box centre is not on the line).
    const at = (await s.page.evaluate(`(() => {
      const p = document.querySelector('[data-link="192.0.2.110→192.0.2.120"] path:last-of-type');
      const q = p.getPointAtLength(p.getTotalLength() / 2);
      const m = p.getScreenCTM();
      return { x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f };
    })()`)) as { x: number; y: number };
    await s.page.mouse.move(at.x, at.y);
    const tip = s.page.getByRole('tooltip');
    await tip.waitFor();
    await expect(tip.textContent()).resolves.toContain('tcp/5432');
    await s.page.mouse.move(5, 5);
    // Tab to a node, Enter opens its panel.
    const node = s.page.locator('[data-node="192.0.2.120"]');
    await node.focus();
    // Back and forth with the keyboard, so the focus ring is the keyboard's (:focus-visible).
    await s.page.keyboard.press('Shift+Tab');
    await s.page.keyboard.press('Tab');
    expect(await s.page.evaluate('document.activeElement.getAttribute("data-node")')).toBe('192.0.2.120');
    expect(await node.locator('.focus-ring').evaluate('(el) => getComputedStyle(el).stroke')).not.toBe('none');
    await screenshot(s.page, 'map-keyboard-focus');
    await s.page.keyboard.press('Enter');
    const panel = s.page.locator('aside.asset-panel[data-asset="192.0.2.120"]');
    await panel.waitFor();
    await panel.getByText('Crown jewel customer-db').waitFor();
    await panel.locator('tr[data-direction="in"]').first().waitFor();
    await screenshot(s.page, 'map-asset-panel');
    await s.page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('tags an asset as a crown jewel into the YAML on disk, and untags it', async () => {
    await go(s.page, '/map', 'all=1');
    await s.page.locator('[data-node="192.0.2.53"]').click();
    const panel = s.page.locator('aside.asset-panel[data-asset="192.0.2.53"]');
    await panel.getByRole('button', { name: 'Tag as crown jewel' }).click();
    await expect(panel.getByLabel('Crown-jewel name').inputValue()).resolves.toBe('dns-1');
    await panel.getByLabel('Owner (team or person)').fill('it-ops');
    await panel.getByLabel('Why it matters').fill('every host resolves through it');
    await panel.getByRole('button', { name: 'Save crown jewel' }).click();
    await s.page.locator('[data-node="192.0.2.53"][data-jewel="dns-1"]').waitFor();
    const yaml = parseYaml(readFileSync(intentFile, 'utf8')) as { crown_jewels: { name: string; match: string[]; owner: string; why: string }[] };
    expect(yaml.crown_jewels).toContainEqual({ name: 'dns-1', match: ['192.0.2.53'], owner: 'it-ops', why: 'every host resolves through it' });
    // The comments of the hand-written file are still there.
    expect(readFileSync(intentFile, 'utf8')).toContain('# surfacemap intent for the demo captures');
    await screenshot(s.page, 'map-tagged');

    await panel.getByRole('button', { name: 'Untag as crown jewel' }).click();
    await panel.getByRole('button', { name: 'Yes, untag' }).click();
    await s.page.locator('[data-node="192.0.2.53"]:not([data-jewel])').waitFor();
    const after = parseYaml(readFileSync(intentFile, 'utf8')) as { crown_jewels: { name: string }[] };
    expect(after.crown_jewels.map((j) => j.name)).not.toContain('dns-1');
  });

  it('exports the map as SVG and PNG', async () => {
    await go(s.page, '/map');
    await s.page.locator('svg.service-map [data-node]').first().waitFor();
    const svg = await download(s.page, () => s.page.getByRole('button', { name: 'Export SVG' }).click());
    expect(svg.d.suggestedFilename()).toMatch(/^surfacemap-map-.*\.svg$/);
    const text = svg.body.toString('utf8');
    expect(text).toMatch(/^<\?xml/);
    expect(text).toContain('<svg');
    expect(text).toContain('CROWN JEWEL · customer-db');
    expect(text).not.toContain('focus-ring');
    const png = await download(s.page, () => s.page.getByRole('button', { name: 'Export PNG' }).click());
    expect(png.d.suggestedFilename()).toMatch(/\.png$/);
    expect(png.body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const width = png.body.readUInt32BE(16);
    const height = png.body.readUInt32BE(20);
    expect(width).toBeGreaterThan(800);
    expect(height).toBeGreaterThan(300);
  });

  it('flows table: sorting, filtering and paging agree with GET /api/v1/flows', async () => {
    const all = await apiGet<{ total: number }>(server.url, '/api/v1/flows', { ...range, limit: 1 });
    expect(all.total).toBe(demoFlows);
    await go(s.page, '/flows');
    const summary = s.page.getByTestId('flows-summary');
    await summary.filter({ hasText: `Flows 1–50 of ${all.total}` }).waitFor();
    await screenshot(s.page, 'flows');
    await s.page.getByRole('button', { name: 'Next →' }).click();
    await summary.filter({ hasText: `Flows 51–${Math.min(100, all.total)} of ${all.total}` }).waitFor();
    expect(new URL(s.page.url()).searchParams.get('offset')).toBe('50');

    // Sort by bytes, largest first.
    await s.page.getByRole('button', { name: /^Bytes/ }).click();
    await summary.filter({ hasText: 'Flows 1–50' }).waitFor();
    expect(new URL(s.page.url()).searchParams.get('sort')).toBe('bytes');
    const top = await apiGet<{ flows: { src: string; dst: string; dport: number }[] }>(server.url, '/api/v1/flows', { ...range, sort: 'bytes', order: 'desc', limit: 3 });
    const firstRow = s.page.getByTestId('flows-table').locator('tbody tr').first();
    await expect(firstRow.locator('td').nth(2).textContent()).resolves.toContain(top.flows[0]!.src);

    // Filter: port 5432.
    const pg = await apiGet<{ total: number }>(server.url, '/api/v1/flows', { ...range, port: 5432, limit: 1 });
    await s.page.getByLabel('Port').fill('5432');
    await s.page.getByRole('button', { name: 'Filter' }).click();
    await summary.filter({ hasText: `of ${pg.total}` }).waitFor();
    const dsts = await s.page.getByTestId('flows-table').locator('tbody tr td:nth-child(4)').allTextContents();
    expect(dsts.length).toBe(pg.total);
    for (const d of dsts) expect(d).toMatch(/:5432$/);
  });

  it('shows an API error with its message', async () => {
    await go(s.page, '/flows', 'src=not-an-ip');
    const alert = s.page.getByRole('alert').filter({ hasText: 'Could not load flows' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/400.*src/);
  });

  it('inventory puts unknown hosts first, ranked by contact with crown jewels', async () => {
    const inv = await apiGet<{ unknown: { ip: string; jewel_flows: number }[] }>(server.url, '/api/v1/inventory', range);
    expect(inv.unknown[0]!.ip).toBe('192.0.2.110');
    await go(s.page, '/inventory');
    const unknown = s.page.getByTestId('unknown-assets');
    const firstRow = unknown.locator('tbody tr').first();
    await firstRow.waitFor();
    await expect(firstRow.getAttribute('data-ip')).resolves.toBe('192.0.2.110');
    await expect(firstRow.getAttribute('class')).resolves.toContain('row-warning');
    await screenshot(s.page, 'inventory');
  });

  it('zones editor: checks CIDRs before saving, shows server errors, writes the YAML', async () => {
    await go(s.page, '/zones');
    const form = s.page.getByRole('form', { name: 'New zone' });
    await form.getByLabel('New zone name').fill('lab');
    await form.getByLabel('CIDRs and addresses (one per line)').fill('10.9.0.0/16\n10.9.300.0/24\n10.10.0.7/24');
    await form.getByRole('button', { name: 'Add zone' }).click();
    const problems = form.getByRole('alert');
    await problems.filter({ hasText: '"10.9.300.0/24" is not an IP address or CIDR' }).waitFor();
    await expect(problems.textContent()).resolves.toContain('did you mean 10.10.0.0/24');
    expect(readFileSync(intentFile, 'utf8')).not.toContain('10.9.0.0/16');
    await form.scrollIntoViewIfNeeded();
    await screenshot(s.page, 'zones-invalid');

    await form.getByLabel('CIDRs and addresses (one per line)').fill('10.9.0.0/16\nfd00:9::/48');
    await form.getByRole('button', { name: 'Add zone' }).click();
    await s.page.getByRole('form', { name: 'Zone lab' }).waitFor();
    const yaml = parseYaml(readFileSync(intentFile, 'utf8')) as { zones: { name: string; kind: string; cidrs: string[] }[] };
    expect(yaml.zones).toContainEqual({ name: 'lab', kind: 'internal', cidrs: ['10.9.0.0/16', 'fd00:9::/48'] });

    // A zone whose CIDR another zone already declares: the server refuses it and the page says why.
    const lab = s.page.getByRole('form', { name: 'Zone lab' });
    await lab.getByLabel('CIDRs and addresses (one per line)').fill('10.9.0.0/16\n198.51.100.0/24');
    await lab.getByRole('button', { name: 'Save' }).click();
    const refused = lab.getByRole('alert').filter({ hasText: 'The server refused it' });
    await refused.waitFor();
    await lab.scrollIntoViewIfNeeded();
    await screenshot(s.page, 'zones');

    await lab.getByRole('button', { name: 'Delete zone…' }).click();
    await lab.getByRole('button', { name: 'Delete', exact: true }).click();
    await lab.waitFor({ state: 'detached' });
    expect(readFileSync(intentFile, 'utf8')).not.toContain('10.9.0.0/16');
  });

  it('snapshots: save "sprint 1", ingest a new flow, the diff shows the new edge into the crown jewel first', async () => {
    await go(s.page, '/snapshots');
    await expect.poll(() => s.page.getByLabel('Snapshot name').inputValue()).toBe('sprint 1');
    await s.page.getByRole('button', { name: 'Save snapshot' }).click();
    await s.page.locator('[data-testid="snapshot-list"] tr[data-snapshot="sprint 1"]').waitFor();

    // A host never seen before opens a PostgreSQL connection to customer-db (192.0.2.120).
    const pgFlows: FlowRecord[] = [];
    await replayFiles([join(FIXTURES, 'detect-db.pcap')], { detect: true }, (r) => {
      if (r.dport === 5432) pgFlows.push(r);
    });
    expect(pgFlows.length).toBeGreaterThan(0);
    await ingest(server.url, [{ ...pgFlows[0]!, src: '192.0.2.13', sport: 40001 }]);

    await s.page.locator('tr[data-snapshot="sprint 1"]').getByRole('button', { name: 'Compare with now' }).click();
    const diff = s.page.getByTestId('snapshot-diff');
    await diff.waitFor();
    const newTable = diff.locator('table[data-status="new"]');
    const first = newTable.locator('tbody tr').first();
    await expect(first.getAttribute('data-src')).resolves.toBe('192.0.2.13');
    await expect(first.getAttribute('data-dst')).resolves.toBe('192.0.2.120');
    await expect(first.getAttribute('data-dport')).resolves.toBe('5432');
    await expect(first.textContent()).resolves.toContain('customer-db');
    // Drawn green and solid on the diff map.
    const link = diff.locator('[data-link="192.0.2.13→192.0.2.120"] path').nth(0);
    await expect(link.getAttribute('stroke')).resolves.toBe('#2e9a4a');
    await expect(link.getAttribute('stroke-dasharray')).resolves.toBeNull();
    await diff.scrollIntoViewIfNeeded();
    await screenshot(s.page, 'snapshots');
  });

  it('exports: spec CSV/XLSX/Markdown and allow-lists per format, with the simulation shown first', async () => {
    await go(s.page, '/exports');
    const csv = await download(s.page, () => s.page.getByRole('button', { name: 'Download CSV' }).click());
    const rows = parseCsv(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).toContain('192.0.2.120');

    const xlsx = await download(s.page, () => s.page.getByRole('button', { name: 'Download Excel (XLSX)' }).click());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['Summary', 'Patterns']));
    const cells: string[] = [];
    book.getWorksheet('Patterns')!.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    expect(cells.join(' ')).toContain('192.0.2.120');

    const md = await download(s.page, () => s.page.getByRole('button', { name: 'Download Markdown' }).click());
    const mdText = md.body.toString('utf8');
    expect(mdText).toMatch(/^#/m);
    expect(mdText).toMatch(/^\|.*\|$/m);
    expect(mdText).toContain('db-1');

    // Allow-lists for the crown jewel customer-db, generated from the observed range: the page shows
    // the rules' size and the simulation before the download, and they agree with the API.
    await s.page.getByLabel('Protect').selectOption('jewel:customer-db');
    const sim = s.page.getByTestId('simulation');
    await sim.waitFor();
    const generated = await apiGet<{ rules: unknown[]; sizing: { rules: number } }>(server.url, '/api/v1/export/allowlist', { jewel: 'customer-db', format: 'json', ...range });
    const apiSim = await simulate(generated.rules);
    expect(apiSim.denied_flows).toBe(0); // rules made from the range admit all of it
    await expect(sim.getAttribute('data-rules')).resolves.toBe(String(generated.sizing.rules));
    await expect(sim.getAttribute('data-denied')).resolves.toBe('0');
    await expect(sim.textContent()).resolves.toContain('No observed flow would be denied');

    const checks: Record<string, (text: string) => void> = {
      nftables: (t) => expect(t).toMatch(/192\.0\.2\.110[\s\S]*5432|5432[\s\S]*192\.0\.2\.110/),
      k8s: (t) => expect(t).toContain('NetworkPolicy'),
      cilium: (t) => expect(t).toContain('CiliumNetworkPolicy'),
      aws: (t) => expect(JSON.stringify(JSON.parse(t))).toContain('192.0.2.110/32'),
      csv: (t) => {
        const r = parseCsv(t, { columns: true }) as Record<string, string>[];
        expect(Object.keys(r[0]!)).toEqual(expect.arrayContaining(['rule', 'src_name', 'src_cidr', 'dst_name', 'dst_cidr', 'dport', 'proto', 'owner', 'reason']));
        expect(r.some((x) => x.src_cidr === '192.0.2.110/32' && x.dport === '5432' && x.owner === 'data-team')).toBe(true);
      },
    };
    const labels: Record<string, string> = {
      nftables: 'nftables',
      k8s: 'Kubernetes NetworkPolicy',
      cilium: 'CiliumNetworkPolicy',
      aws: 'AWS security group rules (JSON)',
      csv: 'CSV',
    };
    await s.page.getByLabel('Owner of the rules').fill('data-team');
    await s.page.getByLabel('Reason').fill('customer PII');
    for (const [format, check] of Object.entries(checks)) {
      await s.page.getByRole('radio', { name: labels[format]!, exact: true }).check();
      const file = await download(s.page, () => s.page.getByRole('button', { name: `Download ${labels[format]} for customer-db` }).click());
      check(file.body.toString('utf8'));
    }
    await screenshot(s.page, 'exports');

    // Save the generated rules into the intent file, drop the PostgreSQL one by hand, and the page's
    // simulation of the intent's rules says which observed flows would now be denied.
    await s.page.getByRole('button', { name: 'Save these rules to the intent file' }).click();
    await s.page.getByRole('status').filter({ hasText: 'into the intent file' }).waitFor();
    const saved = parseYaml(readFileSync(intentFile, 'utf8')) as { rules: { id: string; dport?: number; owner: string }[] };
    expect(saved.rules.length).toBe(generated.sizing.rules);
    expect(saved.rules.every((r) => r.owner === 'data-team')).toBe(true);
    const intent = await apiGet<{ yaml: string }>(server.url, '/api/v1/intent');
    const doc = parseYaml(intent.yaml) as { rules: { dport?: number }[] };
    doc.rules = doc.rules.filter((r) => r.dport !== 5432);
    const put = await fetch(`${server.url}/api/v1/intent`, {
      method: 'PUT',
      headers: { 'content-type': 'text/yaml', authorization: `Bearer ${API_TOKEN}` },
      body: stringifyYaml(doc),
    });
    expect(put.status).toBe(200);
    const intentRules = await apiGet<{ rules: unknown[] }>(server.url, '/api/v1/export/allowlist', { jewel: 'customer-db', format: 'json', source: 'intent', ...range });
    const denied = await simulate(intentRules.rules);
    expect(denied.denied_flows).toBeGreaterThan(0);
    await s.page.getByRole('radio', { name: "The intent file's rules" }).check();
    await sim.and(s.page.locator(`[data-denied="${denied.denied_flows}"]`)).waitFor();
    await expect(sim.textContent()).resolves.toContain(`These ${denied.denied_flows} observed flows would be denied`);
    await expect(sim.locator('tbody tr').first().textContent()).resolves.toContain('tcp/5432');
    await screenshot(s.page, 'exports-simulation');
  });

  it('logged no console errors (no CSP violations) on any page', () => {
    // 400 from the deliberate bad-filter test is a network error line in the console; nothing else.
    const unexpected = s.errors.filter((e) => !/status of 400/.test(e));
    expect(unexpected).toEqual([]);
  });
});
