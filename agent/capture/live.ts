// Live capture through libpcap, using the optional npm package `pcap` (node_pcap 3.1.0).
// Why this binding and these defaults: docs/decisions.md, "Live capture binding".
//
// NOTE: what node_pcap 3.1.0 gives us (read from its pcap_session.cc; the version is pinned):
// - open_live(device, filter, bufferBytes, snaplen, dumpFile, packetReady, rfmon, timeoutMs, warn,
//   promisc) → link type as a string ('LINKTYPE_ETHERNET', …, or 'Unknown linktype N').
// - dispatch(buf, hdr) drains every packet in the ring; per packet it copies min(caplen, buf.length)
//   bytes to the start of `buf` and writes `hdr` = 4 host-endian u32: ts.tv_sec (low 32 bits),
//   ts.tv_usec, caplen, len; then calls packetReady() with no arguments. Both buffers are reused.
// - start_polling() watches the pcap fd with libuv and calls `session.read_callback` when readable.
// - close() only calls pcap_breakloop(); the handle (socket, ring, libuv poll) is freed inside the
//   next dispatch() that finds a packet. With nothing left to read, dispatch() returns 0 and the
//   handle stays until the next packet that passes the filter (see decisions.md).
// - stats() → { ps_recv, ps_drop, ps_ifdrop } from pcap_stats(); throws once the handle is freed.
// We call the native binding directly rather than pcap.js: no per-packet object or EventEmitter
// emit on the hot path, and we control the buffers and the close sequence.
import { createRequire } from 'node:module';
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  type PacketSink,
} from './source.js';

/** Keeps whole standard-MTU frames (1500 B + link headers incl. QinQ/SLL2); cuts GSO and jumbo frames. */
export const DEFAULT_SNAPLEN = 2048;
/** Kernel ring size; at 50 k small packets/s this holds seconds of backlog. */
export const DEFAULT_BUFFER_SIZE_MB = 32;
/** TPACKET_V3 block timeout: how long a partly filled block waits before it is handed to us. */
export const DEFAULT_TIMEOUT_MS = 100;

const MIN_SNAPLEN = 64;
const MAX_SNAPLEN = 262_144;
const MAX_BUFFER_SIZE_MB = 2047; // passed to libpcap as an int32 byte count
const LINKTYPE_IEEE802_11_RADIOTAP = 127;
const PCAP_ERROR_BREAK = -2;
const PCAP_ERROR_NOT_ACTIVATED = -3;
const FINALIZE_RETRY_MS = 200;
const FINALIZE_RETRY_LIMIT = 1500; // 5 minutes

export const BINDING_PACKAGE = 'pcap';
export const BINDING_VERSION = '3.1.0';

export interface LiveCaptureOptions {
  /** Interface name as libpcap knows it (`ip link`), or `any` for all interfaces (Linux cooked headers). */
  iface: string;
  /** BPF filter in pcap-filter(7) syntax; empty or absent = every packet. */
  filter?: string;
  /** Bytes kept per packet (default DEFAULT_SNAPLEN). Flow counters use IP length fields, not this. */
  snaplen?: number;
  /** Kernel capture ring size in MiB (default DEFAULT_BUFFER_SIZE_MB). */
  bufferSizeMb?: number;
  /** Promiscuous mode (default true, as tcpdump; on `any` libpcap ignores it). */
  promisc?: boolean;
  /** Delivery latency bound in ms (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Called once if the sink throws; capture stops at that packet. Without it the error is only kept in `error`. */
  onError?: (err: Error) => void;
}

/** pcap_stats(3PCAP) counters since the capture was opened. */
export interface LiveStats {
  /** Packets the kernel saw that passed the filter. On loopback every packet is seen twice (out and in). */
  received: number;
  /** Packets dropped because the ring was full (we did not read fast enough); on loopback both copies count. */
  dropped: number;
  /** Packets the interface or its driver dropped (not supported everywhere; 0 for `any`). */
  ifDropped: number;
}

export interface LiveCapture {
  readonly iface: string;
  /** LINKTYPE_* of every packet this capture delivers (`any` gives LINKTYPE_LINUX_SLL). */
  readonly linktype: number;
  readonly snaplen: number;
  /** Packets handed to the sink so far. */
  readonly packets: number;
  /** The sink's exception, when it threw and stopped the capture. */
  readonly error: Error | undefined;
  stats(): LiveStats;
  /** Stops delivery at once; stats() keeps answering with the counters at close time. Idempotent. */
  close(): void;
}

export interface InterfaceInfo {
  name: string;
  description?: string;
  /** IPv4 and IPv6 addresses of the interface. */
  addresses: string[];
  loopback: boolean;
}

// NOTE: shape of node_pcap's native module (pcap/build/Release/pcap_binding.node).
interface NativeStats { ps_recv: number; ps_drop: number; ps_ifdrop: number }
interface NativeSession {
  open_live(
    device: string, filter: string, bufferBytes: number, snaplen: number, dumpFile: string,
    packetReady: () => void, rfmon: boolean, timeoutMs: number, warn: (msg: string) => void, promisc: boolean,
  ): string;
  dispatch(buf: Buffer, hdr: Buffer): number;
  start_polling(): void;
  close(): void;
  stats(): NativeStats;
  read_callback?: () => void;
}
interface NativeDevice {
  name: string;
  description?: string;
  addresses: Array<{ addr?: string } | undefined | null>;
  flags?: string;
}
interface PcapBinding {
  PcapSession: new () => NativeSession;
  findalldevs(): NativeDevice[];
  lib_version(): string;
}

let binding: PcapBinding | undefined;

function loadBinding(): PcapBinding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  try {
    binding = require(`${BINDING_PACKAGE}/build/Release/pcap_binding.node`) as PcapBinding;
    return binding;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const notInstalled = e.code === 'MODULE_NOT_FOUND';
    throw new Error(
      (notInstalled
        ? `live capture needs the optional npm package "${BINDING_PACKAGE}" (node_pcap ${BINDING_VERSION}), which is not installed or not built. `
        : `live capture could not load the npm package "${BINDING_PACKAGE}" (${e.message}). `) +
        'It compiles against libpcap at install time: install libpcap-dev (Debian/Ubuntu) or libpcap-devel ' +
        '(Fedora/RHEL) and a C++ toolchain (g++, make, python3), then run `npm rebuild pcap` or `npm install` ' +
        'again. Reading capture files works without it.',
      { cause: err },
    );
  }
}

/** The libpcap version string ("libpcap version 1.10.3 (with TPACKET_V3)"); throws when the binding is missing. */
export function libpcapVersion(): string {
  return loadBinding().lib_version();
}

/** Interfaces libpcap can capture on (pcap_findalldevs), for `surfacemap agent --list`. */
export function listInterfaces(): InterfaceInfo[] {
  const devices = loadBinding().findalldevs();
  return devices.map((d) => ({
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    // node_pcap leaves holes in this array for non-IP addresses.
    addresses: d.addresses.flatMap((a) => (a && a.addr ? [a.addr] : [])),
    loopback: d.flags === 'PCAP_IF_LOOPBACK',
  }));
}

/** node_pcap names five link types and prints the DLT number for the rest ("Unknown linktype 276"). */
function linktypeFromBinding(name: string): number {
  switch (name) {
    case 'LINKTYPE_NULL': return LINKTYPE_NULL;
    case 'LINKTYPE_ETHERNET': return LINKTYPE_ETHERNET;
    case 'LINKTYPE_IEEE802_11_RADIO': return LINKTYPE_IEEE802_11_RADIOTAP;
    case 'LINKTYPE_RAW': return LINKTYPE_RAW;
    case 'LINKTYPE_LINUX_SLL': return LINKTYPE_LINUX_SLL;
  }
  // On Linux the remaining DLT_* values equal their LINKTYPE_* values (e.g. SLL2 = 276).
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m) throw new Error(`live capture: unexpected link type "${name}" from the ${BINDING_PACKAGE} binding`);
  return Number(m[1]);
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`live capture: ${name} must be an integer from ${min} to ${max}, got ${v}`);
  }
  return v;
}

function describeOpenError(iface: string, filter: string, msg: string, activated: boolean): string {
  const where = `live capture on interface "${iface}"`;
  if (/no such device/i.test(msg)) {
    return `${where}: no such interface (libpcap: ${msg}); list interfaces with \`surfacemap agent --list\` or \`ip link\``;
  }
  if (/permission|not permitted|EPERM|EACCES/i.test(msg)) {
    return `${where}: permission denied (libpcap: ${msg}); run as root or grant node the capture ` +
      'capabilities: sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v node)")"';
  }
  // The handle came up, so the step that failed is the filter (compile or install).
  if (activated && filter) return `${where}: bad capture filter "${filter}": ${msg}`;
  return `${where}: ${msg}`;
}

class PcapLiveCapture implements LiveCapture {
  readonly iface: string;
  readonly linktype: number;
  readonly snaplen: number;
  packets = 0;
  error: Error | undefined;

  readonly #session: NativeSession;
  readonly #sink: PacketSink;
  readonly #buf: Buffer;
  readonly #hdrBytes: Buffer;
  /** Host-endian view of the 16-byte pcap header node_pcap writes: [tv_sec, tv_usec, caplen, len]. */
  readonly #hdr: Uint32Array;
  readonly #onError: ((err: Error) => void) | undefined;
  #open = true;
  /** dispatch() is on the stack (the sink runs inside it); never re-enter it. */
  #dispatching = false;
  /** node_pcap freed the libpcap handle; never call dispatch()/stats() on the session again. */
  #freed = false;
  #finalStats: LiveStats | undefined;

  constructor(opts: LiveCaptureOptions, sink: PacketSink) {
    if (typeof opts.iface !== 'string' || opts.iface === '') {
      throw new TypeError('live capture: iface must be an interface name or "any"');
    }
    const filter = opts.filter ?? '';
    this.iface = opts.iface;
    this.snaplen = checkInt('snaplen', opts.snaplen ?? DEFAULT_SNAPLEN, MIN_SNAPLEN, MAX_SNAPLEN);
    const bufferMb = checkInt('bufferSizeMb', opts.bufferSizeMb ?? DEFAULT_BUFFER_SIZE_MB, 1, MAX_BUFFER_SIZE_MB);
    const timeoutMs = checkInt('timeoutMs', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1, 10_000);
    const b = loadBinding();
    this.#sink = sink;
    this.#onError = opts.onError;
    this.#buf = Buffer.alloc(this.snaplen);
    const hdr = new ArrayBuffer(16);
    this.#hdrBytes = Buffer.from(hdr);
    this.#hdr = new Uint32Array(hdr);

    const session = new b.PcapSession();
    this.#session = session;
    let linkName: string;
    try {
      linkName = session.open_live(
        opts.iface, filter, bufferMb * 1024 * 1024, this.snaplen, '', this.#packetReady, false, timeoutMs,
        // pcap_lookupnet warnings (no IPv4 address on `any`/the interface): only the filter's netmask
        // for `broadcast` tests depends on it.
        () => {},
        opts.promisc ?? true,
      );
    } catch (err) {
      this.#open = false;
      const activated = this.#releaseFailedOpen();
      throw new Error(describeOpenError(opts.iface, filter, (err as Error).message, activated), { cause: err });
    }
    this.linktype = linktypeFromBinding(linkName);
    session.read_callback = this.#readable;
    session.start_polling();
    // node_pcap kicks off one read right away (packets may already sit in the ring).
    process.nextTick(this.#readable);
  }

  // One closure per capture, not per packet.
  readonly #packetReady = (): void => {
    if (!this.#open) return;
    const h = this.#hdr;
    const tsUs = h[0]! * 1_000_000 + h[1]!;
    const capLen = h[2]! < this.#buf.length ? h[2]! : this.#buf.length;
    try {
      this.#sink.packet(this.#buf, 0, capLen, h[3]!, tsUs, this.linktype);
      this.packets++;
    } catch (err) {
      // A throw here would reach node_pcap's FatalException and kill the process.
      this.error = err instanceof Error ? err : new Error(String(err));
      this.close();
      this.#onError?.(this.error);
    }
  };

  readonly #readable = (): void => {
    if (this.#freed || this.#dispatching) return;
    this.#dispatching = true;
    let r: number;
    try {
      r = this.#session.dispatch(this.#buf, this.#hdrBytes);
    } finally {
      this.#dispatching = false;
    }
    if (r === PCAP_ERROR_BREAK) this.#freed = true;
  };

  /**
   * open_live threw after pcap_create: the handle may be activated (the filter failed) and would then
   * capture unfiltered into its ring until freed. Break it and let a bounded, unref'd timer dispatch
   * until node_pcap frees it (it needs one packet in the ring). Returns whether it was activated.
   */
  #releaseFailedOpen(): boolean {
    const s = this.#session;
    try {
      s.stats(); // throws when pcap_create itself failed (no handle at all)
    } catch {
      this.#freed = true;
      return false;
    }
    s.close();
    const r = s.dispatch(this.#buf, this.#hdrBytes);
    if (r === PCAP_ERROR_NOT_ACTIVATED) return false; // nothing captures; node_pcap leaves it as it is
    if (r === PCAP_ERROR_BREAK) { this.#freed = true; return true; }
    let tries = 0;
    const timer = setInterval(() => {
      if (s.dispatch(this.#buf, this.#hdrBytes) === PCAP_ERROR_BREAK || ++tries >= FINALIZE_RETRY_LIMIT) {
        clearInterval(timer);
      }
    }, FINALIZE_RETRY_MS);
    timer.unref();
    return true;
  }

  stats(): LiveStats {
    if (this.#finalStats) return { ...this.#finalStats };
    const s = this.#session.stats();
    return { received: s.ps_recv, dropped: s.ps_drop, ifDropped: s.ps_ifdrop };
  }

  close(): void {
    if (!this.#open) return;
    this.#finalStats = this.stats();
    this.#open = false;
    this.#session.close();
    // Frees the handle now if a packet is waiting. From inside the sink (dispatch on the stack),
    // node_pcap's own loop sees the break instead.
    this.#readable();
  }
}

/**
 * Opens a live capture and starts delivering packets to `sink` from the event loop. Each packet is
 * handed over with its capture timestamp from the pcap header (µs since the epoch), its captured and
 * wire lengths and the capture's link type; the buffer is reused for the next packet.
 * Throws an Error with an operator-readable message for a missing binding, an unknown interface,
 * missing permissions or a bad filter.
 */
export function openLiveCapture(opts: LiveCaptureOptions, sink: PacketSink): LiveCapture {
  return new PcapLiveCapture(opts, sink);
}
