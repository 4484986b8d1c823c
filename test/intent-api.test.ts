// The intent routes on the real app (buildTestApp: real config, auth, store and the intent plugin),
// with the YAML in a file of our own (SURFACEMAP_INTENT) that starts out invalid: the server must start
// anyway, say what is wrong, and take a fixed file.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config.js';
import { API_TOKEN, buildTestApp, type TestApp } from './helpers/server-app.js';

const ACME = readFileSync(new URL('../server/intent/testdata/acme.yaml', import.meta.url), 'utf8');
const BROKEN = 'zones:\n  - name: prod\n    kind: internal\n    cidrs: [10.0.0.300/24]\n';

let t: TestApp;
let dir: string;
let file: string;
const auth = { authorization: `Bearer ${API_TOKEN}` };

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
async function call(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method,
    url,
    headers: { ...auth, ...headers },
    ...(body === undefined ? {} : { payload: body as string | object }),
  });
  return { status: res.statusCode, body: res.body === '' ? null : (JSON.parse(res.body) as Record<string, any>), headers: res.headers };
}
const yaml = { 'content-type': 'text/yaml' };
const csv = { 'content-type': 'text/csv' };
const onDisk = () => readFileSync(file, 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intent-api-'));
  file = join(dir, 'surfacemap.yaml');
  writeFileSync(file, BROKEN);
  t = await buildTestApp('intent-api', { SURFACEMAP_INTENT: file });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('intent API', () => {
  it('starts with an invalid file: empty intent, the error on GET /api/v1/intent, item edits refused', async () => {
    const r = await call('GET', '/api/v1/intent');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      path: file,
      exists: true,
      yaml: BROKEN,
      intent: { zones: [], crown_jewels: [], inventory: [], rules: [] },
      error: 'surfacemap.yaml:4:13 zones[0].cidrs[0]: "10.0.0.300/24" is not a valid IP address or CIDR',
      issues: [{ path: 'zones[0].cidrs[0]', line: 4, column: 13, message: '"10.0.0.300/24" is not a valid IP address or CIDR' }],
    });
    expect(r.headers.etag).toBe(`"${r.body!.version}"`);
    expect((await call('GET', '/api/v1/zones')).body!.zones).toEqual([]);
    const refused = await call('PUT', '/api/v1/zones/dmz', { kind: 'dmz', cidrs: ['10.9.0.0/16'] });
    expect(refused.status).toBe(409);
    expect(refused.body!.message).toMatch(/^the intent file has errors; fix them first/);
    expect(onDisk()).toBe(BROKEN);
  });

  it('every route needs the API token', async () => {
    const routes: [Method, string][] = [
      ['GET', '/api/v1/intent'],
      ['PUT', '/api/v1/intent'],
      ['GET', '/api/v1/zones'],
      ['PUT', '/api/v1/zones/prod'],
      ['DELETE', '/api/v1/zones/prod'],
      ['GET', '/api/v1/crown-jewels'],
      ['PUT', '/api/v1/crown-jewels/db'],
      ['DELETE', '/api/v1/crown-jewels/db'],
      ['GET', '/api/v1/inventory/declared'],
      ['PUT', '/api/v1/inventory/declared/web-1'],
      ['DELETE', '/api/v1/inventory/declared/web-1'],
      ['POST', '/api/v1/inventory/import'],
      ['PUT', `/api/v1/zones/${'a'.repeat(300)}`],
    ];
    for (const [method, url] of routes) {
      const none = await t.app.inject({ method, url });
      expect(none.statusCode, `${method} ${url}`).toBe(401);
      const wrong = await t.app.inject({ method, url, headers: { authorization: 'Bearer not-the-token-at-all' } });
      expect(wrong.statusCode, `${method} ${url}`).toBe(401);
    }
    expect(onDisk()).toBe(BROKEN);
  });

  it('PUT /api/v1/intent validates the YAML, names the line, and replaces the file', async () => {
    const bad = await call('PUT', '/api/v1/intent', ACME.replace('cidrs: [10.0.0.0/22', 'cidrs: [10.0.0.1/22'), yaml);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: 'Bad Request',
      message: 'surfacemap.yaml:8:13 zones[0].cidrs[0]: "10.0.0.1/22" has host bits set: the network is 10.0.0.0/22 (or write 10.0.0.1 for the one address)',
    });
    expect(onDisk()).toBe(BROKEN);

    const ok = await call('PUT', '/api/v1/intent', ACME, yaml);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ yaml: ACME, error: null, issues: [] });
    expect(ok.body!.intent.zones.map((z: { name: string }) => z.name)).toEqual(['prod', 'data', 'partners']);
    expect(onDisk()).toBe(ACME);
    expect(ok.headers.etag).toBe(`"${ok.body!.version}"`);

    const plain = await call('PUT', '/api/v1/intent', ACME, { 'content-type': 'text/plain' });
    expect(plain.status).toBe(200);
    expect(plain.body!.version).toBe(ok.body!.version); // same text, same version
  });

  it('PUT /api/v1/intent refuses JSON and stale versions', async () => {
    const json = await call('PUT', '/api/v1/intent', { zones: [] });
    expect(json.status).toBe(415);
    expect(json.body!.message).toBe('send the YAML as the body with Content-Type: text/yaml');
    const stale = await call('PUT', '/api/v1/intent', '# gone\n', { ...yaml, 'if-match': '"0123456789abcdef"' });
    expect(stale.status).toBe(412);
    expect(onDisk()).toBe(ACME);
  });

  it('zones: list, add (201), replace (200), delete (204), 404 for an unknown name; comments stay', async () => {
    const list = await call('GET', '/api/v1/zones');
    expect(list.status).toBe(200);
    expect(list.body!.zones[0]).toEqual({ name: 'prod', kind: 'internal', cidrs: ['10.0.0.0/22', 'fd00:100::/32'], description: 'production web and API tier' });
    expect(list.body!.builtin.map((b: { name: string }) => b.name)).toEqual(['unassigned', 'internet']);

    const added = await call('PUT', '/api/v1/zones/mgmt', { kind: 'management', cidrs: ['10.0.9.0/24', 'fd00:900::/32'], description: 'bastions' });
    expect(added.status).toBe(201);
    expect(added.body!.zone).toEqual({ name: 'mgmt', kind: 'management', cidrs: ['10.0.9.0/24', 'fd00:900::/32'], description: 'bastions' });
    expect(added.headers.etag).toBe(`"${added.body!.version}"`);
    const replaced = await call('PUT', '/api/v1/zones/mgmt', { kind: 'management', cidrs: ['10.0.9.0/24'] });
    expect(replaced.status).toBe(200);
    expect(replaced.body!.zone).toEqual({ name: 'mgmt', kind: 'management', cidrs: ['10.0.9.0/24'] });
    expect(onDisk()).toBe(ACME.replace('\ncrown_jewels:', '\n  - name: mgmt\n    kind: management\n    cidrs: [10.0.9.0/24]\n\ncrown_jewels:'));

    expect((await call('DELETE', '/api/v1/zones/mgmt')).status).toBe(204);
    expect(onDisk()).toBe(ACME);
    const missing = await call('DELETE', '/api/v1/zones/mgmt');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'Not Found', message: 'there is no zone "mgmt"' });
  });

  it('zones: bad input is a 400 that names the field, and nothing is written', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/api/v1/zones/dmz', { kind: 'dmz', cidrs: ['10.0.0.1/22'] }, /^zones\[3\]\.cidrs\[0\]: "10\.0\.0\.1\/22" has host bits set: the network is 10\.0\.0\.0\/22/],
      ['/api/v1/zones/dmz', { kind: 'dmz', cidrs: ['10.0.2.0/24'] }, /^zones\[3\]\.cidrs\[0\]: 10\.0\.2\.0\/24 is in zone "dmz" and in zone "data"/],
      ['/api/v1/zones/dmz', { kind: 'dmz', cidrs: ['10.0.0.300/24'] }, /is not a valid IP address or CIDR$/],
      ['/api/v1/zones/dmz', { kind: 'Dmz', cidrs: [] }, /^body\/kind must match pattern/],
      ['/api/v1/zones/dmz', { cidrs: [] }, /^body must have required property 'kind'$/],
      ['/api/v1/zones/internet', { kind: 'external', cidrs: [] }, /^zones\[3\]\.name: "internet" is a built-in zone/],
      ['/api/v1/zones/Prod', { kind: 'dmz', cidrs: [] }, /^params\/name must match pattern/],
      ['/api/v1/zones/a%2Fb', { kind: 'dmz', cidrs: [] }, /^params\/name must match pattern/],
      [`/api/v1/zones/${'a'.repeat(300)}`, { kind: 'dmz', cidrs: [] }, /^zone name is longer than 100 characters$/],
      ['/api/v1/zones/a/b', { kind: 'dmz', cidrs: [] }, /^zone name must not contain "\/"/],
    ];
    for (const [url, body, message] of cases) {
      const r = await call('PUT', url, body);
      expect(r.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body!.message, url).toMatch(message);
    }
    expect(onDisk()).toBe(ACME);
  });

  it('crown jewels: add, replace, delete; a jewel a rule protects cannot go', async () => {
    const list = await call('GET', '/api/v1/crown-jewels');
    expect(list.body!.crown_jewels.map((j: { name: string }) => j.name)).toEqual(['customer-db']);
    const added = await call('PUT', '/api/v1/crown-jewels/billing', { match: ['billing-db', '10.0.2.40'], owner: 'finance', why: "card data; PCI DSS (it's in scope)" });
    expect(added.status).toBe(201);
    expect(added.body!.crown_jewel).toEqual({ name: 'billing', match: ['billing-db', '10.0.2.40'], owner: 'finance', why: "card data; PCI DSS (it's in scope)" });
    const bad = await call('PUT', '/api/v1/crown-jewels/billing', { match: ['not a host!'], owner: 'finance', why: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body!.message).toBe(`crown_jewels[1].match[0]: "not a host!" is neither an IP, a CIDR nor a host name (letters, digits, '_', '.' and '-')`);
    expect((await call('PUT', '/api/v1/crown-jewels/billing', { match: ['10.0.2.40'], owner: 'finance' })).status).toBe(400);
    expect((await call('DELETE', '/api/v1/crown-jewels/billing')).status).toBe(204);
    const protectedJewel = await call('DELETE', '/api/v1/crown-jewels/customer-db');
    expect(protectedJewel.status).toBe(400);
    expect(protectedJewel.body!.message).toBe('rules[0].protects.jewel: there is no crown jewel "customer-db"');
    expect(onDisk()).toBe(ACME);
  });

  it('declared inventory: add, replace, delete', async () => {
    const added = await call('PUT', '/api/v1/inventory/declared/web-2', { address: '10.0.1.11', owner: 'web-team', role: 'nginx' });
    expect(added.status).toBe(201);
    expect(added.body!.item).toEqual({ name: 'web-2', address: '10.0.1.11', owner: 'web-team', role: 'nginx' });
    const replaced = await call('PUT', '/api/v1/inventory/declared/web-2', { address: '10.0.1.12' });
    expect(replaced.status).toBe(200);
    expect((await call('GET', '/api/v1/inventory/declared')).body!.inventory.at(-1)).toEqual({ name: 'web-2', address: '10.0.1.12' });
    const bad = await call('PUT', '/api/v1/inventory/declared/web-2', { address: '10.0.1.12/24' });
    expect(bad.status).toBe(400);
    expect(bad.body!.message).toMatch(/^inventory\[2\]\.address: "10\.0\.1\.12\/24" has host bits set: the network is 10\.0\.1\.0\/24/);
    expect((await call('DELETE', '/api/v1/inventory/declared/web-2')).status).toBe(204);
    expect((await call('DELETE', '/api/v1/inventory/declared/web-2')).status).toBe(404);
    expect(onDisk()).toBe(ACME);
  });

  it('POST /api/v1/inventory/import upserts CSV rows by name and names the line of a bad row', async () => {
    const r = await call('POST', '/api/v1/inventory/import', 'name,ip,owner,rack\nweb-1,10.0.1.10,web-team,r1\nweb-3,10.0.1.13,,r2\n', csv);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ added: 1, updated: 1, unchanged: 0, ignored_columns: ['rack'] });
    const inv = (await call('GET', '/api/v1/inventory/declared')).body!.inventory;
    expect(inv.slice(1)).toEqual([
      { name: 'web-1', address: '10.0.1.10', owner: 'web-team', role: 'nginx' },
      { name: 'web-3', address: '10.0.1.13' },
    ]);
    const before = onDisk();
    const bad = await call('POST', '/api/v1/inventory/import', 'name,ip\nweb-4,10.0.1.14\nweb-5,10.0.1.500\n', csv);
    expect(bad.status).toBe(400);
    expect(bad.body!.message).toBe('CSV line 3: ip "10.0.1.500" is not a valid IP address or CIDR');
    const wrongType = await call('POST', '/api/v1/inventory/import', [{ name: 'x' }]);
    expect(wrongType.status).toBe(415);
    expect(onDisk()).toBe(before);
    expect((await call('PUT', '/api/v1/intent', ACME, yaml)).status).toBe(200);
  });

  it('hostile strings in every field: 4xx with a message, never 500, nothing written but the intent file', async () => {
    const evil = ["'; DROP TABLE flows; --", '../../etc/passwd', '..\\..\\windows', 'x'.repeat(5000), 'zoë-ünïcode-✓', '\u202Egnp.exe', 'a\u0000b', '${jndi:ldap://x}', '<script>alert(1)</script>'];
    const topBefore = readdirSync(dir);
    const dataBefore = readdirSync(t.dataDir);
    const textBefore = onDisk();
    const seen = new Set<number>();
    for (const s of evil) {
      const name = encodeURIComponent(s);
      // `id`: an identifier field (names, kinds, addresses): always refused. A number: a text field of
      // that maximum length, where printable text is data and is stored (as a YAML string).
      const attempts: [Method, string, unknown, 'id' | number, Record<string, string>?][] = [
        ['PUT', `/api/v1/zones/${name}`, { kind: 'internal', cidrs: [] }, 'id'],
        ['PUT', '/api/v1/zones/z1', { kind: s, cidrs: [] }, 'id'],
        ['PUT', '/api/v1/zones/z1', { kind: 'internal', cidrs: [s] }, 'id'],
        ['PUT', '/api/v1/zones/z1', { kind: 'internal', cidrs: [], description: s }, 1000],
        ['DELETE', `/api/v1/zones/${name}`, undefined, 'id'],
        ['PUT', `/api/v1/crown-jewels/${name}`, { match: ['10.0.0.1'], owner: 'o', why: 'w' }, 'id'],
        ['PUT', '/api/v1/crown-jewels/j1', { match: [s], owner: 'o', why: 'w' }, 'id'],
        ['PUT', '/api/v1/crown-jewels/j1', { match: ['10.0.0.1'], owner: s, why: 'w' }, 200],
        ['PUT', '/api/v1/crown-jewels/j1', { match: ['10.0.0.1'], owner: 'o', why: s }, 1000],
        ['DELETE', `/api/v1/crown-jewels/${name}`, undefined, 'id'],
        ['PUT', `/api/v1/inventory/declared/${name}`, { address: '10.0.0.1' }, 'id'],
        ['PUT', '/api/v1/inventory/declared/i1', { address: s }, 'id'],
        ['PUT', '/api/v1/inventory/declared/i1', { address: '10.0.0.1', owner: s, role: s }, 200],
        ['DELETE', `/api/v1/inventory/declared/${name}`, undefined, 'id'],
        ['POST', '/api/v1/inventory/import', `name,ip,owner\n"${s.replace(/"/g, '""')}",10.0.0.1,o\n`, 'id', csv],
        ['POST', '/api/v1/inventory/import', `name,ip,owner\ni1,10.0.0.1,"${s.replace(/"/g, '""')}"\n`, 200, csv],
        ['PUT', '/api/v1/intent', `zones:\n  - name: ${JSON.stringify(s)}\n    kind: internal\n    cidrs: []\n`, 'id', yaml],
        ['PUT', '/api/v1/intent', `crown_jewels:\n  - name: j\n    match: [${JSON.stringify(s)}]\n    owner: o\n    why: w\n`, 'id', yaml],
        ['PUT', '/api/v1/intent', `crown_jewels:\n  - name: j\n    match: [10.0.0.1]\n    owner: o\n    why: ${JSON.stringify(s)}\n`, 1000, yaml],
      ];
      for (const [method, url, body, field, headers] of attempts) {
        const r = await call(method, url, body, headers);
        const what = `${method} ${url.slice(0, 60)} ${JSON.stringify(body)?.slice(0, 80)}`;
        const printable = typeof field === 'number' && s.length <= field && !/[\u0000\u202E]/.test(s);
        if (printable) expect([200, 201], what).toContain(r.status);
        else {
          expect(r.status, what).toBeGreaterThanOrEqual(400);
          expect(r.status, what).toBeLessThan(500);
          expect(r.body!.message, what).toMatch(/\S/);
        }
        seen.add(r.status);
      }
    }
    expect(seen.has(400)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(topBefore.sort());
    expect(readdirSync(t.dataDir).sort()).toEqual(dataBefore.sort());
    // Whatever was accepted went into the intent file, as data; put it back.
    expect((await call('PUT', '/api/v1/intent', textBefore, yaml)).status).toBe(200);
    expect(onDisk()).toBe(textBefore);
  });

  it('is described in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((JSON.parse(res.body) as { paths: Record<string, unknown> }).paths);
    for (const p of ['/api/v1/intent/', '/api/v1/zones/', '/api/v1/zones/{name}', '/api/v1/crown-jewels/{name}', '/api/v1/inventory/declared/{name}', '/api/v1/inventory/import/']) {
      expect(paths).toContain(p);
    }
  });

  it('config: the file is SURFACEMAP_INTENT or the override, else <dataDir>/surfacemap.yaml', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/sm' }).intentFile).toBe('/var/lib/sm/surfacemap.yaml');
    expect(loadConfig({ DATA_DIR: '/var/lib/sm', SURFACEMAP_INTENT: '/srv/policy/intent.yaml' }).intentFile).toBe('/srv/policy/intent.yaml');
    expect(loadConfig({ SURFACEMAP_INTENT: '/srv/a.yaml' }, { intentFile: '/srv/b.yaml' }).intentFile).toBe('/srv/b.yaml');
    expect(t.config.intentFile).toBe(file);
  });

  it('picks up a change on disk (a git pull) on the next request', async () => {
    writeFileSync(file, ACME.replace('name: partners', 'name: suppliers'));
    const zones = (await call('GET', '/api/v1/zones')).body!.zones.map((z: { name: string }) => z.name);
    expect(zones).toEqual(['prod', 'data', 'suppliers']);
    expect(t.app.intent.current().intent.zones[2]!.name).toBe('suppliers');
  });
});
