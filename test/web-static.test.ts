// How the server serves the built UI (server/routes/status-page.ts), on a bare fastify with a UI folder
// of known files: SPA fallback, CSP and nosniff, no-store for index.html, immutable hashed assets, JSON
// 404s for /api paths; and the "run npm run build" page when there is no build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { notFoundHandler } from '../server/errors.js';
import { CONTENT_SECURITY_POLICY, registerWebUi } from '../server/routes/status-page.js';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';

async function appWith(files: Record<string, string> | null): Promise<FastifyInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'sm-web-static-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files ?? {})) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  const app = Fastify();
  apps.push(app);
  app.setNotFoundHandler(notFoundHandler);
  await app.register(async (f) => registerWebUi(f, dir), { prefix: '/' });
  app.get('/api/v1/stats', async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('serving the web UI', () => {
  it('serves index.html for the app and its client-side routes, never cached, with a strict CSP', async () => {
    const app = await appWith({ 'index.html': INDEX, 'assets/index-Ab12Cd34.js': 'console.log(1)' });
    for (const url of ['/', '/map', '/flows?range=24h&sort=bytes', '/zones/extra/segments']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe/);
  });

  it('caches hashed assets for a year and answers 404 (not the app) for unknown assets and API paths', async () => {
    const app = await appWith({ 'index.html': INDEX, 'assets/index-Ab12Cd34.js': 'console.log(1)' });
    const js = await app.inject({ url: '/assets/index-Ab12Cd34.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    for (const url of ['/assets/index-Old00000.js', '/api/v1/nope', '/api', '/docs/missing']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: 'Not Found' });
    }
    const api = await app.inject({ url: '/api/v1/stats' });
    expect(api.json()).toEqual({ ok: true });
  });

  it('says to run `npm run build` when the UI has not been built', async () => {
    const app = await appWith(null);
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build');
    expect(res.body).not.toContain('<script');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });
});
