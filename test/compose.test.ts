// docker-compose.yml cannot run here (no Docker engine), but Debian's docker-compose validates it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const SECRETS = { CLICKHOUSE_PASSWORD: 'x'.repeat(20), SURFACEMAP_TOKEN: 't'.repeat(32), SURFACEMAP_AGENT_TOKEN: 'a'.repeat(32) };

function compose(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SURFACEMAP_') && !k.startsWith('CLICKHOUSE_')));
  return spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], { encoding: 'utf8', env: { ...clean, ...env } });
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose with the secrets set', () => {
    const r = compose(['config', '-q'], SECRETS);
    expect(r.error, 'docker-compose must be installed (Debian package docker-compose)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
  });

  it('refuses to start without the secrets instead of running with empty tokens', () => {
    const r = compose(['config', '-q'], {});
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/CLICKHOUSE_PASSWORD|SURFACEMAP_TOKEN|SURFACEMAP_AGENT_TOKEN/);
  });

  it('runs the agent on the host network with capture capabilities, and the server on loopback only', () => {
    const r = compose(['config'], SECRETS);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/agent:[\s\S]*network_mode: host/);
    expect(out).toMatch(/cap_add:\s*\n\s*- NET_RAW\s*\n\s*- NET_ADMIN/);
    expect(out).toMatch(/host_ip: 127\.0\.0\.1|127\.0\.0\.1:7070:7070/);
    expect(out).toMatch(/CLICKHOUSE_URL: http:\/\/clickhouse:8123/);
  });
});
