import { describe, expect, it } from 'vitest';
import { findRouteFiles, ROUTES_DIR } from './routes.js';

describe('routes', () => {
  it('are served at their folder path', () => {
    expect(findRouteFiles(ROUTES_DIR).map((r) => r.prefix)).toEqual(['/', '/api/v1/ingest', '/api/v1/stats', '/healthz']);
  });
});
