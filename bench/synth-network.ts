// NOTE: the synthetic company network: a few hundred hosts with IPv4 and IPv6 addresses, MACs and
// (for some client subnets) an 802.1Q VLAN id. Servers have roles; "external" hosts sit behind the
// router (they share its MAC), as Internet peers do on a real uplink capture.
//   clients   10.1.x.y  / fd00:1::N   (every 12th client on VLAN 100–102)
//   servers   10.2.0.N  / fd00:2::N
//   external  TEST-NET (RFC 5737) / 2001:db8::N (RFC 3849)

export interface Host {
  index: number;
  name: string;
  /** IPv4 address as an unsigned 32-bit number. */
  v4: number;
  v6: Uint8Array;
  mac: Uint8Array;
  /** VLAN id of the host's access port as seen on the trunk, 0 = untagged. */
  vlan: number;
  external: boolean;
}

export interface Network {
  clients: Host[];
  servers: Host[];
  external: Host[];
  web: Host[];
  dns: Host[];
  postgres: Host[];
  mysql: Host[];
  redis: Host[];
  statsd: Host;
  graphite: Host;
  prometheus: Host;
  backup: Host;
  bastion: Host;
  /** Addresses that answer nothing (scans and dead peers end as S0). */
  dark: Host[];
}

export const CLIENT_COUNT = 320;
export const SERVER_COUNT = 64;
export const EXTERNAL_COUNT = 24;
const DARK_COUNT = 8;
const ROUTER_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0xff, 0xfe);

function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function v6(prefix: readonly number[], n: number): Uint8Array {
  const out = new Uint8Array(16);
  out.set(prefix);
  out[12] = (n >>> 24) & 0xff;
  out[13] = (n >>> 16) & 0xff;
  out[14] = (n >>> 8) & 0xff;
  out[15] = n & 0xff;
  return out;
}

function localMac(index: number): Uint8Array {
  return Uint8Array.of(0x02, 0x00, 0x5e, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff);
}

const CLIENT_V6 = [0xfd, 0x00, 0x00, 0x01];
const SERVER_V6 = [0xfd, 0x00, 0x00, 0x02];
const EXTERNAL_V6 = [0x20, 0x01, 0x0d, 0xb8];
const TEST_NETS = [v4(192, 0, 2, 0), v4(198, 51, 100, 0), v4(203, 0, 113, 0)];

function makeClient(i: number, index: number): Host {
  const vlan = i % 12 === 0 ? 100 + ((i / 12) % 3) : 0;
  return {
    index, name: `ws-${i}`, v4: v4(10, 1, 1 + Math.floor(i / 250), 1 + (i % 250)),
    v6: v6(CLIENT_V6, i + 1), mac: localMac(index), vlan, external: false,
  };
}

function makeServer(i: number, index: number): Host {
  return {
    index, name: `srv-${i}`, v4: v4(10, 2, 0, 10 + i),
    v6: v6(SERVER_V6, i + 1), mac: localMac(index), vlan: 0, external: false,
  };
}

function makeExternal(i: number, index: number, name: string): Host {
  const net = TEST_NETS[i % TEST_NETS.length] ?? 0;
  return {
    index, name, v4: (net + 10 + Math.floor(i / TEST_NETS.length)) >>> 0,
    v6: v6(EXTERNAL_V6, i + 1), mac: ROUTER_MAC, vlan: 0, external: true,
  };
}

function take(list: Host[], from: number, count: number): Host[] {
  return list.slice(from, from + count);
}

function at(list: Host[], i: number): Host {
  const h = list[i];
  if (!h) throw new Error(`network: no host ${i}`);
  return h;
}

export function createNetwork(): Network {
  let index = 0;
  const clients = Array.from({ length: CLIENT_COUNT }, (_, i) => makeClient(i, index++));
  const servers = Array.from({ length: SERVER_COUNT }, (_, i) => makeServer(i, index++));
  const external = Array.from({ length: EXTERNAL_COUNT }, (_, i) => makeExternal(i, index++, `cdn-${i}.example.com`));
  const dark = Array.from({ length: DARK_COUNT }, (_, i) => makeServer(200 + i, index++));
  return {
    clients, servers, external, dark,
    web: take(servers, 0, 20),
    dns: take(servers, 20, 2),
    postgres: take(servers, 22, 3),
    mysql: take(servers, 25, 1),
    redis: take(servers, 26, 2),
    statsd: at(servers, 28),
    graphite: at(servers, 29),
    prometheus: at(servers, 30),
    backup: at(servers, 31),
    bastion: at(servers, 32),
  };
}

export function v4Bytes(addr: number): Uint8Array {
  return Uint8Array.of(addr >>> 24, (addr >>> 16) & 0xff, (addr >>> 8) & 0xff, addr & 0xff);
}
