import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, parseView, rangeOf, rangeProblem, viewToUrl } from './view-state';

describe('view state in the URL', () => {
  it('round-trips every field, leaving defaults out', () => {
    const v = parseView('/flows', '?range=custom&from=2026-11-20T00:00:00Z&to=2026-11-27T00:00:00Z&zone=office&port=5432&app=postgres&auth=md5&proto=tcp&all=1&src=10.0.0.1&sort=bytes&order=asc&offset=50');
    expect(v).toEqual({
      page: 'flows',
      range: 'custom',
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-27T00:00:00.000Z',
      zone: 'office',
      port: '5432',
      app: 'postgres',
      auth: 'md5',
      proto: 'tcp',
      all: true,
      src: '10.0.0.1',
      dst: null,
      sort: 'bytes',
      order: 'asc',
      offset: 50,
    });
    const url = viewToUrl(v);
    const i = url.indexOf('?');
    expect(parseView(url.slice(0, i), url.slice(i))).toEqual(v);
    expect(viewToUrl(DEFAULT_VIEW)).toBe('/map');
    expect(viewToUrl({ ...DEFAULT_VIEW, all: true, zone: 'dmz' })).toBe('/map?zone=dmz&all=1');
  });

  it('falls back to defaults for unknown pages and values, never throws', () => {
    expect(parseView('/nope', '?range=forever&sort=evil&offset=-3&order=sideways')).toEqual(DEFAULT_VIEW);
    expect(parseView('/', '').page).toBe('map');
    // A custom range without a valid start is not a range.
    expect(parseView('/map', '?range=custom&from=yesterday').range).toBe('7d');
  });

  it('relative ranges are whole hours and stay the same within the hour', () => {
    const a = rangeOf({ range: '24h', from: null, to: null }, new Date('2026-11-27T10:05:00Z'));
    const b = rangeOf({ range: '24h', from: null, to: null }, new Date('2026-11-27T10:55:00Z'));
    expect(a).toEqual({ from: '2026-11-26T10:00:00.000Z', to: '2026-11-27T11:00:00.000Z' });
    expect(b).toEqual(a);
    expect(rangeOf({ range: '1h', from: null, to: null }, new Date('2026-11-27T10:00:00Z'))).toEqual({
      from: '2026-11-27T09:00:00.000Z',
      to: '2026-11-27T11:00:00.000Z',
    });
    expect(rangeOf({ range: 'custom', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' }, new Date())).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-02T00:00:00.000Z',
    });
  });

  it('says what is wrong with a custom range', () => {
    expect(rangeProblem({ range: 'custom', from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toMatch(/after its start/);
    expect(rangeProblem({ range: 'custom', from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toMatch(/400 days/);
    expect(rangeProblem({ range: '7d', from: null, to: null })).toBeNull();
  });
});
