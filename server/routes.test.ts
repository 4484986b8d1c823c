import { describe, expect, it } from 'vitest';
import { findRouteFiles, ROUTES_DIR } from './routes.js';

describe('routes', () => {
  it('are served at their folder path', () => {
    const prefixes = findRouteFiles(ROUTES_DIR).map((r) => r.prefix);
    for (const p of ['/', '/api/v1/edges', '/api/v1/ingest', '/api/v1/inventory', '/api/v1/inventory/declared', '/api/v1/stats', '/healthz']) {
      expect(prefixes).toContain(p);
    }
    expect(prefixes).toEqual([...prefixes].sort((a, b) => a.localeCompare(b)));
  });
});
