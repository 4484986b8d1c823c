// Display formats: bytes in binary units, counts with thousands separators, UTC timestamps.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US');
}

/** `2026-11-27 21:23 UTC` (minutes) or with seconds. */
export function formatTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, seconds ? 19 : 16)} UTC`;
}

export function formatRange(r: { from: string; to: string }): string {
  return `${formatTime(r.from)} – ${formatTime(r.to)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "tcp/5432" or "icmp" (ICMP dport is a code, not a port). */
export function portLabel(proto: string, dport: number): string {
  return proto === 'icmp' || proto === 'icmp6' ? proto : `${proto}/${dport}`;
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
