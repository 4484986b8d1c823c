// A map of 300 assets in the browser: grouped per subnet (never a crown jewel), readable, and a group
// opens on click. The flows are the demo's HTTP flow re-addressed to 300 hosts, through ingest.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { replayFiles } from '../agent/replay.js';
import type { FlowRecord } from '../common/flow-record.js';
import { FIXTURES, apiGet, hourRange, ingest, launchBrowser, openSession, screenshot, signIn, startWebServer, type Session, type WebServer } from './helpers/browser.js';

const INTENT = `zones:
  - name: office
    kind: internal
    cidrs: [10.1.0.0/16]
  - name: prod
    kind: internal
    cidrs: [10.2.0.0/16]
crown_jewels:
  - name: payments
    match: [10.2.0.5]
    owner: payments-team
    why: card data
`;

let server: WebServer;
let browser: Browser;
let s: Session;
let dir: string;
let range: { from: string; to: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sm-web-large-'));
  writeFileSync(join(dir, 'surfacemap.yaml'), INTENT);
  server = await startWebServer('sm-web-large', { SURFACEMAP_INTENT: join(dir, 'surfacemap.yaml') });
  let http: FlowRecord | undefined;
  await replayFiles([join(FIXTURES, 'small-office.pcap')], { detect: true }, (r) => {
    if (!http && r.dport === 8080) http = r;
  });
  // 250 office hosts in five /24s call one of 40 prod servers (every tenth calls the payments jewel);
  // 10 prod servers call out to the internet.
  const records: FlowRecord[] = [];
  for (let i = 0; i < 250; i++) {
    const src = `10.1.${Math.floor(i / 50)}.${(i % 50) + 10}`;
    const dst = i % 10 === 0 ? '10.2.0.5' : `10.2.0.${(i % 40) + 10}`;
    records.push({ ...http!, src, dst, sport: 40000 + i });
  }
  for (let i = 0; i < 10; i++) records.push({ ...http!, src: `10.2.0.${i + 10}`, dst: `198.18.${i}.1`, dport: 443, sport: 50000 + i });
  await ingest(server.url, records, 'large');
  const stats = await apiGet<{ totals: { first_seen: string; last_seen: string } }>(server.url, '/api/v1/stats');
  range = hourRange(stats.totals.first_seen, stats.totals.last_seen);
  browser = await launchBrowser();
  s = await openSession(browser);
  await signIn(s.page, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a large map', () => {
  it('groups 300 assets by subnet, keeps the crown jewel on its own, and opens a group on click', async () => {
    const api = await apiGet<{ edges: { src: string; dst: string }[] }>(server.url, '/api/v1/edges', { ...range, limit: 5000 });
    const assets = new Set(api.edges.flatMap((e) => [e.src, e.dst]));
    expect(assets.size).toBeGreaterThan(280);
    await s.page.goto(`${server.url}/map?range=custom&from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`);
    const map = s.page.locator('svg.service-map');
    await map.locator('[data-node]').first().waitFor();
    expect(await map.getAttribute('data-level')).toBe('subnet');
    const nodes = map.locator('[data-node]');
    const count = await nodes.count();
    expect(count).toBeLessThanOrEqual(61);
    await expect(map.locator('[data-node="10.2.0.5"]').getAttribute('data-jewel')).resolves.toBe('payments');
    // Every asset is in exactly one drawn node: groups carry their member count.
    const group = map.locator('[data-node="subnet:office:10.1.0.0/24"]');
    await expect(group.getAttribute('data-kind')).resolves.toBe('subnet');
    await expect(group.textContent()).resolves.toContain('50');
    await screenshot(s.page, 'map-300-assets');

    // Open the group from the keyboard: its 50 hosts take its place.
    await group.focus();
    await s.page.keyboard.press('Enter');
    await map.locator('[data-node="10.1.0.10"]').waitFor();
    expect(await map.locator('[data-node="subnet:office:10.1.0.0/24"]').count()).toBe(0);
    expect(await nodes.count()).toBe(count - 1 + 50);
    await screenshot(s.page, 'map-300-assets-expanded');
    await s.page.getByRole('button', { name: 'Regroup' }).click();
    await group.waitFor();
    expect(s.errors).toEqual([]);
  });
});
